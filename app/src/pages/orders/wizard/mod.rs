//! The order wizard, in CERTInext's steps: product, organisation and contacts, domains, CSR, domain
//! validation, summary. The wizard owns the order being made (`Wizard`) and moves between the steps; each step
//! is its own component (`steps`).

use super::*;

mod steps;
use steps::{ContactsStep, CsrStep, DcvStep, NamesStep, ProductStep, SummaryStep};

const STEPS: [&str; 6] = ["Product", "Organisation and contacts", "Domains", "CSR", "Domain validation", "Summary"];

#[component]
pub fn NewOrderPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| get_order_setup());
    view! {
        <Title text="New order"/>
        <h1>"New certificate order"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match setup.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(s) if s.products.is_empty() => view! { <div class="notice">"No products are offered yet: the operator sets them up."</div> }.into_any(),
                    Ok(s) if s.clients.is_empty() => view! { <div class="notice">"Add a client first: orders are placed for a client's organisation."</div> }.into_any(),
                    Ok(s) => view! { <OrderWizard setup=s/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The order being made: what every step reads and changes. All signals, so it is `Copy` and each step
/// component takes it whole.
#[derive(Clone, Copy)]
struct Wizard {
    products: StoredValue<Vec<Product>>,
    clients: StoredValue<Vec<OrderClient>>,
    /// The longest validity a TLS server certificate may have today (CA/Browser Forum).
    max_days: u32,
    product_id: RwSignal<String>,
    validity: RwSignal<u32>,
    client_id: RwSignal<String>,
    corporate: RwSignal<Contact>,
    technical: RwSignal<Contact>,
    /// More addresses for the expiry reminders.
    notify: RwSignal<String>,
    names: RwSignal<String>,
    csr_mode: RwSignal<CsrMode>,
    csr: RwSignal<String>,
    report: RwSignal<Option<CsrReport>>,
    /// (name, method, mailbox) per validation target.
    dcv: RwSignal<Vec<(String, DcvMethod, String)>>,
    local_error: RwSignal<Option<String>>,
    check: ServerAction<CheckCsr>,
}

impl Wizard {
    fn new(setup: &OrderSetup, first_client: String) -> Wizard {
        let clients = StoredValue::new(setup.clients.clone());
        let start_contact =
            setup.clients.iter().find(|c| c.id == first_client).map(|c| c.contact.clone()).unwrap_or_default();
        let w = Wizard {
            products: StoredValue::new(setup.products.clone()),
            clients,
            max_days: setup.max_server_days,
            product_id: RwSignal::new(setup.products[0].id.clone()),
            validity: RwSignal::new(90),
            client_id: RwSignal::new(first_client),
            corporate: RwSignal::new(start_contact.clone()),
            technical: RwSignal::new(start_contact),
            notify: RwSignal::new(String::new()),
            names: RwSignal::new(String::new()),
            csr_mode: RwSignal::new(CsrMode::Paste),
            csr: RwSignal::new(String::new()),
            report: RwSignal::new(None),
            dcv: RwSignal::new(Vec::new()),
            local_error: RwSignal::new(None),
            check: ServerAction::<CheckCsr>::new(),
        };
        w.validity.set(w.allowed(&setup.products[0]).last().copied().unwrap_or(90));
        w
    }

    /// The validities a product may be ordered with today (server certificates are capped by the CA/B Forum).
    fn allowed(&self, p: &Product) -> Vec<u32> {
        p.validity_days.iter().copied().filter(|d| !p.profile.is_server() || *d <= self.max_days).collect()
    }

    fn product(&self) -> Option<Product> {
        let id = self.product_id.get();
        self.products.with_value(|p| p.iter().find(|x| x.id == id).cloned())
    }

    fn client(&self) -> Option<OrderClient> {
        let id = self.client_id.get();
        self.clients.with_value(|c| c.iter().find(|x| x.id == id).cloned())
    }

    fn contact_of(&self, id: &str) -> Contact {
        self.clients.with_value(|c| c.iter().find(|x| x.id == id).map(|x| x.contact.clone()).unwrap_or_default())
    }

    /// The names as the server's tokenizer reads them, lower case as the server's host names are.
    fn name_list(&self) -> Vec<String> {
        name_tokens(&self.names.get()).map(|s| s.to_lowercase()).collect()
    }

    fn is_server(&self) -> bool {
        self.product().is_some_and(|p| p.profile.is_server())
    }

    /// What stops the person from leaving step `step`, if anything.
    fn problem_at(&self, step: usize) -> Option<String> {
        match step {
            1 if self.corporate.get().email.trim().is_empty() || self.technical.get().email.trim().is_empty() => {
                Some("Both contacts need a name and an e-mail address.".to_string())
            }
            1 => parse_notify(&self.notify.get()).err(),
            2 => {
                let n = self.name_list();
                if n.is_empty() {
                    return Some("Give at least one name.".to_string());
                }
                let p = self.product()?;
                if n.len() > p.max_names as usize {
                    Some(format!("This product covers at most {} names.", p.max_names))
                } else if !p.wildcard && n.iter().any(|x| x.starts_with("*.")) {
                    Some("This product does not allow wildcard names.".to_string())
                } else {
                    None
                }
            }
            3 if self.csr_mode.get() != CsrMode::Later && !self.report.get().is_some_and(|r| r.accepted) => Some(
                if self.csr_mode.get() == CsrMode::Browser {
                    "Generate the key and CSR, save the key file, and use the CSR (it must pass every check)."
                } else {
                    "Check the CSR first (it must pass every check), or choose to submit it later."
                }
                .to_string(),
            ),
            _ => None,
        }
    }

    /// The names are settled: one validation per target. Earlier choices stay for names that stay; new names
    /// start with DNS (or e-mail for mailboxes).
    fn plan_validations(&self) {
        let server = self.is_server();
        let old = self.dcv.get();
        let planned = validation_targets(&self.name_list())
            .into_iter()
            .map(|t| {
                old.iter()
                    .find(|(n, _, _)| *n == t)
                    .cloned()
                    .unwrap_or_else(|| (t, if server { DcvMethod::Dns } else { DcvMethod::Email }, "admin".to_string()))
            })
            .collect();
        self.dcv.set(planned);
    }

    fn order(&self) -> OrderInput {
        OrderInput {
            client_id: self.client_id.get(),
            product_id: self.product_id.get(),
            validity_days: self.validity.get(),
            names: self.name_list().join("\n"),
            corporate: self.corporate.get(),
            technical: self.technical.get(),
            csr: if self.csr_mode.get() == CsrMode::Later { String::new() } else { self.csr.get() },
            dcv: self
                .dcv
                .get()
                .into_iter()
                .map(|(name, method, mailbox)| DcvChoice { name, method, mailbox })
                .collect(),
            default_dcv: DcvMethod::Dns,
            notify: self.notify.get(),
        }
    }
}

#[component]
fn OrderWizard(setup: OrderSetup) -> impl IntoView {
    let query = use_query_map();
    let first_client = query
        .with_untracked(|q| q.get("client"))
        .filter(|c| setup.clients.iter().any(|x| x.id == *c))
        .unwrap_or_else(|| setup.clients[0].id.clone());
    let w = Wizard::new(&setup, first_client);
    let step = RwSignal::new(0usize);

    let place = ServerAction::<PlaceOrder>::new();
    let place_error = last_error(place.value());
    Effect::new(move |_| {
        if let Some(Ok(r)) = w.check.value().get() {
            w.report.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(view)) = place.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/orders/{}", view.id), Default::default());
        }
    });

    let next = move |_| {
        w.local_error.set(None);
        let s = step.get();
        if let Some(problem) = w.problem_at(s) {
            w.local_error.set(Some(problem));
            return;
        }
        if s == 2 {
            w.plan_validations();
        }
        step.set((s + 1).min(STEPS.len() - 1));
    };
    let back = move |_| {
        w.local_error.set(None);
        step.update(|s| *s = s.saturating_sub(1));
    };
    let submit = move |_| {
        place.dispatch(PlaceOrder { order: w.order() });
    };

    view! {
        <ol class="steps" aria-label="Order steps">
            {STEPS.iter().enumerate().map(|(i, label)| view! {
                <li class:current={move || step.get() == i} class:done={move || step.get() > i}>{format!("Step {} :: {label}", i + 1)}</li>
            }).collect_view()}
        </ol>
        {(!setup.ca_ready).then(|| view! { <div class="notice">"This issuer has no issuing CA yet. You can place orders; they are issued once the operator has created it."</div> })}
        <section class="panel wizard">
            {move || w.local_error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            <FormError error=place_error/>
            {move || match step.get() {
                0 => view! { <ProductStep w=w/> }.into_any(),
                1 => view! { <ContactsStep w=w/> }.into_any(),
                2 => view! { <NamesStep w=w/> }.into_any(),
                3 => view! { <CsrStep w=w/> }.into_any(),
                4 => view! { <DcvStep w=w/> }.into_any(),
                _ => view! { <SummaryStep w=w/> }.into_any(),
            }}
            <div class="actions wizard-nav">
                {move || (step.get() > 0).then(|| view! { <button type="button" class="secondary" on:click=back>"Back"</button> })}
                {move || if step.get() + 1 < STEPS.len() {
                    view! { <button type="button" on:click=next>"Next"</button> }.into_any()
                } else {
                    view! { <button type="button" on:click=submit disabled=move || place.pending().get()>"Submit order"</button> }.into_any()
                }}
            </div>
        </section>
    }
}
