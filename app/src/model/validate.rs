//! Input rules, shared by the browser (inline validation) and the server (the rule that counts).
//! Each function returns the message a person sees, or `None` when the value is fine.

pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 256;

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn email(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return Some("Enter an e-mail address.".into());
    }
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("Enter a valid e-mail address, like name@example.com.".into());
    }
    match v.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..") =>
        {
            None
        }
        _ => Some("Enter a valid e-mail address, like name@example.com.".into()),
    }
}

pub fn optional_email(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        None
    } else {
        email(value)
    }
}

pub fn password(value: &str) -> Option<String> {
    let n = value.chars().count();
    if n < MIN_PASSWORD_LEN {
        Some(format!("Use at least {MIN_PASSWORD_LEN} characters."))
    } else if n > MAX_PASSWORD_LEN {
        Some(format!("Use at most {MAX_PASSWORD_LEN} characters."))
    } else {
        None
    }
}

pub fn password_confirmation(password: &str, confirm: &str) -> Option<String> {
    (password != confirm).then(|| "The two passwords are not the same.".into())
}

pub fn required(value: &str, what: &str, max: usize) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        Some(format!("Enter the {what}."))
    } else if v.chars().count() > max {
        Some(format!("The {what} can be at most {max} characters long."))
    } else {
        None
    }
}

pub fn optional_text(value: &str, what: &str, max: usize) -> Option<String> {
    (value.trim().chars().count() > max).then(|| format!("The {what} can be at most {max} characters long."))
}

/// Issuer slugs appear in public URLs (`/v/{slug}/…`): lower-case ASCII letters, digits and inner hyphens.
pub fn slug(value: &str) -> Option<String> {
    let v = value.trim();
    if v.len() < 2 || v.len() > 40 {
        return Some("Use 2 to 40 characters.".into());
    }
    let ok_chars = v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok_chars || v.starts_with('-') || v.ends_with('-') || v.contains("--") {
        return Some(
            "Use lower-case letters a–z, digits and single hyphens inside, like \"smib\" or \"chamber-split\".".into(),
        );
    }
    None
}

/// Suggests a slug from a name: "Chamber of Commerce Split" → "chamber-of-commerce-split".
pub fn suggest_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars().map(fold_letter) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_end_matches('-').chars().take(40).collect();
    trimmed.trim_end_matches('-').to_string()
}

/// A lower-case letter without its accent (č → c, ß → s); other characters as they are.
pub fn fold_letter(c: char) -> char {
    match c {
        'č' | 'ć' | 'ç' => 'c',
        'š' | 'ß' => 's',
        'ž' => 'z',
        'đ' => 'd',
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        c => c,
    }
}

/// A DNS host name such as `verified.example.org` (no scheme, port or path).
pub fn host_name(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('.');
    let msg = || Some("Enter a host name only, like verified.example.org (no https:// and no path).".to_string());
    if v.is_empty() || v.len() > 253 || !v.contains('.') {
        return msg();
    }
    for label in v.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return msg();
        }
    }
    None
}

pub fn optional_host_name(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        None
    } else {
        host_name(value)
    }
}

pub fn phone(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ok = v.len() <= 40
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    (!ok).then(|| "Enter a phone number with digits, spaces and + - ( ) only.".into())
}

pub fn optional_url(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && v.len() <= 300
        && !v.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>');
    (!ok).then(|| "Enter a full web address starting with https://.".into())
}

/// A client's verified page path: ASCII letters, digits and inner single hyphens, as in the SafeSigned guide.
pub fn client_path(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return Some("Enter the verified page path, such as \"client\" for Client Ltd.".into());
    }
    if v.len() > 60 {
        return Some("The verified page path can be at most 60 characters long.".into());
    }
    let ok_chars = v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok_chars || v.starts_with('-') || v.ends_with('-') || v.contains("--") {
        return Some("Use only letters A–Z, digits 0–9 and '-' (no spaces or other characters).".into());
    }
    None
}

