//! The certificate page's **Reissue** panel: the reason, the names (within the product's limits), a new CSR
//! (or none yet), and what becomes of this certificate — kept, revoked now, or revoked on a chosen day.

use crate::api::certificates::*;
use crate::components::{field_error, last_error, FormError};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub(super) fn ReissuePanel(id: String, names: Vec<String>) -> impl IntoView {
    let reissue = ServerAction::<ReissueCertificate>::new();
    let error = last_error(reissue.value());
    Effect::new(move |_| {
        if let Some(Ok(order)) = reissue.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/orders/{}", order.id), Default::default());
        }
    });
    let open = RwSignal::new(false);
    let old = RwSignal::new(OldCertificate::Keep);
    let e = move |f: &'static str| field_error(error, f);
    view! {
        <section class="panel">
            <h2>"Reissue"</h2>
            {move || (!open.get()).then(|| view! {
                <p>"A new certificate with a new key or other names, expiring when this one does."
                    " "<button type="button" class="secondary" on:click=move |_| open.set(true)>"Reissue…"</button></p>
            })}
            <div hidden=move || !open.get()>
                <FormError error/>
                <ActionForm action=reissue>
                    <input type="hidden" name="id" value=id.clone()/>
                    <div class="field"><label for="f-reissue-reason">"Reason"</label>
                        <select id="f-reissue-reason" name="input[reason]">
                            {ReissueReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select></div>
                    <div class="field"><label for="f-reissue-why">"Details (required for “Other”)"</label>
                        <input id="f-reissue-why" name="input[reason_text]" maxlength="300"/>
                        <span class="error" role="alert">{move || e("reason_text").get()}</span></div>
                    <div class="field"><label for="f-reissue-names">"Names (one per line)"</label>
                        <textarea id="f-reissue-names" name="input[names]" rows="3">{names.join("\n")}</textarea>
                        <span class="hint">"New names are validated; the others are reused."</span>
                        <span class="error" role="alert">{move || e("names").get()}</span></div>
                    <div class="field"><label for="f-reissue-csr">"New CSR (PEM; leave empty to make the key in the browser or send an invitation link from the new order)"</label>
                        <textarea id="f-reissue-csr" name="input[csr]" rows="6" class="mono"></textarea>
                        <span class="error" role="alert">{move || e("csr").get()}</span></div>
                    <fieldset><legend>"This certificate"</legend>
                        <label><input type="radio" name="input[old]" value="keep" checked=true on:change=move |_| old.set(OldCertificate::Keep)/>" Keep it until it expires"</label><br/>
                        <label><input type="radio" name="input[old]" value="revoke_now" on:change=move |_| old.set(OldCertificate::RevokeNow)/>" Revoke it now"</label><br/>
                        <label><input type="radio" name="input[old]" value="revoke_on" on:change=move |_| old.set(OldCertificate::RevokeOn)/>" Revoke it on a day (at most 30 days ahead)"</label>
                    </fieldset>
                    <div class="field" hidden=move || old.get() != OldCertificate::RevokeOn>
                        <label for="f-reissue-day">"Revoke on"</label>
                        <input id="f-reissue-day" type="date" name="input[revoke_on]"/>
                        <span class="error" role="alert">{move || e("revoke_on").get()}</span></div>
                    <div class="actions">
                        <button type="submit" disabled=move || reissue.pending().get()>"Reissue"</button>
                        <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </ActionForm>
            </div>
        </section>
    }
}
