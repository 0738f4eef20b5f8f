//! "Where you are signed in": the person's live sessions, each with the device and address it was opened from,
//! and ending any of them (a lost laptop, a shared computer) or all but the one in use.

use super::accounts::Session;
use super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::ActiveSession;
use crate::store::SessionId;

/// The person's live sessions, last used first; the one making the request is marked `current`.
pub async fn list(state: &AppState, session: &Session) -> AppResult<Vec<ActiveSession>> {
    let now = state.now();
    let settings = state.settings();
    let rows = state
        .store()
        .live_sessions_of_user(&session.user.id, now - settings.session_idle, now - settings.session_max)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ActiveSession {
            current: row.id == session.id,
            id: row.id.key().to_string(),
            device: device_of(&row.user_agent),
            user_agent: row.user_agent,
            ip: row.ip,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        })
        .collect())
}

/// Signs the person out on another device. A session of someone else is `NotFound`, like one that is gone.
pub async fn end(state: &AppState, session: &Session, actor: &Actor, id: &str) -> AppResult<()> {
    let target = SessionId::new(id);
    if target == session.id {
        return Err(AppError::Refused("This is the session you are using: sign out instead.".into()));
    }
    let ended = state.store().delete_session_of_user(&session.user.id, &target).await?.ok_or(AppError::NotFound)?;
    let what = format!("ended the session on {} from {}", device_of(&ended.user_agent), ended.ip);
    audit::record(state, actor, None, "account.session_end", &session.user.email, what).await
}

/// Signs the person out everywhere but here.
pub async fn end_others(state: &AppState, session: &Session, actor: &Actor) -> AppResult<()> {
    state.store().delete_sessions_of_user(&session.user.id, Some(&session.id)).await?;
    audit::record(state, actor, None, "account.sessions_end", &session.user.email, "signed out everywhere else").await
}

/// A name for the device of a session, from its user agent: for the person to recognise their own devices,
/// never to decide anything on (a user agent is whatever the client says). The list shows the whole string too.
pub fn device_of(user_agent: &str) -> String {
    // The first match wins: Edge and Opera also say "Chrome/", Chrome also says "Safari/", Android "Linux".
    const BROWSERS: [(&str, &str); 8] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("python-requests/", "Python requests"),
        ("Wget/", "Wget"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| table.iter().find(|(mark, _)| user_agent.contains(mark)).map(|t| t.1);
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(name), None) | (None, Some(name)) => name.to_string(),
        (None, None) if user_agent.trim().is_empty() => "Unknown device".to_string(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::device_of;

    #[test]
    fn devices_are_named_by_browser_and_system() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(device_of(chrome), "Chrome on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 \
                    Safari/537.36 Edg/131.0.0.0";
        assert_eq!(device_of(edge), "Edge on Windows");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(iphone), "Safari on iPhone");
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                       Chrome/131.0.0.0 Mobile Safari/537.36";
        assert_eq!(device_of(android), "Chrome on Android");
        assert_eq!(
            device_of("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"),
            "Firefox on macOS"
        );
        assert_eq!(device_of("curl/8.11.1"), "curl");
        assert_eq!(device_of(""), "Unknown device");
    }
}
