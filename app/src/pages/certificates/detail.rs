//! One certificate: what it says, where relying parties check it, its chain and history, the downloads, and
//! revocation with a confirmation that names it.

use super::state_badge;
use crate::api::certificates::*;
use crate::components::{described_by, field_error, last_error, when, CertificateDownloads, FieldFrame, FormError};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CertificatePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let revoke = ServerAction::<RevokeCertificate>::new();
    let keep = ServerAction::<CancelScheduledRevocation>::new();
    let data =
        Resource::new(move || (id(), revoke.version().get(), keep.version().get()), |(id, _, _)| get_certificate(id));
    view! {
        <Title text="Certificate"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <div class="notice bad" role="alert">{e.to_string()}</div> }.into_any(),
                    Ok(c) => view! { <Details c revoke keep/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Details(
    c: CertificateDetail,
    revoke: ServerAction<RevokeCertificate>,
    keep: ServerAction<CancelScheduledRevocation>,
) -> impl IntoView {
    let s = c.summary.clone();
    let days = if c.days_left >= 0 {
        format!("{} days left", c.days_left)
    } else {
        format!("expired {} days ago", -c.days_left)
    };
    view! {
        <h1>{s.common_name.clone()}" "{state_badge(s.state)}</h1>
        {s.revocation_scheduled.map(|at| view! { <ScheduledRevocation id=s.id.clone() at can_keep=c.can_revoke keep/> })}
        {s.revocation.clone().map(|r| view! {
            <div class="notice bad" role="status">
                {format!("Revoked on {} by {}: {}.", when(&r.revoked_at), r.revoked_by, r.reason.label())}
                {(!r.comment.is_empty()).then(|| format!(" “{}”", r.comment))}
            </div>
        })}
        <section class="panel">
            <h2>"Certificate"</h2>
            <dl class="facts">
                <dt>"Subject"</dt><dd>{c.facts.subject.clone()}</dd>
                <dt>"Names"</dt><dd>{s.names.join(", ")}</dd>
                <dt>"Serial"</dt><dd class="mono">{s.serial.clone()}</dd>
                <dt>"Valid"</dt><dd>{format!("{} to {} ({days})", when(&s.not_before), when(&s.not_after))}</dd>
                <dt>"Key type"</dt><dd>{c.facts.key_type.clone()}</dd>
                <dt>"SHA-256"</dt><dd class="mono small">{c.facts.sha256.clone()}</dd>
                <dt>"SHA-1"</dt><dd class="mono small">{c.facts.sha1.clone()}</dd>
                <dt>"Issuer"</dt><dd>{c.facts.issuer.clone()}</dd>
                <dt>"Key usage"</dt><dd>{c.facts.key_usage.join(", ")}</dd>
                <dt>"Extended key usage"</dt><dd>{c.facts.extended_key_usage.join(", ")}</dd>
                <dt>"OCSP"</dt><dd class="mono small">{c.facts.ocsp_urls.join(" ")}</dd>
                <dt>"CA certificate"</dt><dd class="mono small">{c.facts.ca_issuers_urls.join(" ")}</dd>
                <dt>"CRL"</dt><dd class="mono small">{c.facts.crl_urls.join(" ")}</dd>
                {if s.source == CertSource::Watched {
                    view! { <dt>"Source"</dt><dd>{format!("Watched (handed in by {})", c.history.first().map(|e| e.actor.clone()).unwrap_or_default())}</dd> }.into_any()
                } else {
                    view! { <dt>"Order"</dt><dd><a href=format!("/orders/{}", s.order_id)>{s.order_number.clone()}</a>{format!(" · {} · {}", s.product_name, s.client_name)}</dd> }.into_any()
                }}
            </dl>
            {(s.source == CertSource::Issued).then(|| view! { <CertificateDownloads id=s.id.clone()/> })}
            <details><summary>"Certificate in PEM"</summary><pre class="mono">{c.pem.clone()}</pre></details>
        </section>
        {c.renewal.clone().map(|info| view! { <super::renewal::RenewalPanel id=s.id.clone() info/> })}
        {(s.revocation.is_none()).then(|| view! {
            <super::renewal::RemindersPanel id=s.id.clone() auto_renew=c.renewal.as_ref().filter(|r| r.state != RenewalState::ByAcme).map(|r| r.auto_renew)
                do_not_renew=c.do_not_renew notices=c.notices.clone()/>
        })}
        {c.renewal.as_ref().filter(|r| c.can_revoke && r.state != RenewalState::ByAcme).map(|_| view! {
            <super::reissue::ReissuePanel id=s.id.clone() names=s.names.clone()/>
        })}
        {c.check.clone().filter(|_| s.revocation.is_none()).map(|panel| view! { <super::check::CheckPanel id=s.id.clone() panel/> })}
        {(c.versions.len() > 1).then(|| view! { <super::renewal::VersionsPanel versions=c.versions.clone()/> })}
        {c.can_revoke.then(|| view! { <RevokePanel c=c.clone() revoke/> })}
        <section class="panel">
            <h2>"Chain"</h2>
            <ol class="chain">{c.chain.iter().map(|e| view! {
                <li>{e.subject.clone()}<span class="small">{format!(" · valid until {}", when(&e.not_after))}</span>
                    {(!e.slug.is_empty()).then(|| view! { " · "<a href=format!("/pki/{}.crt", e.slug)>{format!("{}.crt", e.slug)}</a> })}</li>
            }).collect_view()}</ol>
        </section>
        <section class="panel">
            <h2>"History"</h2>
            <ul class="history">{c.history.iter().map(|e| view! {
                <li><span class="small">{when(&e.at)}</span>" "<strong>{e.kind.clone()}</strong>" "{e.detail.clone()}<span class="small">{format!(" — {}", e.actor)}</span></li>
            }).collect_view()}</ul>
        </section>
    }
}

/// The revocation a reissue scheduled, and **Keep this certificate**, which cancels it.
#[component]
fn ScheduledRevocation(
    id: String,
    at: chrono::DateTime<chrono::Utc>,
    can_keep: bool,
    keep: ServerAction<CancelScheduledRevocation>,
) -> impl IntoView {
    let error = last_error(keep.value());
    view! {
        <div class="notice warn" role="status">
            {format!("This certificate will be revoked on {} (it was reissued).", when(&at))}
            {can_keep.then(|| view! {
                " "<button type="button" class="secondary" disabled=move || keep.pending().get()
                    on:click=move |_| { keep.dispatch(CancelScheduledRevocation { id: id.clone() }); }>
                    "Keep this certificate"</button>
            })}
        </div>
        <FormError error/>
    }
}

/// "Revoke": the reasons this person may give, an optional comment, and a confirmation naming the certificate.
#[component]
fn RevokePanel(c: CertificateDetail, revoke: ServerAction<RevokeCertificate>) -> impl IntoView {
    let open = RwSignal::new(false);
    let error = last_error(revoke.value());
    let s = c.summary.clone();
    let reasons = c.reasons.clone();
    let reason_hint = reasons.iter().map(|r| format!("{}: {}", r.label(), r.hint())).collect::<Vec<_>>().join(" ");
    view! {
        <section class="panel">
            <h2>"Revocation"</h2>
            <FormError error/>
            {move || (!open.get()).then(|| view! {
                <p><button type="button" class="danger" on:click=move |_| open.set(true)>"Revoke"</button></p>
            })}
            <div hidden=move || !open.get()>
                <ActionForm action=revoke>
                    <p class="notice warn">{format!("You are revoking the certificate for {} (serial {}). Revocation is final: browsers and other clients that check revocation refuse it within minutes.", s.names.join(", "), s.serial)}</p>
                    <input type="hidden" name="id" value=s.id.clone()/>
                    <FieldFrame id="f-reason" label="Reason" hint=reason_hint error=field_error(error, "reason")>
                        <select id="f-reason" name="input[reason]" aria-describedby=described_by("f-reason", true)>
                            {reasons.iter().map(|r| view! { <option value=r.as_str() title=r.hint()>{r.label()}</option> }).collect_view()}
                        </select>
                    </FieldFrame>
                    <FieldFrame id="f-comment" label="Comment (optional)" error=field_error(error, "comment")>
                        <textarea id="f-comment" name="input[comment]" rows="2" maxlength="500"
                            aria-describedby=described_by("f-comment", false)></textarea>
                    </FieldFrame>
                    <div class="actions">
                        <button type="submit" class="danger">"Revoke this certificate"</button>
                        <button type="button" class="secondary" on:click=move |_| open.set(false)>"Keep it"</button>
                    </div>
                </ActionForm>
            </div>
        </section>
    }
}
