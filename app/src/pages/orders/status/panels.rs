//! The panels of an order's status page other than domain validation.

use super::*;

#[component]
pub(super) fn ProgressPanel(steps: Vec<ProgressStep>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Progress"</h2>
            <ol class="progress">
                {steps.into_iter().map(|s| {
                    let class = match s.state { StepState::Done => "done", StepState::Current => "current", StepState::Failed => "failed", StepState::Skipped => "skipped", StepState::Waiting => "waiting" };
                    view! { <li class=class><strong>{s.label}</strong><span class="small">{s.detail}</span></li> }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The issued certificate; downloads, the PKCS#12 maker and the link to its details for signed-in people only.
#[component]
pub(super) fn CertificatePanel(cert: IssuedCert, signed_in: bool) -> impl IntoView {
    let c = cert;
    view! {
        <section class="panel">
            <h2>"Certificate"</h2>
            {c.revoked.map(|(at, reason)| view! {
                <div class="notice bad" role="status">{format!("Revoked on {} ({}).", when(&at), reason.label())}</div>
            })}
            {signed_in.then(|| view! {
                <p><a href=format!("/certificates/{}", c.id)>"Certificate details"</a></p>
            })}
            <dl class="facts">
                <dt>"Serial number"</dt><dd class="mono">{c.serial.clone()}</dd>
                <dt>"Names"</dt><dd>{c.names.join(", ")}</dd>
                <dt>"Valid"</dt><dd>{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</dd>
            </dl>
            {signed_in.then(|| view! {
                <CertificateDownloads id=c.id.clone()/>
            })}
            <details><summary>"Certificate in PEM"</summary><pre class="mono">{c.pem.clone()}</pre></details>
            {signed_in.then(|| view! {
                <details class="p12"><summary>"Make a .p12 / .pfx file with your private key"</summary>
                    <Pkcs12Export chain_url=format!("/_app/downloads/{}/chain", c.id) name=c.names.first().cloned().unwrap_or_default()/>
                </details>
            })}
        </section>
    }
}

#[component]
pub(super) fn OrderFacts(order: OrderView) -> impl IntoView {
    let (corporate, technical) = (&order.parties.corporate, &order.parties.technical);
    view! {
        <section class="panel">
            <h2>"Order"</h2>
            <dl class="facts">
                <dt>"Organisation"</dt><dd>{order.client_name.clone()}</dd>
                <dt>"Product"</dt><dd>{format!("{} ({})", order.product_name, order.profile.label())}</dd>
                <dt>"Validity"</dt><dd>{format!("{} days", order.validity_days)}</dd>
                <dt>"Names"</dt><dd>{order.names.join(", ")}</dd>
                <dt>"Corporate contact"</dt><dd>{format!("{} <{}>", corporate.name, corporate.email)}</dd>
                <dt>"Technical contact"</dt><dd>{format!("{} <{}>", technical.name, technical.email)}</dd>
                <dt>"Placed"</dt><dd>{format!("{} by {}", when(&order.created_at), order.created_by)}</dd>
                {order.tracking_path.clone().map(|p| view! {
                    <dt>"Tracking link"</dt><dd><a href=p.clone()>{p.clone()}</a><span class="hint">" Read-only; anyone with the link can follow the order."</span></dd>
                })}
            </dl>
        </section>
    }
}

/// The CSR of an order placed without one: pasted, or made in this browser.
#[component]
pub(super) fn LateCsrPanel(order: OrderView, commands: Commands) -> impl IntoView {
    let submit = commands.submit;
    let id = StoredValue::new(order.id.clone());
    let csr_text = RwSignal::new(String::new());
    let late_mode = RwSignal::new(CsrMode::Paste);
    let subject = subject_for(&order.parties.organisation, &order.names);
    let (names, key_types) = (order.names.clone(), order.key_types.clone());
    let on_csr = Callback::new(move |pem: String| {
        submit.dispatch(SubmitOrderCsr { id: id.get_value(), csr: pem });
    });
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
                _ => view! {
                    <FieldFrame id="f-late-csr" label="CSR">
                        <textarea id="f-late-csr" class="mono" rows="10" placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                            prop:value=move || csr_text.get() on:input=move |ev| csr_text.set(event_target_value(&ev))></textarea>
                    </FieldFrame>
                    <p class="actions"><button type="button" on:click=move |_| { submit.dispatch(SubmitOrderCsr { id: id.get_value(), csr: csr_text.get() }); }>"Submit CSR"</button></p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub(super) fn InvitePanel(id: String, commands: Commands) -> impl IntoView {
    let invite = commands.invite;
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    view! {
        <section class="panel">
            <h2>"Ask someone else for the CSR"</h2>
            <p class="muted">"Send a link to the person who runs the server. Without an account, they see what is ordered, make their own key and CSR in their browser, and the order continues. The link works once and expires after 7 days."</p>
            <div class="form-grid">
                <FieldFrame id="f-invite-name" label="Their name">
                    <input id="f-invite-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </FieldFrame>
                <FieldFrame id="f-invite-email" label="Their e-mail">
                    <input id="f-invite-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                </FieldFrame>
            </div>
            <p class="actions"><button type="button" disabled=move || invite.pending().get()
                on:click=move |_| { invite.dispatch(InviteCsr { id: id.clone(), email: email.get(), name: name.get() }); }>"Send the invitation link"</button></p>
        </section>
    }
}

#[component]
pub(super) fn InvitationsPanel(invitations: Vec<CsrInvitationInfo>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Invitation links"</h2>
            <div class="table-wrap"><table>
                <thead><tr><th scope="col">"Sent to"</th><th scope="col">"By"</th><th scope="col">"Sent"</th><th scope="col">"State"</th></tr></thead>
                <tbody>
                    {invitations.into_iter().map(|i| view! {
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
    }
}

/// Approve or reject (approvers), cancel (the orderer), with one reason field for either.
#[component]
pub(super) fn DecisionPanel(id: String, actions: OrderActions, commands: Commands) -> impl IntoView {
    let Commands { approve, reject, cancel, .. } = commands;
    let reason = RwSignal::new(String::new());
    let (id1, id2, id3) = (id.clone(), id.clone(), id);
    view! {
        <section class="panel">
            <h2>"Decision"</h2>
            <FieldFrame id="f-reason" label="Reason (for rejecting or cancelling)">
                <input id="f-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </FieldFrame>
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
}

#[component]
pub(super) fn HistoryPanel(events: Vec<OrderEvent>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"History"</h2>
            <ul class="events">
                {events.into_iter().map(|e| view! { <li><span class="small">{when(&e.at)}</span>" "<strong>{e.kind}</strong>" "{e.detail}<span class="small">{format!(" — {}", e.actor)}</span></li> }).collect_view()}
            </ul>
        </section>
    }
}
