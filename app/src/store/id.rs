//! Typed record ids: what leaves the store names its table in its type, so a client's id cannot be passed
//! where an order's is wanted, and no caller handles SurrealDB's `RecordId`.

use std::fmt;
use std::marker::PhantomData;
use surrealdb::types::{Kind, RecordId, RecordIdKey, SurrealValue, Value};

/// A table of the schema, named as in the migrations.
pub trait Table {
    const NAME: &'static str;
}

/// The id of one record of table `T`. Outside the store it is only its key (the text after `table:`), which
/// is what URLs, forms and the REST API carry.
pub struct Id<T: Table> {
    key: String,
    table: PhantomData<fn() -> T>,
}

impl<T: Table> Id<T> {
    /// The id of the record of `T` with this key. The key is bound as a value, never parsed.
    pub fn new(key: impl Into<String>) -> Self {
        Id { key: key.into(), table: PhantomData }
    }

    /// A fresh random id, for records whose id is needed before they are written (see `new_key`).
    pub fn fresh() -> Self {
        Id::new(super::new_key())
    }

    /// The key, as URLs and the REST API carry it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether this is the record with that key.
    pub fn is(&self, key: &str) -> bool {
        self.key == key
    }

    pub(crate) fn record(&self) -> RecordId {
        RecordId::new(T::NAME, self.key.clone())
    }
}

impl<T: Table> Clone for Id<T> {
    fn clone(&self) -> Self {
        Id::new(self.key.clone())
    }
}

impl<T: Table> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<T: Table> Eq for Id<T> {}

impl<T: Table> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Table> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl<T: Table> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

impl<T: Table> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", T::NAME, self.key)
    }
}

impl<T: Table> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

/// In JSON (ACME and REST answers) an id is its key, as URLs carry it.
impl<T: Table> serde::Serialize for Id<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.key)
    }
}

impl<T: Table> SurrealValue for Id<T> {
    fn kind_of() -> Kind {
        Kind::Record(vec![T::NAME.into()])
    }

    fn is_value(value: &Value) -> bool {
        matches!(value, Value::RecordId(r) if r.table.as_str() == T::NAME)
    }

    fn into_value(self) -> Value {
        Value::RecordId(self.record())
    }

    /// A record of another table is an error, not an id of this one.
    fn from_value(value: Value) -> Result<Self, surrealdb::types::Error> {
        let record = RecordId::from_value(value)?;
        if record.table.as_str() != T::NAME {
            return Err(surrealdb::types::Error::internal(format!(
                "expected a record of `{}`, found one of `{}`",
                T::NAME,
                record.table.as_str()
            )));
        }
        match record.key {
            RecordIdKey::String(key) => Ok(Id::new(key)),
            RecordIdKey::Number(n) => Ok(Id::new(n.to_string())),
            other => Err(surrealdb::types::Error::internal(format!("unexpected key {other:?} in `{}`", T::NAME))),
        }
    }
}

macro_rules! tables {
    ($($table:ident = $name:literal, $alias:ident;)*) => {
        /// The tables, as types that hold nothing.
        pub mod tables {
            $(
                #[doc = concat!("The `", $name, "` table.")]
                pub enum $table {}
                impl super::Table for $table {
                    const NAME: &'static str = $name;
                }
            )*
        }
        $(
            #[doc = concat!("The id of a `", $name, "` record.")]
            pub type $alias = Id<tables::$table>;
        )*
    };
}

tables! {
    AcmeAccount = "acme_account", AcmeAccountId;
    AcmeBinding = "acme_binding", AcmeBindingId;
    ApiKey = "api_key", ApiKeyId;
    Ca = "ca", CaId;
    CertGroup = "cert_group", CertGroupId;
    CertType = "cert_type", CertTypeId;
    Certificate = "certificate", CertificateId;
    Client = "client", ClientId;
    ClientFile = "client_file", ClientFileId;
    CopyAttempt = "copy_attempt", CopyAttemptId;
    CsrInvitation = "csr_invitation", CsrInvitationId;
    Dcv = "dcv", DcvId;
    Domain = "domain", DomainId;
    Issuer = "issuer", IssuerId;
    LinkToken = "link_token", LinkTokenId;
    Mail = "mail", MailId;
    Newsletter = "newsletter", NewsletterId;
    Order = "cert_order", OrderId;
    Product = "product", ProductId;
    Seal = "seal", SealId;
    Session = "session", SessionId;
    Tracked = "tracked_cert", TrackedId;
    User = "user", UserId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_goes_to_the_database_as_a_record_of_its_table_and_comes_back_whole() {
        let id = ClientId::new("abc");
        let value = id.clone().into_value();
        assert_eq!(value, Value::RecordId(RecordId::new("client", "abc".to_string())));
        assert_eq!(ClientId::from_value(value).unwrap(), id);
    }

    #[test]
    fn a_record_of_another_table_is_not_read_as_an_id_of_this_one() {
        let order = Value::RecordId(RecordId::new("cert_order", "abc".to_string()));
        let err = ClientId::from_value(order).unwrap_err();
        assert!(err.to_string().contains("expected a record of `client`"), "{err}");
    }
}
