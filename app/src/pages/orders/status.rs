//! An order's status page (progress tracker, validations, CSR, certificate downloads) and the read-only page
//! behind its tracking link.

use super::*;

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let refresh = RwSignal::new(0u32);
    let order = Resource::new(move || (id(), refresh.get()), |(id, _)| get_order(id));
    view! {
        <Title text="Order"/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(o) => view! { <OrderStatusView order=o refresh=Some(refresh)/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The read-only page behind a tracking link.
#[component]
pub fn TrackPage() -> impl IntoView {
    let params = use_params_map();
    let order = Resource::new(move || params.with(|p| p.get("token").unwrap_or_default()), track_order);
    view! {
        <Title text="Order status"/>
        <crate::components::VisitorPage>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match order.await {
                        Err(_) => view! { <h1>"This tracking link is not valid"</h1><p>"Ask the person who sent it for a new one."</p> }.into_any(),
                        Ok(o) => view! { <OrderStatusView order=o refresh=None/> }.into_any(),
                    }
                })}
            </Suspense>
        </crate::components::VisitorPage>
    }
}

#[component]
fn OrderStatusView(order: OrderView, refresh: Option<RwSignal<u32>>) -> impl IntoView {
    let actions = order.actions.clone();
    let id = order.id.clone();
    let bump = move || {
        if let Some(r) = refresh {
            r.update(|n| *n += 1);
        }
    };
    let check = ServerAction::<CheckOrderDcv>::new();
    let set_dcv = ServerAction::<SetOrderDcv>::new();
    let approve = ServerAction::<ApproveOrder>::new();
    let reject = ServerAction::<RejectOrder>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let submit = ServerAction::<SubmitOrderCsr>::new();
    let invite = ServerAction::<InviteCsr>::new();
    let errors = Signal::derive(move || {
        last_error(check.value())
            .get()
            .or_else(|| last_error(set_dcv.value()).get())
            .or_else(|| last_error(approve.value()).get())
            .or_else(|| last_error(reject.value()).get())
            .or_else(|| last_error(cancel.value()).get())
            .or_else(|| last_error(submit.value()).get())
            .or_else(|| last_error(invite.value()).get())
    });
    Effect::new(move |_| {
        let done = [
            check.version().get(),
            set_dcv.version().get(),
            approve.version().get(),
            reject.version().get(),
            cancel.version().get(),
            submit.version().get(),
            invite.version().get(),
        ];
        if done.iter().any(|v| *v > 0) && errors.get_untracked().is_none() {
            bump();
        }
    });
    let csr_text = RwSignal::new(String::new());
    let cert = order.certificate.clone();
    let server = order.profile.is_server();
    let names = order.names.clone();
    view! {
        <h1>{format!("Order {}", order.number)}" "{status_badge(order.status)}</h1>
        <FormError error=errors/>
        {order.failure.clone().map(|f| view! { <div class="notice bad" role="alert">{f}</div> })}
        {order.reason.clone().map(|r| view! { <div class="notice">{format!("Reason: {r}")}</div> })}
        <section class="panel">
            <h2>"Progress"</h2>
            <ol class="progress">
                {order.progress.iter().map(|s| {
                    let class = match s.state { StepState::Done => "done", StepState::Current => "current", StepState::Failed => "failed", StepState::Skipped => "skipped", StepState::Waiting => "waiting" };
                    view! { <li class=class><strong>{s.label.clone()}</strong><span class="small">{s.detail.clone()}</span></li> }
                }).collect_view()}
            </ol>
        </section>
        {cert.clone().map(|c| view! {
            <section class="panel">
                <h2>"Certificate"</h2>
                {c.revoked.map(|(at, reason)| view! {
                    <div class="notice bad" role="status">{format!("Revoked on {} ({}).", when(&at), reason.label())}</div>
                })}
                {refresh.is_some().then(|| view! {
                    <p><a href=format!("/certificates/{}", c.id)>"Certificate details"</a></p>
                })}
                <dl class="facts">
                    <dt>"Serial number"</dt><dd class="mono">{c.serial.clone()}</dd>
                    <dt>"Names"</dt><dd>{c.names.join(", ")}</dd>
                    <dt>"Valid"</dt><dd>{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</dd>
                </dl>
                {refresh.is_some().then(|| view! {
                    <CertificateDownloads id=c.id.clone()/>
                })}
                <details><summary>"Certificate in PEM"</summary><pre class="mono">{c.pem.clone()}</pre></details>
                {refresh.is_some().then(|| view! {
                    <details class="p12"><summary>"Make a .p12 / .pfx file with your private key"</summary>
                        <Pkcs12Export chain_url=format!("/_app/downloads/{}/chain", c.id) name=c.names.first().cloned().unwrap_or_default()/>
                    </details>
                })}
            </section>
        })}
        <section class="panel">
            <h2>"Order"</h2>
            <dl class="facts">
                <dt>"Organisation"</dt><dd>{order.client_name.clone()}</dd>
                <dt>"Product"</dt><dd>{format!("{} ({})", order.product_name, order.profile.label())}</dd>
                <dt>"Validity"</dt><dd>{format!("{} days", order.validity_days)}</dd>
                <dt>"Names"</dt><dd>{order.names.join(", ")}</dd>
                <dt>"Corporate contact"</dt><dd>{format!("{} <{}>", order.parties.corporate.name, order.parties.corporate.email)}</dd>
                <dt>"Technical contact"</dt><dd>{format!("{} <{}>", order.parties.technical.name, order.parties.technical.email)}</dd>
                <dt>"Placed"</dt><dd>{format!("{} by {}", when(&order.created_at), order.created_by)}</dd>
                {order.tracking_path.clone().map(|p| view! {
                    <dt>"Tracking link"</dt><dd><a href=p.clone()>{p.clone()}</a><span class="hint">" Read-only; anyone with the link can follow the order."</span></dd>
                })}
            </dl>
        </section>
        {actions.submit_csr.then(|| {
            let id = id.clone();
            let id2 = id.clone();
            let late_mode = RwSignal::new(CsrMode::Paste);
            let subject = subject_for(&order.parties.organisation, &order.names);
            let (names, key_types) = (order.names.clone(), order.key_types.clone());
            let on_csr = Callback::new(move |pem: String| { submit.dispatch(SubmitOrderCsr { id: id2.clone(), csr: pem }); });
            view! {
                <section class="panel">
                    <h2>"Submit the CSR"</h2>
                    <fieldset class="choices">
                        <legend>"How do you provide the CSR?"</legend>
                        <label><input type="radio" name="late-csr-mode" checked=move || late_mode.get() == CsrMode::Paste on:change=move |_| late_mode.set(CsrMode::Paste)/>" Paste it"</label>
                        <label><input type="radio" name="late-csr-mode" checked=move || late_mode.get() == CsrMode::Browser on:change=move |_| late_mode.set(CsrMode::Browser)/>" Generate the key and CSR in my browser"</label>
                    </fieldset>
                    {move || match late_mode.get() {
                        CsrMode::Browser => view! {
                            <KeyMaker subject=subject.clone() names=names.clone() key_types=key_types.clone() on_csr=on_csr hand_label="Submit this CSR"/>
                        }.into_any(),
                        _ => {
                            let id = id.clone();
                            view! {
                                <div class="field"><label for="f-late-csr">"CSR"</label>
                                    <textarea id="f-late-csr" class="mono" rows="10" placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                                        prop:value=move || csr_text.get() on:input=move |ev| csr_text.set(event_target_value(&ev))></textarea></div>
                                <p class="actions"><button type="button" on:click=move |_| { submit.dispatch(SubmitOrderCsr { id: id.clone(), csr: csr_text.get() }); }>"Submit CSR"</button></p>
                            }.into_any()
                        }
                    }}
                </section>
            }
        })}
        {actions.invite.then(|| {
            let id = id.clone();
            let email = RwSignal::new(String::new());
            let name = RwSignal::new(String::new());
            view! {
                <section class="panel">
                    <h2>"Ask someone else for the CSR"</h2>
                    <p class="muted">"Send a link to the person who runs the server. Without an account, they see what is ordered, make their own key and CSR in their browser, and the order continues. The link works once and expires after 7 days."</p>
                    <div class="form-grid">
                        <div class="field"><label for="f-invite-name">"Their name"</label>
                            <input id="f-invite-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></div>
                        <div class="field"><label for="f-invite-email">"Their e-mail"</label>
                            <input id="f-invite-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></div>
                    </div>
                    <p class="actions"><button type="button" disabled=move || invite.pending().get()
                        on:click=move |_| { invite.dispatch(InviteCsr { id: id.clone(), email: email.get(), name: name.get() }); }>"Send the invitation link"</button></p>
                </section>
            }
        })}
        {(!order.invitations.is_empty()).then(|| view! {
            <section class="panel">
                <h2>"Invitation links"</h2>
                <div class="table-wrap"><table>
                    <thead><tr><th scope="col">"Sent to"</th><th scope="col">"By"</th><th scope="col">"Sent"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>
                        {order.invitations.iter().map(|i| view! {
                            <tr>
                                <td>{format!("{} <{}>", i.name, i.email)}</td>
                                <td>{i.invited_by.clone()}</td>
                                <td>{when(&i.created_at)}</td>
                                <td>{match i.state {
                                    InvitationState::Open => format!("waiting (until {})", when(&i.expires_at)),
                                    InvitationState::Used => format!("used {}", i.used_at.as_ref().map(when).unwrap_or_default()),
                                    InvitationState::Expired => "expired".to_string(),
                                    InvitationState::Closed => "no longer needed".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            </section>
        })}
        {order.csr_report.clone().map(|r| view! { <section class="panel"><h2>"CSR checks"</h2><CsrReportView report=r/></section> })}
        <section class="panel">
            <h2>"Domain validation"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"Domain"</th><th scope="col">"Method"</th><th scope="col">"Status"</th><th scope="col">"What to do"</th></tr></thead>
                <tbody>
                    {order.dcv.iter().cloned().map(|d| {
                        let id = id.clone();
                        let status = match d.status { DcvStatus::Valid => "Validated", DcvStatus::Pending => "Waiting", DcvStatus::Failed => "Failed" };
                        let pending = d.status != DcvStatus::Valid;
                        let change = actions.change_dcv && pending;
                        let name = d.name.clone();
                        // BR 3.2.2.4.18: a wildcard's base domain cannot be validated by an HTTP file.
                        let wildcard = wildcard_at(&names, &d.name);
                        let instructions = match d.method {
                            DcvMethod::Http => view! {
                                <p>"Publish a file at "<code>{d.http_url.clone()}</code>" containing exactly:"</p>
                                <pre class="mono">{d.token.clone()}</pre>
                            }.into_any(),
                            DcvMethod::Dns => view! {
                                <p>"Create a TXT record "<code>{d.dns_name.clone()}</code>" with the value:"</p>
                                <pre class="mono">{d.token.clone()}</pre>
                            }.into_any(),
                            DcvMethod::Email => view! {
                                <p>{match &d.email_to { Some(to) => format!("An approval link was e-mailed to {to}; it works for 24 hours."), None => String::new() }}</p>
                            }.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{d.name.clone()}</td>
                                <td>{d.method.label()}</td>
                                <td>{status}{d.reused.then_some(" (reused)")}
                                    {d.last_error.clone().filter(|_| pending).map(|e| view! { <br/><span class="small error-text">{e}</span> })}</td>
                                <td>{pending.then_some(instructions)}
                                    {change.then(|| {
                                        let label = format!("New method for {name}");
                                        let name2 = name.clone();
                                        let id2 = id.clone();
                                        let choice = RwSignal::new(d.method);
                                        let mailbox = RwSignal::new("admin".to_string());
                                        view! {
                                            <details><summary>"Change method"</summary>
                                                <select aria-label=label on:change=move |ev| choice.set(DcvMethod::parse(&event_target_value(&ev)).unwrap_or(DcvMethod::Dns))>
                                                    {DcvMethod::ALL.into_iter().filter(|m| if server { !(wildcard && *m == DcvMethod::Http) } else { *m == DcvMethod::Email }).map(|m| view! { <option value=m.as_str() selected=m == d.method>{m.label()}</option> }).collect_view()}
                                                </select>
                                                {server.then(|| view! {
                                                    <select aria-label=format!("Address for {}", name2.clone()) on:change=move |ev| mailbox.set(event_target_value(&ev))>
                                                        {d.email_choices.iter().zip(DCV_MAILBOXES).map(|(full, local)| view! { <option value=local>{full.clone()}</option> }).collect_view()}
                                                    </select>
                                                })}
                                                <button type="button" on:click=move |_| { set_dcv.dispatch(SetOrderDcv { id: id2.clone(), name: name.clone(), method: choice.get(), mailbox: mailbox.get() }); }>"Use this method"</button>
                                            </details>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
            {actions.change_dcv.then(|| {
                let id = id.clone();
                view! { <p class="actions"><button type="button" on:click=move |_| { check.dispatch(CheckOrderDcv { id: id.clone() }); } disabled=move || check.pending().get()>"Check now"</button>
                    <span class="hint">" Signet also re-checks every minute."</span></p> }
            })}
        </section>
        {(actions.approve || actions.cancel).then(|| {
            let reason = RwSignal::new(String::new());
            let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
            view! {
                <section class="panel">
                    <h2>"Decision"</h2>
                    <div class="field"><label for="f-reason">"Reason (for rejecting or cancelling)"</label>
                        <input id="f-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></div>
                    <p class="actions">
                        {actions.approve.then(|| view! {
                            <button type="button" on:click=move |_| { approve.dispatch(ApproveOrder { id: id1.clone() }); }>"Approve"</button>
                            <button type="button" class="danger" on:click=move |_| { reject.dispatch(RejectOrder { id: id2.clone(), reason: reason.get() }); }>"Reject"</button>
                        })}
                        {actions.cancel.then(|| view! {
                            <button type="button" class="secondary" on:click=move |_| { cancel.dispatch(CancelOrder { id: id3.clone(), reason: reason.get() }); }>"Cancel order"</button>
                        })}
                    </p>
                </section>
            }
        })}
        <section class="panel">
            <h2>"History"</h2>
            <ul class="events">
                {order.events.iter().map(|e| view! { <li><span class="small">{when(&e.at)}</span>" "<strong>{e.kind.clone()}</strong>" "{e.detail.clone()}<span class="small">{format!(" — {}", e.actor)}</span></li> }).collect_view()}
            </ul>
        </section>
    }
}
