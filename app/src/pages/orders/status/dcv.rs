//! The domain validation panel: one row per name with its method, status and what to do, and (while the
//! order waits) a change of method per name and "Check now".

use super::*;

#[component]
pub(super) fn DcvPanel(order: OrderView, commands: Commands) -> impl IntoView {
    let check = commands.check;
    let change_dcv = order.actions.change_dcv;
    let id = order.id.clone();
    let server = order.profile.is_server();
    let acme = order.acme;
    let names = order.names.clone();
    view! {
        <section class="panel">
            <h2>"Domain validation"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"Domain"</th><th scope="col">"Method"</th><th scope="col">"Status"</th><th scope="col">"What to do"</th></tr></thead>
                <tbody>
                    {order.dcv.into_iter().map(|d| {
                        // BR 3.2.2.4.18: a wildcard's base domain cannot be validated by an HTTP file.
                        let wildcard = wildcard_at(&names, &d.name);
                        view! { <DcvRow d=d order_id=id.clone() server=server wildcard=wildcard acme=acme may_change=change_dcv commands=commands/> }
                    }).collect_view()}
                </tbody>
            </table></div>
            {change_dcv.then(|| view! {
                <p class="actions"><button type="button" on:click=move |_| { check.dispatch(CheckOrderDcv { id: id.clone() }); } disabled=move || check.pending().get()>"Check now"</button>
                <span class="hint">" Signet also re-checks every minute."</span></p>
            })}
        </section>
    }
}

#[component]
fn DcvRow(
    d: DcvView,
    order_id: String,
    server: bool,
    wildcard: bool,
    acme: bool,
    may_change: bool,
    commands: Commands,
) -> impl IntoView {
    let status = match d.status {
        DcvStatus::Valid => "Validated",
        DcvStatus::Pending => "Waiting",
        DcvStatus::Failed => "Failed",
    };
    let pending = d.status != DcvStatus::Valid;
    let instructions = match d.method {
        _ if acme => view! { <p>"Waiting for the ACME client to answer a challenge (http-01, dns-01 or tls-alpn-01)."</p> }.into_any(),
        DcvMethod::Http => view! {
            <p>"Publish a file at "<code>{d.http_url.clone()}</code>" containing exactly:"</p>
            <pre class="mono">{d.token.clone()}</pre>
        }
        .into_any(),
        DcvMethod::Dns => view! {
            <p>"Create a TXT record "<code>{d.dns_name.clone()}</code>" with the value:"</p>
            <pre class="mono">{d.token.clone()}</pre>
        }
        .into_any(),
        DcvMethod::Email => view! {
            <p>{match &d.email_to { Some(to) => format!("An approval link was e-mailed to {to}; it works for 24 hours."), None => String::new() }}</p>
        }
        .into_any(),
    };
    let change = (may_change && pending).then(|| {
        view! { <ChangeMethod d=d.clone() order_id=order_id server=server wildcard=wildcard commands=commands/> }
    });
    view! {
        <tr>
            <td>{d.name.clone()}</td>
            <td>{d.method_label(acme)}</td>
            <td>{status}{d.reused.then_some(" (reused)")}
                {d.last_error.clone().filter(|_| pending).map(|e| view! { <br/><span class="small error-text">{e}</span> })}</td>
            <td>{pending.then_some(instructions)}{change}</td>
        </tr>
    }
}

/// Another method (and for e-mail, another mailbox) for one name of a waiting order.
#[component]
fn ChangeMethod(d: DcvView, order_id: String, server: bool, wildcard: bool, commands: Commands) -> impl IntoView {
    let set_dcv = commands.set_dcv;
    let name = d.name.clone();
    let label = format!("New method for {name}");
    let choice = RwSignal::new(d.method);
    let mailbox = RwSignal::new("admin".to_string());
    let methods = DcvMethod::ALL.into_iter().filter(|m| {
        if server {
            !(wildcard && *m == DcvMethod::Http)
        } else {
            *m == DcvMethod::Email
        }
    });
    view! {
        <details><summary>"Change method"</summary>
            <select aria-label=label on:change=move |ev| choice.set(DcvMethod::parse(&event_target_value(&ev)).unwrap_or(DcvMethod::Dns))>
                {methods.map(|m| view! { <option value=m.as_str() selected=m == d.method>{m.label()}</option> }).collect_view()}
            </select>
            {server.then(|| view! {
                <select aria-label=format!("Address for {}", d.name) on:change=move |ev| mailbox.set(event_target_value(&ev))>
                    {d.email_choices.iter().zip(DCV_MAILBOXES).map(|(full, local)| view! { <option value=local>{full.clone()}</option> }).collect_view()}
                </select>
            })}
            <button type="button" on:click=move |_| { set_dcv.dispatch(SetOrderDcv { id: order_id.clone(), name: name.clone(), method: choice.get(), mailbox: mailbox.get() }); }>"Use this method"</button>
        </details>
    }
}
