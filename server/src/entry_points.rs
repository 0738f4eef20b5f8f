//! The test that every route of the binary authorises its caller or is public on purpose. Server functions
//! have their own check in `app::api`; this covers the plain HTTP handlers and the REST API.

/// Routes anyone may call, and why.
const PUBLIC: [(&str, &str); 18] = [
    ("healthz", "load balancers and monitoring"),
    ("logo", "issuer logos appear on clients' public verified pages"),
    ("pki_file", "relying parties fetch CA certificates and CRLs (BR 7.1.2)"),
    ("ocsp_post", "relying parties ask the OCSP responder (RFC 6960)"),
    ("ocsp_get", "relying parties ask the OCSP responder over GET (BR 4.9.10)"),
    ("seal_frame", "the seal shown on clients' sites"),
    ("seal_seen", "the seal's copy report from clients' sites"),
    ("seal_script", "the seal script on clients' sites"),
    ("verification", "secure coded links opened by visitors"),
    ("verified", "verified pages opened by visitors"),
    ("unsubscribe_page", "the unsubscribe link of a newsletter; the signed token is the authority"),
    ("unsubscribe", "one-click unsubscribe from mail programs (RFC 8058): the signed token is the authority"),
    ("openapi", "the REST API's documentation"),
    ("directory", "ACME clients start from the directory (RFC 8555 7.1.1)"),
    ("new_nonce", "ACME clients fetch a nonce before their first request (RFC 8555 7.2)"),
    ("renewal_info", "ACME renewal information is a plain GET (RFC 9773 4.2)"),
    ("not_get", "a GET of an ACME resource is answered with a problem document and nothing else"),
    ("post", "every ACME POST is a JWS that the ACME service verifies with the account's or certificate's key"),
];

/// Every handler named in a `get(..)`, `post(..)` or `put(..)` of the binary's routers, with its file.
fn routed_handlers(sources: &[(String, String)]) -> Vec<String> {
    let mut names = Vec::new();
    for (_, source) in sources {
        for (at, _) in source.match_indices(".route(") {
            let line = source[at..].lines().next().unwrap_or("");
            for verb in ["get(", "post(", "put("] {
                for (i, _) in line.match_indices(verb) {
                    let name = line[i + verb.len()..].split(')').next().unwrap_or("");
                    names.push(name.rsplit("::").next().unwrap_or(name).trim().to_string());
                }
            }
        }
    }
    names
}

/// The signature and body of `async fn name(`, up to the closing brace at the start of a line.
fn handler_text<'a>(sources: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let start = format!("async fn {name}(");
    sources.iter().find_map(|(_, source)| {
        let at = source.find(&start)?;
        let rest = &source[at..];
        Some(&rest[..rest.find("\n}\n").unwrap_or(rest.len())])
    })
}

#[test]
fn every_route_authorises_its_caller_or_is_public_on_purpose() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    let handlers = routed_handlers(&sources);
    assert!(handlers.len() >= 20, "found only {} routed handlers: {handlers:?}", handlers.len());
    for name in &handlers {
        let text = handler_text(&sources, name).unwrap_or_else(|| panic!("handler {name} not found"));
        // Session handlers call `require_from_headers`; REST handlers take the API key's `Caller`.
        let authorises = text.contains("require_from_headers(") || text.contains(": Caller");
        let public = PUBLIC.iter().any(|(p, _)| p == name);
        assert!(
            authorises != public,
            "{name}: a route either authorises (require_from_headers or a Caller argument) or is listed as public, \
             not both and not neither"
        );
    }
}
