//! The certificate page's renewal panel (**Renew** with the same CSR, a new one, or none yet, inside the
//! product's window), its reminders (automatic renewal, "do not renew", the notices sent) and its versions: the
//! line of certificates each renewal continues.

use crate::api::certificates::*;
use crate::components::{described_by, field_error, last_error, succeeded, when, FieldFrame, FormError, Saved};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub(super) fn RenewalPanel(id: String, info: RenewalInfo) -> impl IntoView {
    let renew = ServerAction::<RenewCertificate>::new();
    let error = last_error(renew.value());
    Effect::new(move |_| {
        if let Some(Ok(order)) = renew.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/orders/{}", order.id), Default::default());
        }
    });
    let choice = RwSignal::new(if info.same_csr { RenewCsr::Same } else { RenewCsr::New });
    let open = info.state == RenewalState::Open;
    let renewed_by = info.renewed_by.clone();
    view! {
        <section class="panel">
            <h2>"Renewal"</h2>
            <p>{info.explanation()}
                {renewed_by.map(|(order, number)| view! { " "<a href=format!("/orders/{order}")>{format!("Open order {number}")}</a> })}</p>
            {open.then(|| view! {
                <FormError error/>
                <ActionForm action=renew>
                    <input type="hidden" name="id" value=id.clone()/>
                    <fieldset><legend>"CSR for the renewed certificate"</legend>
                        {info.same_csr.then(|| view! {
                            <label><input type="radio" name="input[csr_choice]" value="same" checked=true on:change=move |_| choice.set(RenewCsr::Same)/>" The same CSR (same key)"</label><br/>
                        })}
                        <label><input type="radio" name="input[csr_choice]" value="new" checked=!info.same_csr on:change=move |_| choice.set(RenewCsr::New)/>" A new CSR"</label><br/>
                        <label><input type="radio" name="input[csr_choice]" value="later" on:change=move |_| choice.set(RenewCsr::Later)/>" Later: make the key in the browser or send an invitation link from the new order"</label>
                        <span class="error" role="alert">{move || field_error(error, "csr_choice").get()}</span>
                    </fieldset>
                    <FieldFrame id="f-renew-csr" label="New CSR (PEM)" error=field_error(error, "csr")
                        hidden=move || choice.get() != RenewCsr::New>
                        <textarea id="f-renew-csr" name="input[csr]" rows="6" class="mono"
                            aria-describedby=described_by("f-renew-csr", false)></textarea>
                    </FieldFrame>
                    <p class="hint">"The new order keeps the product, names, contacts and validity; validations done within the reuse period are reused, so it is usually issued at once."</p>
                    <div class="actions"><button type="submit" disabled=move || renew.pending().get()>"Renew"</button></div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
pub(super) fn VersionsPanel(versions: Vec<CertificateVersion>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Versions"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"Serial"</th><th scope="col">"Valid from"</th><th scope="col">"Valid until"</th><th scope="col">"Order"</th></tr></thead>
                <tbody>{versions.into_iter().map(|v| view! {
                    <tr>
                        <td class="mono small">{if v.current {
                            view! { <strong>{v.serial.clone()}" (this one)"</strong> }.into_any()
                        } else {
                            view! { <a href=format!("/certificates/{}", v.id)>{v.serial.clone()}</a> }.into_any()
                        }}</td>
                        <td>{when(&v.not_before)}</td>
                        <td>{when(&v.not_after)}</td>
                        <td><a href=format!("/orders/{}", v.order_id)>{v.order_number.clone()}</a></td>
                    </tr>
                }).collect_view()}</tbody>
            </table></div>
        </section>
    }
}

/// Automatic renewal (issued certificates) and "do not renew", saved as they are ticked, and the notices sent.
#[component]
pub(super) fn RemindersPanel(
    id: String,
    auto_renew: Option<bool>,
    do_not_renew: bool,
    notices: Vec<ExpiryNotice>,
) -> impl IntoView {
    let set = ServerAction::<SetRenewalChoices>::new();
    let error = last_error(set.value());
    let auto = RwSignal::new(auto_renew.unwrap_or(false));
    let stop = RwSignal::new(do_not_renew);
    let save = move || {
        set.dispatch(SetRenewalChoices {
            id: id.clone(),
            choices: RenewalChoices { auto_renew: auto.get_untracked(), do_not_renew: stop.get_untracked() },
        })
    };
    let save_auto = save.clone();
    let threshold = |days: i64| match days {
        0 => "at expiry".to_string(),
        1 => "1 day before".to_string(),
        d => format!("{d} days before"),
    };
    view! {
        <section class="panel">
            <h2>"Reminders"</h2>
            <FormError error/>
            {auto_renew.is_some().then(|| view! {
                <p><label><input type="checkbox" prop:checked=move || auto.get() on:change=move |ev| {
                    auto.set(event_target_checked(&ev));
                    save_auto();
                }/>" Renew automatically when the renewal window opens (same CSR)"</label></p>
            })}
            <p><label><input type="checkbox" prop:checked=move || stop.get() on:change=move |ev| {
                stop.set(event_target_checked(&ev));
                save();
            }/>" Do not renew (no renewal, no reminders)"</label></p>
            <Saved done=succeeded(set.value()) text="Saved."/>
            {if notices.is_empty() {
                view! { <p class="muted">"No expiry notice was sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table>
                        <thead><tr><th scope="col">"Sent"</th><th scope="col">"Notice"</th><th scope="col">"To"</th></tr></thead>
                        <tbody>{notices.into_iter().map(|n| view! {
                            <tr><td>{when(&n.sent_at)}</td><td>{threshold(n.days)}</td><td>{n.sent_to.join(", ")}</td></tr>
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}
