//! Templates of what an issuer sends its clients. The operator edits them (the default for every issuer, or one
//! issuer's own); issuers read the ones they use, with a preview on sample data. Every save is a new version,
//! and a template that does not render on the sample data is refused with its line, so sending never breaks.
//!
//! The engine is minijinja, sandboxed: no loader (nothing to include or import), strict undefined variables,
//! HTML auto-escaping in the HTML part, and a fuel limit so that a loop cannot run for ever.

pub mod catalogue;

use super::{audit, Actor, AppState};
use crate::error::{AppError, AppResult};
use crate::model::{Client, Issuer, Rendered, TemplateKind, TemplateOwner, TemplateSource, TemplateView};
use crate::store::{IssuerId, TemplateRow};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::LazyLock;

/// The `issuer.*` variables every kind has (see `catalogue::COMMON`).
#[derive(Serialize)]
pub struct IssuerVars<'a> {
    name: &'a str,
    website: &'a str,
    contact_email: &'a str,
    contact_phone: &'a str,
    address: &'a str,
    city: &'a str,
    country: &'a str,
}

impl<'a> IssuerVars<'a> {
    pub fn of(i: &'a Issuer) -> Self {
        IssuerVars {
            name: &i.name,
            website: &i.website,
            contact_email: &i.contact_email,
            contact_phone: &i.contact_phone,
            address: &i.address,
            city: &i.city,
            country: &i.country,
        }
    }
}

/// The `client.*` variables every kind has.
#[derive(Serialize)]
pub struct ClientVars<'a> {
    name: &'a str,
    contact_person: &'a str,
    email: &'a str,
    city: &'a str,
    country: &'a str,
    industry: &'a str,
}

impl<'a> ClientVars<'a> {
    pub fn of(c: &'a Client) -> Self {
        ClientVars {
            name: &c.name,
            contact_person: &c.contact_person,
            email: &c.email,
            city: &c.city,
            country: &c.country,
            industry: &c.industry,
        }
    }
}

/// Instructions one render may take: plenty for a page of text, few enough to stop a loop that never ends.
const FUEL: u64 = 100_000;
/// The longest part of a template that can be saved.
const MAX_PART_BYTES: usize = 64 * 1024;

static ENGINE: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Names are ours ("body.html", "body.txt", "subject.txt"): only the HTML part is escaped.
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.set_fuel(Some(FUEL));
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env
});

/// Why a template does not render: which part, on which line, and what the engine said.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub part: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

impl Fault {
    fn describe(&self) -> String {
        match self.line {
            Some(line) => format!("Line {line}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl From<Fault> for AppError {
    fn from(f: Fault) -> Self {
        AppError::field(f.part, f.describe())
    }
}

fn fault(part: &'static str, e: minijinja::Error) -> Fault {
    Fault {
        part,
        line: e.line(),
        message: match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        },
    }
}

/// A template parsed once, to render for many recipients (a newsletter) without parsing it again each time.
pub struct Compiled<'s> {
    subject: minijinja::Template<'s, 's>,
    html: Option<minijinja::Template<'s, 's>>,
    text: minijinja::Template<'s, 's>,
}

impl<'s> Compiled<'s> {
    pub fn new(kind: TemplateKind, source: &'s TemplateSource) -> Result<Self, Fault> {
        let part = |part: &'static str, name: &'static str, text: &'s str| {
            ENGINE.template_from_named_str(name, text).map_err(|e| fault(part, e))
        };
        Ok(Compiled {
            subject: part("subject", "subject.txt", &source.subject)?,
            html: if kind.has_html() { Some(part("html", "body.html", &source.html)?) } else { None },
            text: part("text", "body.txt", &source.text)?,
        })
    }

    /// Renders every part with `context` (any serialisable value with the kind's variables).
    pub fn render(&self, context: &impl Serialize) -> Result<Rendered, Fault> {
        let context = minijinja::Value::from_serialize(context);
        let subject = self.subject.render(&context).map_err(|e| fault("subject", e))?;
        Ok(Rendered {
            // One line, whatever the template's line breaks.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            html: match &self.html {
                Some(html) => html.render(&context).map_err(|e| fault("html", e))?,
                None => String::new(),
            },
            text: self.text.render(&context).map_err(|e| fault("text", e))?,
        })
    }
}

