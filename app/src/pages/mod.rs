//! The pages. Each loads what it shows through server functions and posts forms to them; every form works
//! without the Wasm as a plain form post and gains inline validation once hydrated.

mod account;
mod acme;
mod activity_reports;
mod admin;
mod auth;
mod catalog;
mod certificates;
mod client_files;
mod clients;
mod dashboard;
mod issuer;
mod newsletters;
mod orders;
mod pki;
mod seal_mail;
mod seals;
mod shell;
mod templates;
mod tools;

pub use account::AccountPage;
pub use acme::AcmePage;
pub use admin::{AuditPage, IssueDetailPage as IssuerDetailPage, IssuersPage, MailPage};
pub use auth::{ForgotPasswordPage, InvitationPage, LoginPage, ResetPasswordPage, SetupPage};
pub use catalog::{CertTypesPage, GroupsPage};
pub use certificates::{CertificatePage, CertificatesPage};
pub use clients::{ClientPage, ClientsPage, NewClientDomainsPage, NewClientPage, NewClientSealPage};
pub use dashboard::DashboardPage;
pub use issuer::IssuerProfilePage;
pub use newsletters::{NewNewsletterPage, NewsletterPage, NewslettersPage};
pub use orders::{ApprovalsPage, CsrInvitePage, EmailDcvPage, NewOrderPage, OrderPage, OrdersPage, TrackPage};
pub use pki::{CaPage, ProductsPage};
pub use seals::{ActivityPage, SealPage, SealsPage};
pub use shell::{AppShell, NotFound};
pub use templates::{TemplateEditorPage, TemplatesPage};
pub use tools::{CsrToolPage, SelfSignedPage};
