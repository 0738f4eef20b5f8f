//! The certificate page's **Reissue** panel: the reason, the names (within the product's limits), a new CSR
//! (or none yet), and what becomes of this certificate — kept, revoked now, or revoked on a chosen day.

use crate::api::certificates::*;
use crate::components::{described_by, field_error, last_error, FieldFrame, FormError};
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
                    <FieldFrame id="f-reissue-reason" label="Reason">
                        <select id="f-reissue-reason" name="input[reason]">
                            {ReissueReason::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                        </select>
                    </FieldFrame>
                    <FieldFrame id="f-reissue-why" label="Details (required for “Other”)" error=e("reason_text")>
                        <input id="f-reissue-why" name="input[reason_text]" maxlength="300"
                            aria-describedby=described_by("f-reissue-why", false)/>
                    </FieldFrame>
                    <FieldFrame id="f-reissue-names" label="Names (one per line)"
                        hint="New names are validated; the others are reused." error=e("names")>
                        <textarea id="f-reissue-names" name="input[names]" rows="3"
                            aria-describedby=described_by("f-reissue-names", true)>{names.join("\n")}</textarea>
                    </FieldFrame>
                    <FieldFrame id="f-reissue-csr"
                        label="New CSR (PEM; leave empty to make the key in the browser or send an invitation link from the new order)"
                        error=e("csr")>
                        <textarea id="f-reissue-csr" name="input[csr]" rows="6" class="mono"
                            aria-describedby=described_by("f-reissue-csr", false)></textarea>
                    </FieldFrame>
                    <fieldset><legend>"This certificate"</legend>
                        <label><input type="radio" name="input[old]" value="keep" checked=true on:change=move |_| old.set(OldCertificate::Keep)/>" Keep it until it expires"</label><br/>
                        <label><input type="radio" name="input[old]" value="revoke_now" on:change=move |_| old.set(OldCertificate::RevokeNow)/>" Revoke it now"</label><br/>
                        <label><input type="radio" name="input[old]" value="revoke_on" on:change=move |_| old.set(OldCertificate::RevokeOn)/>" Revoke it on a day (at most 30 days ahead)"</label>
                    </fieldset>
                    <FieldFrame id="f-reissue-day" label="Revoke on" error=e("revoke_on")
                        hidden=move || old.get() != OldCertificate::RevokeOn>
                        <input id="f-reissue-day" type="date" name="input[revoke_on]"
                            aria-describedby=described_by("f-reissue-day", false)/>
                    </FieldFrame>
                    <div class="actions">
                        <button type="submit" disabled=move || reissue.pending().get()>"Reissue"</button>
                        <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </ActionForm>
            </div>
        </section>
    }
}