/// Renders every part of `source` with `context` (any serialisable value with the kind's variables).
pub fn render(kind: TemplateKind, source: &TemplateSource, context: &impl Serialize) -> Result<Rendered, Fault> {
    Compiled::new(kind, source)?.render(context)
}

/// The checks on save: every part present and not too long, and the whole renders on the sample data (which
/// has every variable the kind lists, so a misspelt one is refused here rather than when sending).
pub fn check(kind: TemplateKind, source: &TemplateSource) -> Result<Rendered, Fault> {
    let parts: [(&'static str, &str, bool); 3] =
        [("subject", &source.subject, true), ("html", &source.html, kind.has_html()), ("text", &source.text, true)];
    for (part, text, needed) in parts {
        let fault = |message: String| Fault { part, line: None, message };
        if needed && text.trim().is_empty() {
            return Err(fault("This part cannot be empty.".into()));
        }
        if text.len() > MAX_PART_BYTES {
            return Err(fault(format!("This part is longer than {} KB.", MAX_PART_BYTES / 1024)));
        }
    }
    render(kind, source, &catalogue::sample(kind))
}

/// The version a template's owner uses: its own newest, else the default's newest, else the built-in one.
struct InUse {
    owner: TemplateOwner,
    version: i64,
    source: TemplateSource,
}

async fn in_use(state: &AppState, issuer: Option<&IssuerId>, kind: TemplateKind) -> AppResult<InUse> {
    let current = state.store().current_templates(issuer, kind).await?;
    let pick = |owner, row: &TemplateRow| InUse { owner, version: row.version, source: row.source() };
    Ok(match (&current.own, &current.shared) {
        (Some(own), _) => pick(TemplateOwner::Issuer, own),
        (None, Some(default)) => pick(TemplateOwner::Default, default),
        (None, None) => InUse { owner: TemplateOwner::BuiltIn, version: 0, source: catalogue::builtin(kind) },
    })
}

fn label(kind: TemplateKind, owner: TemplateOwner, version: i64) -> String {
    match owner {
        TemplateOwner::BuiltIn => format!("{}, built-in", kind.label()),
        _ => format!("{}, {} version {version}", kind.label(), owner.label()),
    }
}

/// A template as the editor shows it: what `issuer` (or, with None, every issuer without its own) uses, the
/// versions saved for that owner, the variables, and a preview on sample data.
pub async fn view(state: &AppState, issuer: Option<&IssuerId>, kind: TemplateKind) -> AppResult<TemplateView> {
    let used = in_use(state, issuer, kind).await?;
    let versions = state.store().template_versions(issuer, kind).await?;
    let preview = render(kind, &used.source, &catalogue::sample(kind)).unwrap_or_else(|f| Rendered {
        subject: String::new(),
        html: String::new(),
        text: format!("This version does not render: {}", f.describe()),
    });
    Ok(TemplateView {
        kind,
        owner: used.owner,
        version: used.version,
        source: used.source,
        variables: catalogue::variables(kind),
        versions: versions.into_iter().map(Into::into).collect(),
        preview,
    })
}

/// The editor's preview of an unsaved template, on sample data.
pub fn preview(kind: TemplateKind, source: &TemplateSource) -> AppResult<Rendered> {
    Ok(check(kind, source)?)
}

/// Saves a new version for `issuer` (or the default, with None), once it renders; the view after saving.
pub async fn save(
    state: &AppState,
    actor: &Actor,
    issuer: Option<&IssuerId>,
    kind: TemplateKind,
    source: TemplateSource,
) -> AppResult<TemplateView> {
    check(kind, &source)?;
    let version = state.store().save_template(issuer, kind, &source, &actor.email, state.now()).await?;
    let whose = match issuer {
        Some(issuer) => format!("for issuer {issuer}"),
        None => "default for all issuers".to_string(),
    };
    audit::record(state, actor, issuer, "template.save", kind.label(), format!("version {version}, {whose}")).await?;
    view(state, issuer, kind).await
}

/// One saved version's text, to look at or to save again as the newest.
pub async fn version(
    state: &AppState,
    issuer: Option<&IssuerId>,
    kind: TemplateKind,
    version: i64,
) -> AppResult<TemplateSource> {
    if version == 0 {
        return Ok(catalogue::builtin(kind));
    }
    let row = state.store().template_version(issuer, kind, version).await?.ok_or(AppError::NotFound)?;
    Ok(row.source())
}

/// The version `issuer` uses, and that version in words, to render for sending (see `sent_render`).
pub async fn in_use_for(
    state: &AppState,
    issuer: &IssuerId,
    kind: TemplateKind,
) -> AppResult<(TemplateSource, String)> {
    let used = in_use(state, Some(issuer), kind).await?;
    Ok((used.source, label(kind, used.owner, used.version)))
}

/// A render for sending. Templates were checked on save against sample data with every variable, so a fault
/// here is a bug in the context Signet built, not in the text: logged, and an internal error.
pub fn sent_render(kind: TemplateKind, compiled: &Compiled, context: &impl Serialize) -> AppResult<Rendered> {
    compiled.render(context).map_err(|f| {
        tracing::error!(kind = kind.as_str(), fault = %f.describe(), "template did not render");
        AppError::Internal
    })
}

/// Renders the version `issuer` uses with real data, for sending; the result and the version in words.
pub async fn render_for(
    state: &AppState,
    issuer: &IssuerId,
    kind: TemplateKind,
    context: &impl Serialize,
) -> AppResult<(Rendered, String)> {
    let (source, label) = in_use_for(state, issuer, kind).await?;
    let compiled = Compiled::new(kind, &source).map_err(|f| {
        tracing::error!(kind = kind.as_str(), fault = %f.describe(), "template did not compile");
        AppError::Internal
    })?;
    Ok((sent_render(kind, &compiled, context)?, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(subject: &str, html: &str, text: &str) -> TemplateSource {
        TemplateSource { subject: subject.into(), html: html.into(), text: text.into() }
    }

    #[test]
    fn every_built_in_template_renders_on_its_sample_data() {
        for kind in TemplateKind::ALL {
            let rendered = check(kind, &catalogue::builtin(kind)).unwrap_or_else(|f| panic!("{kind:?}: {f:?}"));
            assert!(!rendered.subject.is_empty() && !rendered.text.trim().is_empty(), "{kind:?}");
            assert!(rendered.text.contains("Connet d.o.o."), "{kind:?}: {}", rendered.text);
        }
    }

    #[test]
    fn html_is_escaped_in_the_html_part_only() {
        let s = source("{{ client.name }}", "<p>{{ client.name }}</p>", "{{ client.name }}");
        let rendered = check(TemplateKind::CertificateEmail, &s).unwrap();
        assert_eq!(rendered.html, "<p>Čokolada Đurđević &amp; Šime &lt;d.o.o.&gt;</p>");
        assert_eq!(rendered.text, "Čokolada Đurđević & Šime <d.o.o.>");
        assert_eq!(rendered.subject, "Čokolada Đurđević & Šime <d.o.o.>");
    }

    #[test]
    fn a_template_with_an_error_is_refused_with_its_part_and_line() {
        let s = source("Hello", "<p>ok</p>\n<p>{% if %}</p>", "ok");
        let fault = check(TemplateKind::CertificateEmail, &s).unwrap_err();
        assert_eq!((fault.part, fault.line), ("html", Some(2)), "{fault:?}");
        assert!(fault.message.contains("syntax error"), "{fault:?}");

        let s = source("Hello", "<p>ok</p>", "Dear {{ client.nmae }}");
        let fault = check(TemplateKind::CertificateEmail, &s).unwrap_err();
        assert_eq!((fault.part, fault.line), ("text", Some(1)), "{fault:?}");
        assert!(fault.message.contains("undefined"), "{fault:?}");
    }

    #[test]
    fn a_loop_that_never_ends_runs_out_of_fuel_and_nothing_reaches_outside() {
        let endless =
            source("x", "<p>x</p>", "{% for i in range(10000) %}{% for j in range(10000) %}.{% endfor %}{% endfor %}");
        let fault = check(TemplateKind::CertificateEmail, &endless).unwrap_err();
        assert!(fault.message.contains("fuel"), "{fault:?}");
        let include = source("x", "{% include '/etc/passwd' %}", "x");
        assert_eq!(check(TemplateKind::CertificateEmail, &include).unwrap_err().part, "html");
    }

    #[test]
    fn an_empty_part_is_refused_but_the_pdf_needs_no_html() {
        let fault = check(TemplateKind::CertificateEmail, &source("Hi", " ", "text")).unwrap_err();
        assert_eq!(fault.part, "html");
        assert!(check(TemplateKind::CertificatePdf, &source("Title", "", "# {{ client.name }}")).is_ok());
    }
}
