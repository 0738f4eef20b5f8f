//! Invitation links for a CSR: single-use, expiring links that let someone without an account hand in the CSR
//! of an order. Only the SHA-256 of a link's token is stored.

use super::orders::{bind_issuance, ISSUE_STATEMENTS};
use super::{CsrInvitationId, DbResult, Issuance, IssuerId, NewAudit, NewMail, OrderId, Store, UserId};
use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CsrInvitationRow {
    pub id: CsrInvitationId,
    pub cert_order: OrderId,
    pub issuer: IssuerId,
    pub email: String,
    pub name: String,
    pub created_by_email: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub(super) const INVITATION_FIELDS: &str =
    "id, cert_order, issuer, email, name, created_by_email, created_by_name, created_at, expires_at, used_at";

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct NewCsrInvitation {
    pub cert_order: OrderId,
    pub issuer: IssuerId,
    pub token_hash: String,
    pub email: String,
    pub name: String,
    pub created_by: Option<UserId>,
    pub created_by_email: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The CSR being attached to a draft order, with what the order's history says about it.
#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub struct CsrAttachment {
    pub csr_pem: String,
    pub csr_report: Option<String>,
    pub key_fingerprint: String,
    /// The status the order moves to ("pending_approval" or "awaiting_validation").
    pub status: String,
    pub actor: String,
    pub detail: String,
    pub now: DateTime<Utc>,
}

/// What became of an attempt to attach a CSR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached {
    Yes,
    /// The order no longer waited for its CSR (given another way, cancelled, …).
    NotDraft,
    /// The invitation link was used (or expired) in the meantime.
    InvitationGone,
}

impl Store {
    /// Stores a new invitation together with its history line, its audit entry and its e-mail.
    pub async fn create_csr_invitation(
        &self,
        invitation: NewCsrInvitation,
        event: (&str, &str),
        audit: NewAudit,
        mail: NewMail,
    ) -> DbResult<()> {
        self.db
            .query(
                "BEGIN;
                 CREATE csr_invitation CONTENT $inv;
                 CREATE order_event CONTENT { cert_order: $inv.cert_order, at: $inv.created_at, actor: $actor,
                    kind: 'csr.invite', detail: $detail };
                 CREATE audit CONTENT $audit;
                 CREATE mail CONTENT $mail;
                 COMMIT;",
            )
            .bind(("inv", invitation))
            .bind(("actor", event.0.to_string()))
            .bind(("detail", event.1.to_string()))
            .bind(("audit", audit))
            .bind(("mail", mail))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn csr_invitation_by_token(&self, hash: &str) -> DbResult<Option<CsrInvitationRow>> {
        let rows: Vec<CsrInvitationRow> = self
            .db
            .query(format!("SELECT {INVITATION_FIELDS} FROM csr_invitation WHERE token_hash = $hash LIMIT 1"))
            .bind(("hash", hash.to_string()))
            .await?
            .take(0)?;
        Ok(rows.into_iter().next())
    }

    #[cfg(test)]
    pub async fn csr_invitation_hashes_for_tests(&self) -> Vec<String> {
        self.db.query("SELECT VALUE token_hash FROM csr_invitation").await.unwrap().take(0).unwrap()
    }

    /// The invitations of an order, newest first.
    pub async fn csr_invitations_of_order(&self, order: &OrderId) -> DbResult<Vec<CsrInvitationRow>> {
        // Sorted here, not with `ORDER BY created_at DESC`: that scans the index backwards, which SurrealKV does
        // slowly, and every order's status page and REST answer asks (usually to find nothing).
        let mut rows: Vec<CsrInvitationRow> = self
            .db
            .query(format!("SELECT {INVITATION_FIELDS} FROM csr_invitation WHERE cert_order = $o"))
            .bind(("o", order.clone()))
            .await?
            .take(0)?;
        rows.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(rows)
    }

    /// Attaches an accepted CSR to a draft order and moves the order on, in one transaction with its history
    /// line. With an invitation, the link is used up in the same transaction: of two concurrent submissions
    /// through one link, or a submission through the link and one on the order page, only one succeeds. With
    /// an `issuance` (the order was ready to issue with this CSR, see the orders' lifecycle), the certificate
    /// is stored and the order issued in the same transaction.
    pub async fn attach_csr(
        &self,
        order: &OrderId,
        csr: CsrAttachment,
        invitation: Option<&CsrInvitationId>,
        issuance: Option<Issuance>,
    ) -> DbResult<Attached> {
        let issue = if issuance.is_some() { ISSUE_STATEMENTS } else { "" };
        let mut query = self
            .db
            .query(format!(
                "BEGIN;
                 IF $inv != NONE {{
                    LET $claimed = UPDATE $inv SET used_at = $csr.now
                        WHERE used_at = NONE AND expires_at > $csr.now RETURN VALUE id;
                    IF array::len($claimed) = 0 {{ THROW 'signet:invitation-gone' }};
                 }};
                 LET $moved = UPDATE $o SET csr_pem = $csr.csr_pem, csr_report = $csr.csr_report,
                    key_fingerprint = $csr.key_fingerprint, status = $csr.status, updated_at = $csr.now
                    WHERE status = 'draft' RETURN VALUE id;
                 IF array::len($moved) = 0 {{ THROW 'signet:not-draft' }};
                 CREATE order_event CONTENT {{ cert_order: $o, at: $csr.now, actor: $csr.actor, kind: 'csr',
                    detail: $csr.detail }};
                 {issue}
                 COMMIT;"
            ))
            .bind(("o", order.clone()))
            .bind(("inv", invitation.cloned()))
            .bind(("csr", csr));
        if let Some(issuance) = issuance {
            query = bind_issuance(query, issuance);
        }
        let result = query.await?.check();
        match result {
            Ok(_) => Ok(Attached::Yes),
            Err(e) if e.to_string().contains("signet:invitation-gone") => Ok(Attached::InvitationGone),
            Err(e) if e.to_string().contains("signet:not-draft") => Ok(Attached::NotDraft),
            // A write conflict with a concurrent submission: if that one won, say so rather than fail.
            Err(e) => {
                let mut now = self
                    .db
                    .query("RETURN $o.status; RETURN $inv.used_at;")
                    .bind(("o", order.clone()))
                    .bind(("inv", invitation.cloned()))
                    .await?;
                let status: Option<String> = now.take(0).unwrap_or_default();
                let used_at: Option<DateTime<Utc>> = now.take(1).unwrap_or_default();
                if invitation.is_some() && used_at.is_some() {
                    Ok(Attached::InvitationGone)
                } else if status.as_deref() != Some("draft") {
                    Ok(Attached::NotDraft)
                } else {
                    Err(e)
                }
            }
        }
    }
}
