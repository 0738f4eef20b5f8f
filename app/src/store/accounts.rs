//! Users, sessions, the per-e-mail login guard and single-use e-mailed links.

use super::{retry_conflicts, transaction, DbResult, IssuerId, LinkTokenId, SessionId, Store, UserId};
use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub operator: bool,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn key(&self) -> String {
        self.id.key().to_string()
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SessionRow {
    pub id: SessionId,
    pub user: UserId,
    pub issuer: Option<IssuerId>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A session as the person's list of devices shows it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct SessionListRow {
    pub id: SessionId,
    pub ip: String,
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct GuardRow {
    pub email: String,
    pub failures: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct LinkTokenRow {
    pub id: LinkTokenId,
    pub purpose: String,
    pub user: UserId,
    pub issuer: Option<IssuerId>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

const USER_FIELDS: &str = "id, email, name, password_hash, operator, created_at";

impl Store {
    // ----- users -----

    pub async fn count_operators(&self) -> DbResult<usize> {
        let n: Option<i64> = self.db.query("RETURN count(SELECT id FROM user WHERE operator = true)").await?.take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    /// The operators' addresses, for what only they can act on (the root's ARL).
    pub async fn operator_emails(&self) -> DbResult<Vec<String>> {
        self.db.query("SELECT VALUE email FROM user WHERE operator = true ORDER BY email").await?.take(0)
    }

    pub async fn count_users(&self) -> DbResult<usize> {
        let n: Option<i64> = self.db.query("RETURN count(SELECT id FROM user)").await?.take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    /// Creates a user; fails with a duplicate error (see `is_duplicate`) when the e-mail is taken.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<String>,
        operator: bool,
        now: DateTime<Utc>,
    ) -> DbResult<UserRow> {
        let row: Option<UserRow> = self
            .db
            .query(format!(
                "LET $created = CREATE ONLY user CONTENT {{ email: $email, name: $name, password_hash: $hash, operator: $operator, created_at: $now }};
                 SELECT {USER_FIELDS} FROM ONLY $created.id;"
            ))
            .bind(("email", email.to_string()))
            .bind(("name", name.to_string()))
            .bind(("hash", password_hash))
            .bind(("operator", operator))
            .bind(("now", now))
            .await?
            .check()?
            .take(1)?;
        row.ok_or_else(|| surrealdb::Error::internal("CREATE returned nothing".into()))
    }

    pub async fn user_by_email(&self, email: &str) -> DbResult<Option<UserRow>> {
        self.db
            .query(format!("SELECT {USER_FIELDS} FROM user WHERE email = $email LIMIT 1"))
            .bind(("email", email.to_string()))
            .await?
            .take(0)
    }

    pub async fn user_by_id(&self, user: &UserId) -> DbResult<Option<UserRow>> {
        self.db.query(format!("SELECT {USER_FIELDS} FROM ONLY $id")).bind(("id", user.record())).await?.take(0)
    }

    pub async fn set_password(&self, user: &UserId, hash: &str) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET password_hash = $hash")
            .bind(("id", user.record()))
            .bind(("hash", hash.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_user_name(&self, user: &UserId, name: &str) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET name = $name")
            .bind(("id", user.record()))
            .bind(("name", name.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    // ----- sessions -----

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: &UserId,
        issuer: Option<&IssuerId>,
        now: DateTime<Utc>,
        ip: &str,
        user_agent: &str,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE session CONTENT { token_hash: $hash, user: $user, issuer: $issuer, created_at: $now,
                 last_seen_at: $now, ip: $ip, user_agent: $ua }",
            )
            .bind(("hash", token_hash.to_string()))
            .bind(("user", user.record()))
            .bind(("issuer", issuer.map(|i| i.record())))
            .bind(("now", now))
            .bind(("ip", ip.to_string()))
            .bind(("ua", user_agent.chars().take(300).collect::<String>()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn session_by_token(&self, token_hash: &str) -> DbResult<Option<SessionRow>> {
        self.db
            .query("SELECT id, user, issuer, created_at, last_seen_at FROM session WHERE token_hash = $hash LIMIT 1")
            .bind(("hash", token_hash.to_string()))
            .await?
            .take(0)
    }

    pub async fn touch_session(&self, session: &SessionId, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET last_seen_at = $now")
            .bind(("id", session.clone()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn set_session_issuer(&self, session: &SessionId, issuer: &IssuerId) -> DbResult<()> {
        self.db
            .query("UPDATE $id SET issuer = $issuer")
            .bind(("id", session.clone()))
            .bind(("issuer", issuer.record()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn delete_session(&self, session: &SessionId) -> DbResult<()> {
        self.db.query("DELETE $id").bind(("id", session.clone())).await?.check()?;
        Ok(())
    }

    /// The person's sessions within both time limits, last used first.
    pub async fn live_sessions_of_user(
        &self,
        user: &UserId,
        seen_since: DateTime<Utc>,
        created_since: DateTime<Utc>,
    ) -> DbResult<Vec<SessionListRow>> {
        self.db
            .query(
                "SELECT id, ip, user_agent, created_at, last_seen_at FROM session
                 WHERE user = $user AND last_seen_at >= $seen AND created_at >= $created
                 ORDER BY last_seen_at DESC LIMIT 100",
            )
            .bind(("user", user.record()))
            .bind(("seen", seen_since))
            .bind(("created", created_since))
            .await?
            .take(0)
    }

    /// Ends one session of the person; `None` when it is not theirs or already gone.
    pub async fn delete_session_of_user(&self, user: &UserId, session: &SessionId) -> DbResult<Option<SessionListRow>> {
        let rows: Vec<SessionListRow> = self
            .db
            .query("DELETE $id WHERE user = $user RETURN BEFORE")
            .bind(("id", session.clone()))
            .bind(("user", user.record()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    /// Signs a person out everywhere, except (optionally) the session they are using.
    pub async fn delete_sessions_of_user(&self, user: &UserId, except: Option<&SessionId>) -> DbResult<()> {
        self.db
            .query("DELETE session WHERE user = $user AND id != $except")
            .bind(("user", user.record()))
            .bind(("except", except.cloned()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn purge_sessions(&self, idle_before: DateTime<Utc>, created_before: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("DELETE session WHERE last_seen_at < $idle OR created_at < $created")
            .bind(("idle", idle_before))
            .bind(("created", created_before))
            .await?
            .check()?;
        Ok(())
    }

    // ----- login guard -----

    pub async fn login_guard(&self, email: &str) -> DbResult<Option<GuardRow>> {
        self.db
            .query("SELECT email, failures, locked_until FROM login_guard WHERE email = $email LIMIT 1")
            .bind(("email", email.to_string()))
            .await?
            .take(0)
    }

    /// Counts one more failed sign-in of `email` and returns the count. One transaction on one record per e-mail,
    /// retried on a write conflict, so that parallel failures are each counted: the count reaching `max` locks
    /// sign-in until `lock_until`; a lock that has run out starts the count again at 1.
    pub async fn record_login_failure(
        &self,
        email: &str,
        max: i64,
        lock_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> DbResult<i64> {
        retry_conflicts(|| async {
            // One transaction: the count read and the count written are the same, or the commit conflicts with
            // the concurrent attempt and is run again. The last statement's value is the new count.
            let mut response = self
                .db
                .query(
                    "BEGIN TRANSACTION;
                     LET $guard = type::record('login_guard', $email);
                     LET $was = (SELECT failures, locked_until FROM ONLY $guard);
                     LET $locked = $was.locked_until != NONE AND $was.locked_until > $now;
                     LET $lapsed = $was.locked_until != NONE AND $was.locked_until <= $now;
                     LET $failures = IF $lapsed { 1 } ELSE { ($was.failures ?? 0) + 1 };
                     LET $until = IF $locked { $was.locked_until } ELSE IF $failures >= $max { $lock_until } ELSE { NONE };
                     UPSERT ONLY $guard SET email = $email, failures = $failures, locked_until = $until, updated_at = $now;
                     COMMIT TRANSACTION;
                     RETURN $failures;",
                )
                .bind(("email", email.to_string()))
                .bind(("max", max))
                .bind(("lock_until", lock_until))
                .bind(("now", now))
                .await
                .and_then(transaction)?;
            let last = response.num_statements().saturating_sub(1);
            let failures: Option<i64> = response.take(last)?;
            failures.ok_or_else(|| surrealdb::Error::internal("the failed sign-in was not counted".into()))
        })
        .await
    }

    pub async fn clear_login_guard(&self, email: &str) -> DbResult<()> {
        self.db.query("DELETE login_guard WHERE email = $email").bind(("email", email.to_string())).await?.check()?;
        Ok(())
    }

    /// The e-mails among `emails` that are locked at `now`.
    pub async fn locked_emails(&self, emails: Vec<String>, now: DateTime<Utc>) -> DbResult<Vec<String>> {
        self.db
            .query("SELECT VALUE email FROM login_guard WHERE email IN $emails AND locked_until > $now")
            .bind(("emails", emails))
            .bind(("now", now))
            .await?
            .take(0)
    }

    // ----- single-use links -----

    pub async fn create_link_token(
        &self,
        token_hash: &str,
        purpose: &str,
        user: &UserId,
        issuer: Option<&IssuerId>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> DbResult<()> {
        self.db
            .query(
                "CREATE link_token CONTENT { token_hash: $hash, purpose: $purpose, user: $user, issuer: $issuer,
                 created_at: $now, expires_at: $expires }",
            )
            .bind(("hash", token_hash.to_string()))
            .bind(("purpose", purpose.to_string()))
            .bind(("user", user.record()))
            .bind(("issuer", issuer.map(|i| i.record())))
            .bind(("now", now))
            .bind(("expires", expires_at))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn link_token(&self, token_hash: &str) -> DbResult<Option<LinkTokenRow>> {
        self.db
            .query("SELECT id, purpose, user, issuer, expires_at, used_at FROM link_token WHERE token_hash = $hash LIMIT 1")
            .bind(("hash", token_hash.to_string()))
            .await?
            .take(0)
    }

    /// Marks a link used. Returns false if it had been used already (two tabs racing): it works once.
    pub async fn consume_link_token(&self, token: &LinkTokenId, now: DateTime<Utc>) -> DbResult<bool> {
        let updated: Vec<RecordId> = self
            .db
            .query("UPDATE $id SET used_at = $now WHERE used_at = NONE RETURN VALUE id")
            .bind(("id", token.clone()))
            .bind(("now", now))
            .await?
            .take(0)?;
        Ok(!updated.is_empty())
    }

    /// Voids every unused link of one purpose for a user (after a password change, say).
    /// How many links for `purpose` were made for `user` since `since`, used or not.
    pub async fn link_tokens_made_since(&self, user: &UserId, purpose: &str, since: DateTime<Utc>) -> DbResult<usize> {
        let n: Option<i64> = self
            .db
            .query("RETURN count(SELECT id FROM link_token WHERE user = $user AND purpose = $purpose AND created_at > $since)")
            .bind(("user", user.record()))
            .bind(("purpose", purpose.to_string()))
            .bind(("since", since))
            .await?
            .take(0)?;
        Ok(n.unwrap_or(0) as usize)
    }

    pub async fn void_link_tokens(&self, user: &UserId, purpose: &str, now: DateTime<Utc>) -> DbResult<()> {
        self.db
            .query("UPDATE link_token SET used_at = $now WHERE user = $user AND purpose = $purpose AND used_at = NONE")
            .bind(("user", user.record()))
            .bind(("purpose", purpose.to_string()))
            .bind(("now", now))
            .await?
            .check()?;
        Ok(())
    }
}
