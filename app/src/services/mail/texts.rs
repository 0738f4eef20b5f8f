//! Every e-mail Signet writes, in one place: each function takes the facts a message names and returns its
//! subject and body. (Issuers' editable templates replace these later; the facts stay the same.)

use crate::store::IssuerId;

/// An e-mail's subject and plain-text body.
pub struct Text {
    pub subject: String,
    pub body: String,
}

/// To the owner of an account whose sign-in was just locked.
pub fn account_locked(name: &str, failures: i64, minutes: i64, ip: &str, public_url: &str) -> Text {
    Text {
        subject: "Your Signet account was locked".into(),
        body: format!(
            "Hello {name},\n\nThere were {failures} failed attempts to sign in to your Signet account, so sign-in is \
             locked for {minutes} minutes (the last attempt came from {ip}).\n\nIf this was not you, reset your \
             password: {public_url}/forgot-password\n"
        ),
    }
}

/// A password-reset link.
pub fn password_reset(name: &str, ip: &str, public_url: &str, token: &str) -> Text {
    Text {
        subject: "Reset your Signet password".into(),
        body: format!(
            "Hello {name},\n\nSomebody (from {ip}) asked to reset the password of your Signet account.\n\n\
             Choose a new password here (the link works once, for one hour):\n{public_url}/reset-password/{token}\n\n\
             If this was not you, ignore this e-mail: your password stays as it is.\n"
        ),
    }
}

/// A person who is added to an issuer: with an account already (`token: None`), or invited to make one.
pub fn member_invitation(
    name: &str,
    inviter: &str,
    issuer: &IssuerId,
    role: &str,
    public_url: &str,
    invitation: Option<(&str, i64)>,
) -> Text {
    let body = match invitation {
        None => format!(
            "Hello {name},\n\n{inviter} added you to {issuer} in Signet as {role}.\n\nSign in as usual and choose \
             \"{issuer}\" in the issuer selector: {public_url}/login\n"
        ),
        Some((token, days)) => format!(
            "Hello {name},\n\n{inviter} invited you to work for {issuer} in Signet as {role}.\n\n\
             Choose your password here (the link works once, for {days} days):\n{public_url}/invite/{token}\n"
        ),
    };
    Text { subject: format!("You are invited to {issuer} on Signet"), body }
}

/// To an admin of the issuer: an order waits for approval.
pub fn approval_waiting(name: &str, number: &str, order_id: &str, public_url: &str) -> Text {
    Text {
        subject: format!("Order {number} waits for your approval"),
        body: format!(
            "Hello {name},\n\nOrder {number} waits for approval.\n\nReview it: {public_url}/orders/{order_id}\n\
             All orders waiting: {public_url}/orders/approvals\n"
        ),
    }
}

/// To a mailbox that can approve a domain validation (or to the mailbox itself, for S/MIME and client orders).
pub fn email_validation(organisation: &str, number: &str, name: &str, hours: i64, link: &str) -> Text {
    Text {
        subject: format!("Confirm the certificate for {name} (order {number})"),
        body: format!(
            "Hello,\n\n{organisation} ordered a certificate (order {number}) that covers {name}.\n\n\
             If you are responsible for {name} and agree, confirm it here (the link works for {hours} hours):\n\
             {link}\n\nIf you did not expect this, ignore this message: nothing will be issued for {name} without \
             your confirmation.\n"
        ),
    }
}

/// What a CSR invitation names.
pub struct CsrInvitation<'a> {
    pub name: &'a str,
    pub sender: &'a str,
    pub sender_name: &'a str,
    pub organisation: &'a str,
    pub number: &'a str,
    pub product: &'a str,
    pub names: &'a [String],
    pub link: &'a str,
    pub days: i64,
    pub until: &'a str,
}

/// To someone without an account, asked to make an order's key and CSR in their browser.
pub fn csr_invitation(i: &CsrInvitation) -> Text {
    let names = i.names.iter().map(|n| format!("  {n}")).collect::<Vec<_>>().join("\n");
    let CsrInvitation { name, sender, sender_name, organisation, number, product, link, days, until, .. } = i;
    Text {
        subject: format!("{sender_name} asks you to create the key for {} (order {number})", first(i.names)),
        body: format!(
            "Hello {name},\n\n{sender} asks you to create the private key and the certificate signing request (CSR) \
             for a certificate that {organisation} ordered (order {number}, {product}). The certificate will \
             cover:\n\n{names}\n\nOpen this link to do it; you need no account:\n{link}\n\n\
             The link works once and expires in {days} days ({until} UTC).\n\n\
             The private key is generated in your browser and never leaves it: it is not sent to Signet, to \
             {sender_name} or to anyone else. You save it yourself, protected by a password you choose; keep both \
             safe, because nobody can recover them for you.\n\n\
             If you did not expect this message, ignore it: nothing happens without you.\n"
        ),
    }
}

/// To whoever sent a CSR invitation: the CSR is in.
pub fn csr_handed_in(name: &str, by: &str, number: &str, order_id: &str, public_url: &str) -> Text {
    Text {
        subject: format!("The CSR of order {number} is in"),
        body: format!(
            "Hello {name},\n\n{by} created the key and handed in the CSR of order {number} through the invitation \
             link you sent. The order continues: {public_url}/orders/{order_id}\n"
        ),
    }
}

/// To the order's technical contact: the certificate is issued (with the certificate in PEM).
pub struct Issued<'a> {
    pub name: &'a str,
    pub number: &'a str,
    pub names: &'a [String],
    pub order_id: &'a str,
    pub tracking_token: &'a str,
    pub serial: &'a str,
    pub until: &'a str,
    pub pem: &'a str,
    pub public_url: &'a str,
}

