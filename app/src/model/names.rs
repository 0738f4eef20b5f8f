//! The names typed into an order, as the wizard and the server both read them: how they split into tokens and
//! which domains (or mailboxes) must prove control. Pure functions, so the browser checks exactly what the
//! server will.

use super::{authorization_domain, Profile, DCV_MAILBOXES};

/// The names typed into an order, one per token: separated by commas, semicolons or white space.
pub fn name_tokens(input: &str) -> impl Iterator<Item = &str> {
    input.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty())
}

/// The domains (or mailboxes) whose control is proved for `names`: wildcards at their base domain.
pub fn validation_targets(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let d = authorization_domain(n).to_string();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// Whether a wildcard among `names` is validated at `target`: then an HTTP file does not prove it
/// (BR 3.2.2.4.18).
pub fn wildcard_at(names: &[String], target: &str) -> bool {
    names.iter().any(|n| n.starts_with("*.") && authorization_domain(n) == target)
}

/// The addresses an approval e-mail for `target` may go to: the constructed mailboxes of a domain, or the
/// mailbox itself for client and S/MIME certificates.
pub fn email_choices(profile: Profile, target: &str) -> Vec<String> {
    if profile.is_server() {
        DCV_MAILBOXES.iter().map(|m| format!("{m}@{target}")).collect()
    } else {
        vec![target.to_string()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_and_its_base_domain_are_one_target() {
        let names: Vec<String> =
            name_tokens("*.shop.example, shop.example;www.shop.example\n").map(Into::into).collect();
        assert_eq!(names, ["*.shop.example", "shop.example", "www.shop.example"]);
        assert_eq!(validation_targets(&names), ["shop.example", "www.shop.example"]);
        assert!(wildcard_at(&names, "shop.example"));
        assert!(!wildcard_at(&names, "www.shop.example"));
    }
}
