//! Server functions: authorise, call a service, return a model type; nothing else.
//!
//! Every server function starts with exactly one of the helpers of `guard`: `require(Need::…)` for signed-in
//! work, where role and issuer come from the session and never from the request, or `public()` for the few
//! pages used before signing in. A test (below) fails if a server function calls neither.

pub mod account;
pub mod acme;
pub mod activity;
pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod ca;
pub mod catalog;
pub mod certificates;
pub mod clients;
pub mod customers;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod issuer;
pub mod newsletters;
pub mod orders;
pub mod products;
pub mod seals;
pub mod templates;
pub mod tools;

/// All server functions live under this prefix, clear of the public URL contract (`/api/v1`, `/acme`, …).
pub const PREFIX: &str = "/_sf";

#[cfg(test)]
mod tests {
    /// Scans the source of this module: every `#[server]` function must call an authorisation helper before
    /// anything else. Cheap, and it catches the one mistake that matters most.
    #[test]
    fn every_server_function_starts_with_an_authorisation_helper() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            let mut rest = source.as_str();
            while let Some(at) = rest.find("\n#[server(") {
                rest = &rest[at + 2..];
                let body_start = rest.find('{').expect("server function has a body");
                let signature = &rest[..body_start];
                let name = signature.split("fn ").nth(1).and_then(|s| s.split('(').next()).unwrap_or("?").trim();
                let body = rest[body_start + 1..].trim_start();
                let first = body.lines().next().unwrap_or("");
                assert!(
                    first.contains("require(Need::") || first.contains("public()"),
                    "{}: server function `{name}` must start with `require(Need::…)` or `public()`, found: {first}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 20, "expected to check the server functions, found only {checked}");
    }

    /// The database is reached through services only: server functions and the binary's handlers call a service,
    /// never `state.store()`, so that every rule a service applies (scope, audit, validation) applies to them too.
    #[test]
    fn only_services_reach_the_store() {
        let app = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // Spelled in two pieces so that this test does not find itself.
        let needle = [".store", "()"].concat();
        let mut offenders = Vec::new();
        let mut scanned = 0;
        let mut folders = vec![app.join("src"), app.join("../server/src")];
        while let Some(dir) = folders.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    let name = path.file_name().unwrap().to_string_lossy().to_string();
                    if !(dir.ends_with("app/src") && (name == "services" || name == "store")) {
                        folders.push(path);
                    }
                    continue;
                }
                // Only Rust sources (test fixtures such as keys sit beside them).
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                scanned += 1;
                for (n, line) in source.lines().enumerate() {
                    if line.contains(&needle) && !line.trim_start().starts_with("//") {
                        offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(scanned > 20, "scanned only {scanned} files");
        assert!(offenders.is_empty(), "call a service instead:\n{}", offenders.join("\n"));
    }
}
