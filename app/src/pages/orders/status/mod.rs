//! An order's status page (progress tracker, validations, CSR, certificate downloads) and the read-only page
//! behind its tracking link. The page is a column of panels (`panels`, `dcv`); what they do goes through one
//! set of commands (`Commands`), so that any of them refreshes the page and shows its error in one place.

use super::*;

mod dcv;
mod panels;
use dcv::DcvPanel;
use panels::{
    CertificatePanel, DecisionPanel, HistoryPanel, InvitationsPanel, InvitePanel, LateCsrPanel, OrderFacts,
    ProgressPanel,
};

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

/// What a person can do on the status page, one server action each.
#[derive(Clone, Copy)]
struct Commands {
    check: ServerAction<CheckOrderDcv>,
    set_dcv: ServerAction<SetOrderDcv>,
    approve: ServerAction<ApproveOrder>,
    reject: ServerAction<RejectOrder>,
    cancel: ServerAction<CancelOrder>,
    submit: ServerAction<SubmitOrderCsr>,
    invite: ServerAction<InviteCsr>,
}

impl Commands {
    fn new() -> Commands {
        Commands {
            check: ServerAction::new(),
            set_dcv: ServerAction::new(),
            approve: ServerAction::new(),
            reject: ServerAction::new(),
            cancel: ServerAction::new(),
            submit: ServerAction::new(),
            invite: ServerAction::new(),
        }
    }

    /// The error of the last command that failed, if any.
    fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            last_error(self.check.value())
                .get()
                .or_else(|| last_error(self.set_dcv.value()).get())
                .or_else(|| last_error(self.approve.value()).get())
                .or_else(|| last_error(self.reject.value()).get())
                .or_else(|| last_error(self.cancel.value()).get())
                .or_else(|| last_error(self.submit.value()).get())
                .or_else(|| last_error(self.invite.value()).get())
        })
    }

    /// Whether any command has finished (it changes with every one that does).
    fn any_done(self) -> bool {
        [
            self.check.version().get(),
            self.set_dcv.version().get(),
            self.approve.version().get(),
            self.reject.version().get(),
            self.cancel.version().get(),
            self.submit.version().get(),
            self.invite.version().get(),
        ]
        .iter()
        .any(|v| *v > 0)
    }
}

/// `refresh` is the signed-in page's (it reloads the order); the tracking page has none, and shows no
/// downloads or links into the app.
#[component]
fn OrderStatusView(order: OrderView, refresh: Option<RwSignal<u32>>) -> impl IntoView {
    let commands = Commands::new();
    let errors = commands.error();
    Effect::new(move |_| {
        if commands.any_done() && errors.get_untracked().is_none() {
            if let Some(r) = refresh {
                r.update(|n| *n += 1);
            }
        }
    });
    let actions = order.actions.clone();
    let signed_in = refresh.is_some();
    view! {
        <h1>{format!("Order {}", order.number)}" "{status_badge(order.status)}</h1>
        <FormError error=errors/>
        {order.failure.clone().map(|f| view! { <div class="notice bad" role="alert">{f}</div> })}
        {order.reason.clone().map(|r| view! { <div class="notice">{format!("Reason: {r}")}</div> })}
        <ProgressPanel steps=order.progress.clone()/>
        {order.certificate.clone().map(|c| view! { <CertificatePanel cert=c signed_in=signed_in/> })}
        <OrderFacts order=order.clone()/>
        {actions.submit_csr.then(|| view! { <LateCsrPanel order=order.clone() commands=commands/> })}
        {actions.invite.then(|| view! { <InvitePanel id=order.id.clone() commands=commands/> })}
        {(!order.invitations.is_empty()).then(|| view! { <InvitationsPanel invitations=order.invitations.clone()/> })}
        {order.csr_report.clone().map(|r| view! { <section class="panel"><h2>"CSR checks"</h2><CsrReportView report=r/></section> })}
        <DcvPanel order=order.clone() commands=commands/>
        {(actions.approve || actions.cancel).then(|| view! { <DecisionPanel id=order.id.clone() actions=actions.clone() commands=commands/> })}
        <HistoryPanel events=order.events.clone()/>
    }
}
