//! The activity report settings: the issuer's schedule (issuer profile) and a client's opt-out (client page).

use crate::api::activity::*;
use crate::components::{last_error, succeeded, FieldFrame, FormError, Saved};
use crate::model::ActivityReports;
use leptos::prelude::*;

#[component]
pub fn ActivitySchedule() -> impl IntoView {
    let set = ServerAction::<SetActivitySchedule>::new();
    let current = LocalResource::new(activity_schedule);
    view! {
        <section class="panel">
            <h2>"Activity reports"</h2>
            <p class="muted">"A client whose seal was copied onto another site gets a report listing the sites and pages, written from the activity report template. Reports can be turned off for single clients on their page."</p>
            <FormError error=last_error(set.value())/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    current.await.map(|schedule| view! {
                        <FieldFrame id="activity-schedule" label="Send activity reports">
                            <select id="activity-schedule" on:change=move |ev| {
                                if let Some(s) = ActivityReports::parse(&event_target_value(&ev)) {
                                    set.dispatch(SetActivitySchedule { schedule: s });
                                }
                            }>
                                {ActivityReports::ALL.into_iter().map(|a| view! {
                                    <option value=a.as_str() selected={a == schedule}>{a.label()}</option>
                                }).collect_view()}
                            </select>
                        </FieldFrame>
                    }).ok()
                })}
            </Suspense>
            <Saved done=succeeded(set.value()) text="Activity reports saved."/>
        </section>
    }
}

#[component]
pub fn ClientReports(client_id: String) -> impl IntoView {
    let set = ServerAction::<SetClientReports>::new();
    let id = StoredValue::new(client_id);
    let current = LocalResource::new(move || client_reports(id.get_value()));
    view! {
        <FormError error=last_error(set.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                current.await.map(|on| {
                    let ticked = RwSignal::new(on);
                    view! {
                        <label class="check"><input type="checkbox" prop:checked=move || ticked.get() on:change=move |ev| {
                            let v = event_target_checked(&ev);
                            ticked.set(v);
                            set.dispatch(SetClientReports { client_id: id.get_value(), on: v });
                        }/>" Send this client activity reports when its seal is copied"</label>
                    }
                }).ok()
            })}
        </Suspense>
    }
}