/// A domain as typed in the domain form: a host name only. International names are allowed here; the server
/// stores their ASCII (punycode) form.
pub fn domain(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('.');
    if v.is_empty() {
        return Some("Enter the domain name, like shop.example.com.".into());
    }
    if v.contains("://") || v.contains('/') || v.contains(':') || v.contains('?') || v.contains('#') {
        return Some("Enter the domain name only, without http:// and without a path, like shop.example.com.".into());
    }
    if v.contains('@') || v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '_' || c == '*') {
        return Some("A domain name has letters, digits, hyphens and dots only, like shop.example.com.".into());
    }
    if !v.contains('.') || v.split('.').any(str::is_empty) {
        return Some("Enter a full domain name with its ending, like shop.example.com.".into());
    }
    None
}

/// A colour as `#rrggbb`.
pub fn hex_color(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = v.len() == 7 && v.starts_with('#') && v[1..].bytes().all(|b| b.is_ascii_hexdigit());
    (!ok).then(|| "Enter a colour as #rrggbb, like #1f6f43.".into())
}

/// A calendar day as a date input sends it: `YYYY-MM-DD`.
pub fn date(value: &str) -> Option<String> {
    use chrono::Datelike;
    match chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        Ok(d) if (1900..=9000).contains(&d.year()) => None,
        Ok(_) => Some("Enter a year between 1900 and 9000.".into()),
        Err(_) => Some("Enter a date as YYYY-MM-DD.".into()),
    }
}

pub fn optional_date(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        None
    } else {
        date(value)
    }
}

/// Minimal percent-encoding for query strings built in the UI.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("ana@smib.hr").is_none());
        assert!(email(" Ana@Smib.hr ").is_none());
        assert!(email("ana").is_some());
        assert!(email("ana@localhost").is_some());
        assert!(email("a b@x.hr").is_some());
        assert!(email("").is_some());
        assert_eq!(normalize_email(" Ana@Smib.HR "), "ana@smib.hr");
    }

    #[test]
    fn slugs() {
        assert!(slug("smib").is_none());
        assert!(slug("chamber-split").is_none());
        assert!(slug("Smib").is_some());
        assert!(slug("-smib").is_some());
        assert!(slug("s--mib").is_some());
        assert!(slug("s").is_some());
        assert!(slug("smib/../x").is_some());
        assert_eq!(suggest_slug("Chamber of Commerce Split"), "chamber-of-commerce-split");
        assert_eq!(suggest_slug("  Žutić & Sinovi d.o.o. "), "zutic-sinovi-d-o-o");
    }

    #[test]
    fn hosts_and_passwords() {
        assert!(host_name("verified.smib.hr").is_none());
        assert!(host_name("https://smib.hr").is_some());
        assert!(host_name("smib.hr/path").is_some());
        assert!(host_name("localhost").is_some());
        assert!(password("short").is_some());
        assert!(password("correct horse battery").is_none());
        assert!(password_confirmation("a", "b").is_some());
        assert!(phone("+385 21 123-456").is_none());
        assert!(phone("call me").is_some());
        assert_eq!(url_encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn client_paths_and_domains() {
        assert!(client_path("client").is_none());
        assert!(client_path("Client-Ltd-2").is_none());
        assert!(client_path("client ltd").is_some());
        assert!(client_path("klijent-č").is_some());
        assert!(client_path("a/b").is_some());
        assert!(domain("shop.example.com").is_none());
        assert!(domain("žutić.hr").is_none());
        assert!(domain("https://shop.example.com").is_some());
        assert!(domain("shop.example.com/about").is_some());
        assert!(domain("shop.example.com:8080").is_some());
        assert!(domain("localhost").is_some());
        assert!(hex_color("#1F6f43").is_none());
        assert!(hex_color("green").is_some());
        assert!(date("2026-11-22").is_none());
        assert!(date("22.11.2026").is_some());
    }
}
