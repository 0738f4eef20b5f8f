//! The names of an order as the server reads them: normalised and checked against the product
//! (`parse_names`), guessed before the product is known (`likely_names`), and turned into the lookups of
//! earlier validations to reuse. Tokenizing and validation targets are `model::names`, shared with the wizard.

use super::super::clients;
use crate::error::{AppError, AppResult};
use crate::model::validate;
use crate::model::*;
use crate::pki::profile::dns_name_problem;
use crate::store::ReuseQuery;

/// Splits, normalises and checks the order's names against the product.
pub fn parse_names(input: &str, product: &Product) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for raw in name_tokens(input) {
        let name = if product.profile.is_server() {
            let (wild, body) = match raw.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, raw),
            };
            if wild && !product.wildcard {
                return Err(AppError::field("names", format!("{raw}: this product does not allow wildcard names.")));
            }
            let host = clients::normalize_host(body).map_err(|e| AppError::field("names", format!("{raw}: {e}")))?;
            let name = if wild { format!("*.{host}") } else { host };
            if let Some(problem) = dns_name_problem(&name) {
                return Err(AppError::field("names", format!("{raw}: {problem}.")));
            }
            name
        } else {
            let address = validate::normalize_email(raw);
            if validate::email(&address).is_some() {
                return Err(AppError::field("names", format!("{raw} is not an e-mail address.")));
            }
            address
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(AppError::field(
            "names",
            if product.profile.is_server() { "Give at least one domain name." } else { "Give the e-mail address." },
        ));
    }
    if names.len() > product.max_names as usize {
        return Err(AppError::field(
            "names",
            format!("This product covers at most {} name(s); the order has {}.", product.max_names, names.len()),
        ));
    }
    Ok(names)
}

/// The names as `parse_names` will most likely return them, before the product is known: mailboxes where
/// there is an `@`, host names otherwise; what does not parse is left out (the real parse reports it).
pub(super) fn likely_names(input: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for raw in name_tokens(input) {
        let name = if raw.contains('@') {
            validate::normalize_email(raw)
        } else {
            let (wild, body) = raw.strip_prefix("*.").map_or((false, raw), |rest| (true, rest));
            match clients::normalize_host(body) {
                Ok(host) if wild => format!("*.{host}"),
                Ok(host) => host,
                Err(_) => continue,
            }
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// What to look up for reusing earlier validations of `names`: each validation target, and whether a
/// wildcard needs it (an HTTP-file validation does not count for one).
pub(super) fn reuse_queries(names: &[String]) -> Vec<ReuseQuery> {
    validation_targets(names)
        .into_iter()
        .map(|target| ReuseQuery { wildcard: wildcard_at(names, &target), name: target })
        .collect()
}
