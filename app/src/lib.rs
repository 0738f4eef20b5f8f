//! Signet's Leptos application, compiled twice: with `ssr` for the server and with `hydrate` for the browser.
// The views of a whole app make deep types; release builds need more room than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
#[cfg(feature = "keygen")]
pub mod keygen;
pub mod model;
pub mod pages;
#[cfg(feature = "pki")]
pub mod pki;
#[cfg(feature = "ssr")]
pub mod seal_html;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around every page (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // In the server-rendered shell rather than through leptos_meta's <Stylesheet>, which does not
                // hydrate cleanly here (it made the Wasm panic on the first page).
                <link rel="stylesheet" id="signet" href="/pkg/signet.css"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    use pages::*;
    // Effects only run in the browser: this marks the page once the Wasm has taken over, which tells
    // people's tools (and the end-to-end tests) that every control is live.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Pages render completely on the server before they are sent (SsrMode::Async), so that a missing session
    // becomes a real redirect and every page works before (and without) the Wasm.
    view! {
        // The base of the title stack: "Signet" while a page has not set its own (a page still loading, say).
        <Title text="" formatter=|t: String| if t.is_empty() { "Signet".to_string() } else { format!("{t} · Signet") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/reset-password/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view=InvitationPage ssr=SsrMode::Async/>
                <Route path=path!("/setup/:token") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/track/:token") view=TrackPage ssr=SsrMode::Async/>
                <Route path=path!("/dcv/:token") view=EmailDcvPage ssr=SsrMode::Async/>
                <Route path=path!("/csr-invite/:token") view=CsrInvitePage ssr=SsrMode::Async/>
                <Route path=path!("/tools/csr") view=CsrToolPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppShell ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("clients") view=ClientsPage ssr=SsrMode::Async/>
                    <Route path=path!("clients/new") view=NewClientPage ssr=SsrMode::Async/>
                    <Route path=path!("clients/new/:id/domains") view=NewClientDomainsPage ssr=SsrMode::Async/>
                    <Route path=path!("clients/new/:id/seal") view=NewClientSealPage ssr=SsrMode::Async/>
                    <Route path=path!("clients/:id") view=ClientPage ssr=SsrMode::Async/>
                    <Route path=path!("seals") view=SealsPage ssr=SsrMode::Async/>
                    <Route path=path!("seals/:id") view=SealPage ssr=SsrMode::Async/>
                    <Route path=path!("seal-types") view=CertTypesPage ssr=SsrMode::Async/>
                    <Route path=path!("groups") view=GroupsPage ssr=SsrMode::Async/>
                    <Route path=path!("activity") view=ActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("orders") view=OrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/new") view=NewOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/approvals") view=ApprovalsPage ssr=SsrMode::Async/>
                    <Route path=path!("orders/:id") view=OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("certificates") view=CertificatesPage ssr=SsrMode::Async/>
                    <Route path=path!("certificates/:id") view=CertificatePage ssr=SsrMode::Async/>
                    <Route path=path!("tools/self-signed") view=SelfSignedPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/ca") view=CaPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/products") view=ProductsPage ssr=SsrMode::Async/>
                    <Route path=path!("issuer") view=IssuerProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("acme") view=AcmePage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/issuers") view=IssuersPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/issuers/:id") view=IssuerDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/mail") view=MailPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/templates") view=TemplateEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("templates") view=TemplatesPage ssr=SsrMode::Async/>
                    <Route path=path!("newsletters") view=NewslettersPage ssr=SsrMode::Async/>
                    <Route path=path!("newsletters/new") view=NewNewsletterPage ssr=SsrMode::Async/>
                    <Route path=path!("newsletters/:id") view=NewsletterPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
