//! The pages behind links sent by e-mail, used without an account: confirming a domain validation, and
//! making the key and CSR for an order someone was invited to.

use super::*;

#[component]
pub fn EmailDcvPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let confirm = ServerAction::<ConfirmEmailDcv>::new();
    let info = Resource::new(move || (token(), confirm.version().get()), |(t, _)| get_email_dcv_info(t));
    view! {
        <Title text="Confirm domain control"/>
        <crate::components::VisitorPage>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(_) => view! { <h1>"This link is not valid"</h1><p>"It may have been mistyped. Ask for a new validation e-mail from the order's page."</p> }.into_any(),
                        Ok(i) if i.state == "valid" => view! { <h1>"Thank you"</h1><p>{format!("Control of {} is confirmed for order {}.", i.domain, i.order_number)}</p> }.into_any(),
                        Ok(i) if i.state == "expired" => view! { <h1>"This link has expired"</h1><p>{format!("Links work for 24 hours. Ask {} for a new one from the order's page.", i.organisation)}</p> }.into_any(),
                        Ok(i) => view! {
                            <h1>{format!("Confirm the certificate for {}", i.domain)}</h1>
                            <p>{format!("{} ordered a certificate (order {}) for: {}.", i.organisation, i.order_number, i.names.join(", "))}</p>
                            <p>{format!("This message went to {}. Confirm only if you are responsible for {} and expect this certificate.", i.sent_to, i.domain)}</p>
                            <p class="actions"><button type="button" on:click=move |_| { confirm.dispatch(ConfirmEmailDcv { token: token() }); }>"I confirm"</button></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </crate::components::VisitorPage>
    }
}

// --- CSR invitation link ----------------------------------------------------------------------------------------

/// The page behind an invitation link: someone without an account makes the key and CSR for an order.
#[component]
pub fn CsrInvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let info = Resource::new(token, get_invitation);
    let submit = ServerAction::<SubmitInvitationCsr>::new();
    view! {
        <Title text="Make your key and CSR"/>
        <crate::components::VisitorPage>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(_) => view! { <h1>"This link is not valid"</h1><p>"It may have been mistyped. Ask the person who sent it for a new one."</p> }.into_any(),
                        Ok(i) => match i.state {
                            InvitationState::Used => view! { <h1>"This invitation link has already been used"</h1>
                                <p>{format!("A CSR was handed in with it for order {}. Links work once; if you need to make a new key, ask {} ({}) for a new link.", i.order_number, i.invited_by, i.invited_by_email)}</p> }.into_any(),
                            InvitationState::Expired => view! { <h1>"This invitation link has expired"</h1>
                                <p>{format!("Links work for 7 days. Ask {} ({}) for a new one.", i.invited_by, i.invited_by_email)}</p> }.into_any(),
                            InvitationState::Closed => view! { <h1>"This order no longer needs a CSR"</h1>
                                <p>{format!("Order {} has its CSR already, or was cancelled. Nothing is left to do here.", i.order_number)}</p> }.into_any(),
                            InvitationState::Open => {
                                let subject = subject_for(&i.organisation, &i.names);
                                let on_csr = Callback::new(move |csr: String| { submit.dispatch(SubmitInvitationCsr { token: token(), csr }); });
                                view! {
                                    <h1>{format!("Make the key and CSR for order {}", i.order_number)}</h1>
                                    <p>{format!("{} asks you, {}, for the certificate signing request (CSR) of this order.", i.invited_by, i.invited_name)}</p>
                                    <dl class="facts">
                                        <dt>"Organisation"</dt><dd>{i.organisation.name.clone()}</dd>
                                        <dt>"Product"</dt><dd>{i.product_name.clone()}</dd>
                                        <dt>"Names"</dt><dd>{i.names.join(", ")}</dd>
                                        <dt>"Link valid until"</dt><dd>{when(&i.expires_at)}</dd>
                                    </dl>
                                    {move || match submit.value().get() {
                                        Some(Ok(r)) if r.accepted => view! {
                                            <div class="notice ok" role="status"><p><strong>"Thank you: the CSR is with the order."</strong>" Keep your key file and its password; you will need them to install the certificate."</p></div>
                                        }.into_any(),
                                        Some(Ok(r)) => view! { <CsrReportView report=r/> }.into_any(),
                                        Some(Err(e)) => view! { <div class="notice bad" role="alert">{e.to_string()}</div> }.into_any(),
                                        None => ().into_any(),
                                    }}
                                    <section class="panel">
                                        <KeyMaker subject=subject names=i.names.clone() key_types=i.key_types.clone() on_csr=on_csr hand_label="Send the CSR"/>
                                    </section>
                                }.into_any()
                            }
                        },
                    }
                })}
            </Suspense>
        </crate::components::VisitorPage>
    }
}
