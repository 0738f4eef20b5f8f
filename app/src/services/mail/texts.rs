//! Every e-mail Signet writes, in one place: each function takes the facts a message names and returns its
//! subject and body. (Issuers' editable templates replace these later; the facts stay the same.)

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
    issuer: &str,
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
