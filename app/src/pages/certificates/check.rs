//! The certificate page's installation check: a host the certificate covers and its port, **Check**, and
//! whether Signet should keep checking it; the outcome in green, orange or red with the reasons in words.

use crate::api::certificates::*;
use crate::components::{described_by, field_error, last_error, when, FieldFrame, FormError};
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
                    <FieldFrame id="f-check-host" label="Host" error=field_error(error, "host")>
                        <input id="f-check-host" name="input[host]" value=panel.host.clone()
                            aria-describedby=described_by("f-check-host", false)/>
                    </FieldFrame>
                    <FieldFrame id="f-check-port" label="Port" error=field_error(error, "port")>
                        <input id="f-check-port" name="input[port]" inputmode="numeric" value=panel.port.to_string()
                            aria-describedby=described_by("f-check-port", false)/>
                    </FieldFrame>
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
