//! The audit log as a table: on the dashboard, a client's page and the audit page.

use crate::components::when;
use crate::model::AuditEntry;
use leptos::prelude::*;

#[component]
pub fn AuditTable(entries: Vec<AuditEntry>, show_issuer: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty">"Nothing recorded yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        {show_issuer.then(|| view! { <th scope="col">"Issuer"</th> })}
                        <th scope="col">"What"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Detail"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|e| view! {
                        <tr>
                            <td class="small">{when(&e.at)}</td>
                            <td>{e.actor_email}</td>
                            {show_issuer.then(|| view! { <td>{e.issuer.clone().unwrap_or_default()}</td> })}
                            <td><span class="badge">{e.action}</span></td>
                            <td>{e.target}</td>
                            <td class="small">{e.detail}</td>
                            <td class="small mono">{e.ip}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