pub fn certificate_issued(i: &Issued) -> Text {
    let Issued { name, number, order_id, tracking_token, serial, until, pem, public_url, .. } = i;
    Text {
        subject: format!("Your certificate for {} is issued (order {number})", first(i.names)),
        body: format!(
            "Hello {name},\n\nThe certificate of order {number} for {names} is issued.\n\nDownload it in the format \
             your server needs (PEM, full chain, DER, PKCS#7): {public_url}/orders/{order_id}\nTrack the order \
             without signing in: {public_url}/track/{tracking_token}\n\nSerial number: {serial}\nValid until: \
             {until}\n\n{pem}",
            names = i.names.join(", ")
        ),
    }
}

fn first(names: &[String]) -> &str {
    names.first().map(String::as_str).unwrap_or_default()
}

/// To the operators: the root's ARL runs out soon and only they can sign the next one.
pub fn arl_due(root_name: &str, next_update: chrono::DateTime<chrono::Utc>, public_url: &str) -> Text {
    let until = next_update.format("%Y-%m-%d %H:%M UTC");
    Text {
        subject: format!("Sign the CRL of {root_name} before {until}"),
        body: format!(
            "Hello,\n\nThe CRL of the root CA {root_name} is valid until {until}. After that, relying parties that \
             check it refuse every certificate below this root.\n\nOnly an operator can sign the next one, with the \
             root's key: open {public_url}/admin/ca and click \"Sign the root's CRL\".\n"
        ),
    }
}

/// To an order's contacts: its certificate was revoked.
pub struct Revoked<'a> {
    pub name: &'a str,
    pub number: &'a str,
    pub names: &'a [String],
    pub serial: &'a str,
    pub reason: &'a str,
    pub comment: &'a str,
    pub by: &'a str,
    pub certificate_id: &'a str,
    pub public_url: &'a str,
}

pub fn certificate_revoked(r: &Revoked) -> Text {
    let Revoked { name, number, serial, reason, by, certificate_id, public_url, .. } = r;
    let comment = if r.comment.is_empty() { String::new() } else { format!("Comment: {}\n", r.comment) };
    Text {
        subject: format!("The certificate for {} was revoked (order {number})", first(r.names)),
        body: format!(
            "Hello {name},\n\nThe certificate of order {number} for {names} was revoked by {by}.\n\nReason: \
             {reason}\n{comment}Serial number: {serial}\n\nBrowsers and other clients that check revocation refuse \
             it from now on; revocation cannot be undone. If the server still uses it, order a new certificate \
             and install it.\n\nDetails: {public_url}/certificates/{certificate_id}\n",
            names = r.names.join(", ")
        ),
    }
}

/// An expiry reminder (or, with `days_left` 0, the notice that it expired), with the way to renew.
pub struct Expiry<'a> {
    pub names: &'a [String],
    pub serial: &'a str,
    pub days_left: i64,
    pub until: &'a str,
    /// The certificate's page, where **Renew** is (and "do not renew" stops these messages).
    pub link: &'a str,
    /// Signet renews it by itself when the window opens.
    pub auto_renew: bool,
    /// A watched certificate: issued elsewhere, so it is renewed where it came from.
    pub watched: bool,
}

pub fn expiry_notice(e: &Expiry) -> Text {
    let Expiry { serial, days_left, until, link, .. } = e;
    let names = e.names.join(", ");
    let when = match days_left {
        ..=0 => format!("expired on {until}"),
        1 => format!("expires tomorrow ({until})"),
        d => format!("expires in {d} days ({until})"),
    };
    let what_to_do = if e.watched {
        "It was issued outside Signet: renew it where it came from, then hand the new one in to be watched.".into()
    } else if e.auto_renew {
        "Signet renews it automatically when its renewal window opens; you will get the new certificate by \
         e-mail."
            .to_string()
    } else {
        format!("Renew it here: {link}")
    };
    Text {
        subject: format!("The certificate for {} {when}", first(e.names)),
        body: format!(
            "Hello,\n\nThe certificate for {names} (serial {serial}) {when}. A server that still uses it after that \
             is refused by browsers.\n\n{what_to_do}\n\nDetails, and \"Do not renew\" to stop these reminders: \
             {link}\n"
        ),
    }
}

/// To a certificate's contacts: its automatic renewal was placed but needs them, or could not be placed.
pub fn auto_renewal_needs_you(names: &[String], serial: &str, outcome: &str, link: &str) -> Text {
    Text {
        subject: format!("The automatic renewal of the certificate for {} needs you", first(names)),
        body: format!(
            "Hello,\n\nSignet tried to renew the certificate for {} (serial {serial}) automatically.\n\n{outcome}\n\n\
             {link}\n",
            names.join(", ")
        ),
    }
}

/// To a certificate's contacts: a monitored installation changed colour.
pub fn installation_changed(host: &str, port: u16, colour: &str, reasons: &[String], link: &str) -> Text {
    Text {
        subject: format!("Installation check of {host}: now {}", colour.to_lowercase()),
        body: format!(
            "Hello,\n\nSignet checked the certificate installed at {host} (port {port}); the check is now {}.\n\n\
             {}\n\nDetails: {link}\n",
            colour.to_lowercase(),
            reasons.iter().map(|r| format!("- {r}")).collect::<Vec<_>>().join("\n")
        ),
    }
}
