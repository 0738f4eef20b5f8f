//! The two instance keys: the master key (seals CA private keys) and the seal-link key (signs secure coded
//! links). Every instance on one database must hold the same two, or CA keys sealed by one cannot be opened
//! by another, or after a restart.

use crate::config::Config;
use std::path::Path;

pub struct InstanceKeys {
    pub master: [u8; 32],
    pub seal_link: [u8; 32],
}

/// Where each key comes from, in order: the setting itself, a file the settings name, the data folder (the
/// embedded database only, created on first start), a fresh random key (a throw-away `mem://` database only).
/// A remote database without both keys given is refused: a random key there would lose every CA key written
/// with it at the next restart, and another node would never open them.
pub fn resolve(config: &Config, endpoint: &str) -> Result<InstanceKeys, String> {
    let master = given(config.master_key.as_deref(), config.master_key_file.as_deref(), "SIGNET_MASTER_KEY")?;
    let seal_link =
        given(config.seal_link_key.as_deref(), config.seal_link_key_file.as_deref(), "SIGNET_SEAL_LINK_KEY")?;
    let place = if endpoint.starts_with("surrealkv://") {
        KeyPlace::DataFolder
    } else if endpoint.starts_with("mem://") {
        KeyPlace::ThrowAway
    } else {
        KeyPlace::Remote
    };
    if place == KeyPlace::Remote && (master.is_none() || seal_link.is_none()) {
        let missing: Vec<&str> =
            [("SIGNET_MASTER_KEY", master.is_none()), ("SIGNET_SEAL_LINK_KEY", seal_link.is_none())]
                .into_iter()
                .filter_map(|(name, missing)| missing.then_some(name))
                .collect();
        return Err(format!(
            "with a remote database ({endpoint}) every Signet instance must use the same keys, given to each: set {} \
             (32 bytes as 64 hex digits or base64, e.g. `openssl rand -hex 32`), or the _FILE variant naming a file \
             that holds it. An instance that used the embedded database before keeps its keys in DATA_DIR/master.key \
             and DATA_DIR/seal-link.key: point SIGNET_MASTER_KEY_FILE and SIGNET_SEAL_LINK_KEY_FILE at copies of them.",
            missing.join(" and ")
        ));
    }
    let fallback = |name: &str| match place {
        KeyPlace::DataFolder => load_or_create(&config.data_dir, name),
        _ => Ok(app::services::secrets::random_key()),
    };
    Ok(InstanceKeys {
        master: match master {
            Some(key) => key,
            None => fallback("master.key")?,
        },
        seal_link: match seal_link {
            Some(key) => key,
            None => fallback("seal-link.key")?,
        },
    })
}

#[derive(PartialEq)]
enum KeyPlace {
    DataFolder,
    ThrowAway,
    Remote,
}

/// The key from its setting or from the file a setting names; `None` when neither is set.
fn given(text: Option<&str>, file: Option<&Path>, setting: &str) -> Result<Option<[u8; 32]>, String> {
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        return parse_text(text)
            .map(Some)
            .ok_or_else(|| format!("{setting} must be 32 bytes, as 64 hex digits or base64 (openssl rand -hex 32)"));
    }
    let Some(path) = file.filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {setting}_FILE {}: {e}", path.display()))?;
    parse(&bytes).map(Some).ok_or_else(|| {
        format!("{} ({setting}_FILE) must hold 32 bytes: raw, or as 64 hex digits or base64", path.display())
    })
}

/// A key file: 32 raw bytes (as `master.key` in the data folder), or the key as text.
fn parse(bytes: &[u8]) -> Option<[u8; 32]> {
    <[u8; 32]>::try_from(bytes).ok().or_else(|| parse_text(std::str::from_utf8(bytes).ok()?))
}

/// 32 bytes as 64 hex digits or base64, surrounding white space ignored.
fn parse_text(text: &str) -> Option<[u8; 32]> {
    use base64::Engine;
    let text = text.trim();
    let decoded = hex::decode(text).ok().or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())?;
    <[u8; 32]>::try_from(decoded.as_slice()).ok()
}

/// A 32-byte key kept in the data folder (mode 0600), created on first start.
fn load_or_create(data_dir: &Path, name: &str) -> Result<[u8; 32], String> {
    let path = data_dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| format!("{} is damaged (it must hold 32 bytes); delete it to make a new one", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::create_dir_all(data_dir)
                .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
            let key = app::services::secrets::random_key();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            file.write_all(&key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, parse_text};

    #[test]
    fn a_key_is_read_as_raw_bytes_hex_or_base64() {
        let key = [7u8; 32];
        assert_eq!(parse(&key), Some(key));
        assert_eq!(parse(format!("{}\n", hex::encode(key)).as_bytes()), Some(key));
        use base64::Engine;
        assert_eq!(parse(base64::engine::general_purpose::STANDARD.encode(key).as_bytes()), Some(key));
        assert_eq!(parse(b"too short"), None);
        // A 32-character setting is not taken for raw bytes: only files hold raw keys.
        assert_eq!(parse_text("0123456789abcdef0123456789abcdef"), None);
    }
}
