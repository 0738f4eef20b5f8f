//! The certificate page's installation check: a host the certificate covers and its port, **Check**, and
//! whether Signet should keep checking it; the outcome in green, orange or red with the reasons in words.

use crate::api::certificates::*;
use crate::components::{field_error, last_error, when, FormError};
use crate::model::*;
use leptos::prelude::*;

#[component]
pub(super) fn CheckPanel(id: String, panel: CheckPanel) -> impl IntoView {
    let run = ServerAction::<CheckInstallation>::new();
    let error = last_error(run.value());
    let last = RwSignal::new(panel.last.clone());
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = run.value().get() {
            last.set(Some(outcome));
        }
    });
    view! {
        <section class="panel">
            <h2>"Installation check"</h2>
            <FormError error/>
            <ActionForm action=run>
                <input type="hidden" name="id" value=id/>
                <div class="form-grid">
                    <div class="field"><label for="f-check-host">"Host"</label>
                        <input id="f-check-host" name="input[host]" value=panel.host.clone()/>
                        <span class="error" role="alert">{move || field_error(error, "host").get()}</span></div>
                    <div class="field"><label for="f-check-port">"Port"</label>
                        <input id="f-check-port" name="input[port]" inputmode="numeric" value=panel.port.to_string()/>
                        <span class="error" role="alert">{move || field_error(error, "port").get()}</span></div>
                </div>
                <p><label><input type="checkbox" name="input[monitor]" value="true" checked=panel.monitor/>
                    " Keep checking every few hours and tell the contacts when the result changes"</label></p>
                <div class="actions"><button type="submit" disabled=move || run.pending().get()>"Check"</button></div>
            </ActionForm>
            {move || last.get().map(|c| {
                let class = match c.colour {
                    CheckColour::Green => "badge ok",
                    CheckColour::Orange => "badge warn",
                    CheckColour::Red => "badge bad",
                };
                view! {
                    <div class="check-result" role="status">
                        <p><span class=class>{c.colour.label()}</span>{format!(" {}:{} · checked {}", c.host, c.port, when(&c.checked_at))}</p>
                        <ul>{c.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                    </div>
                }
            })}
        </section>
    }
}
