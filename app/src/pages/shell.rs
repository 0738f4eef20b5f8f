//! The app shell: navigation as in the SafeSigned guide, the issuer selector, the signed-in person.

use crate::api::account::SelectIssuer;
use crate::api::auth::{current_viewer, Logout};
use crate::components::Mark;
use crate::model::Viewer;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

#[component]
pub fn AppShell() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Suspense fallback=|| view! { <p class="content">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(v)) => {
                        provide_context(v.clone());
                        view! { <SignedIn viewer=v/> }.into_any()
                    }
                    Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! { <main class="content"><div class="notice bad">{e.to_string()}</div></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(viewer: Viewer) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let logout = ServerAction::<Logout>::new();
    let is_admin = viewer.is_issuer_admin();
    let staff = viewer.is_issuer_staff();
    let customer = viewer.is_customer();
    let operator = viewer.operator;
    view! {
        <div class="shell">
            <aside class="sidebar" class:open=move || menu_open.get()>
                <div class="sidebar-head">
                    <a class="brand" href="/"><Mark/>"Signet"</a>
                    <button
                        type="button"
                        class="menu-toggle"
                        aria-expanded=move || menu_open.get().to_string()
                        aria-controls="main-nav"
                        on:click=move |_| menu_open.update(|o| *o = !*o)
                    >"Menu"</button>
                </div>
                // The SafeSigned order: Dashboard, Clients, Certificates, Certificate types, Groups, Templates,
                // Issuer profile, Newsletter. Entries appear here as their features land.
                <nav class="nav" id="main-nav" aria-label="Main">
                    <A href="/" exact=true>"Dashboard"</A>
                    {customer.then(|| view! {
                        <A href="/orders">"Orders"</A>
                        <A href="/orders/new">"New order"</A>
                        <A href="/certificates">"TLS certificates"</A>
                        <A href="/tools/self-signed">"Self-signed certificates"</A>
                    })}
                    {staff.then(|| view! {
                        <A href="/clients">"Clients"</A>
                        <A href="/seals">"Certificates"</A>
                        <A href="/orders">"TLS orders"</A>
                        <A href="/certificates">"TLS certificates"</A>
                        <A href="/tools/self-signed">"Self-signed certificates"</A>
                    })}
                    {is_admin.then(|| view! {
                        <A href="/orders/approvals">"Approvals"</A>
                        <A href="/acme">"ACME"</A>
                    })}
                    {(staff || operator).then(|| view! {
                        <A href="/seal-types">"Certificate types"</A>
                        <A href="/groups">"Groups"</A>
                    })}
                    {staff.then(|| view! {
                        <A href="/activity">"Copy attempts"</A>
                        <A href="/templates">"Templates"</A>
                        <A href="/issuer">"Issuer profile"</A>
                        <A href="/newsletters">"Newsletter"</A>
                    })}
                    {(is_admin && !operator).then(|| view! { <A href="/audit">"Audit log"</A> })}
                    {operator.then(|| view! {
                        <div class="nav-heading">"Operator"</div>
                        <A href="/admin/issuers">"Issuers"</A>
                        <A href="/admin/ca">"Certificate authority"</A>
                        <A href="/admin/products">"Products"</A>
                        <A href="/admin/templates">"Templates"</A>
                        <A href="/admin/mail">"Mail outbox"</A>
                        <A href="/audit">"Audit log"</A>
                    })}
                </nav>
            </aside>
            <div class="main">
                <header class="topbar">
                    <IssuerSelector viewer=viewer.clone()/>
                    <span class="spacer"></span>
                    <a class="who" href="/account" title="Your account">{viewer.name.clone()}</a>
                    <ActionForm action=logout>
                        <button type="submit" class="secondary">"Sign out"</button>
                    </ActionForm>
                </header>
                <main class="content" id="content">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// "Select issuer": only for people who belong to more than one issuer.
#[component]
fn IssuerSelector(viewer: Viewer) -> impl IntoView {
    let action = ServerAction::<SelectIssuer>::new();
    let current_name = viewer.current.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    if viewer.issuers.len() < 2 {
        return view! { <strong class="current-issuer">{current_name}</strong> }.into_any();
    }
    let current = viewer.current.as_ref().map(|c| c.id.clone()).unwrap_or_default();
    // Reload everything once the session has switched: every page shows the new issuer's data.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/");
            }
        }
    });
    view! {
        <ActionForm action attr:class="issuer-select actions">
            <label for="issuer-select" class="small muted">"Select issuer"</label>
            <select
                id="issuer-select"
                name="issuer_id"
                on:change=move |ev| {
                    action.dispatch(SelectIssuer { issuer_id: event_target_value(&ev) });
                }
            >
                {viewer.issuers.iter().map(|i| {
                    let selected = i.id == current;
                    view! { <option value=i.id.clone() selected=selected>{i.name.clone()}</option> }
                }).collect_view()}
            </select>
            <noscript><button type="submit" class="secondary">"Switch"</button></noscript>
        </ActionForm>
    }
    .into_any()
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <a href="/">"Go to the dashboard"</a>
            </div>
        </main>
    }
}
