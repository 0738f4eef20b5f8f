//! The one `Config`, read from command-line flags and `SIGNET_*` variables (a flag wins over a variable).

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "signet",
    version,
    about = "Signet: a self-hosted certificate issuer platform (trust seals and X.509 certificates) in one binary.",
    long_about = None,
    after_help = "Every option can also be set with the SIGNET_* environment variable shown beside it. \
                  Without a command, `signet` serves the application."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the application (the default).
    Serve,
    /// Administrative tasks for scripted installs.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an operator account. The password is read from standard input (one line).
    CreateOperator {
        /// The operator's e-mail address; it is also the sign-in name.
        #[arg(long)]
        email: String,
        /// The operator's display name.
        #[arg(long, default_value = "Operator")]
        name: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "SIGNET_LISTEN", default_value = "127.0.0.1:3000", global = true)]
    pub listen: SocketAddr,

    /// Folder for the embedded database and other local state. Back this folder up.
    #[arg(long, env = "SIGNET_DATA_DIR", default_value = "./signet-data", global = true)]
    pub data_dir: PathBuf,

    /// Database: empty for the embedded SurrealKV store in the data folder, `mem://` for a throw-away
    /// in-memory database, or `ws://host:port` / `wss://host` for a remote SurrealDB.
    #[arg(long, env = "SIGNET_DB", default_value = "", global = true)]
    pub db: String,

    /// SurrealDB namespace.
    #[arg(long, env = "SIGNET_DB_NAMESPACE", default_value = "signet", global = true)]
    pub db_namespace: String,

    /// SurrealDB database name.
    #[arg(long, env = "SIGNET_DB_DATABASE", default_value = "signet", global = true)]
    pub db_database: String,

    /// User for a remote SurrealDB (root level). Not used by the embedded store.
    #[arg(long, env = "SIGNET_DB_USER", default_value = "", global = true)]
    pub db_user: String,

    /// Password for a remote SurrealDB. Prefer the variable over the flag, which other users may see.
    #[arg(long, env = "SIGNET_DB_PASSWORD", default_value = "", hide_env_values = true, global = true)]
    pub db_password: String,

    /// The address people use to reach Signet, for links in e-mails and secure cookies
    /// (defaults to http://LISTEN). Use https://… in production.
    #[arg(long, env = "SIGNET_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Outgoing mail server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS).
    /// Add ?tls=none for a plain local relay. Without it, e-mail is kept in the operator's outbox.
    #[arg(long, env = "SIGNET_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// Sender of every e-mail.
    #[arg(long, env = "SIGNET_MAIL_FROM", default_value = "Signet <signet@localhost>", global = true)]
    pub mail_from: String,

    /// Newsletter e-mails handed to the SMTP server per minute, across all issuers (other mail is not held
    /// back). Keep it within what your mail provider accepts.
    #[arg(long, env = "SIGNET_NEWSLETTER_RATE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub newsletter_rate: u32,

    /// Sign a person out after this many minutes without a request.
    #[arg(long, env = "SIGNET_SESSION_IDLE_MINUTES", default_value_t = 60, global = true)]
    pub session_idle_minutes: i64,

    /// Sign a person out this many hours after they signed in, however active.
    #[arg(long, env = "SIGNET_SESSION_MAX_HOURS", default_value_t = 12, global = true)]
    pub session_max_hours: i64,

    /// Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front of Signet.
    #[arg(long, env = "SIGNET_TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// With --trust-proxy: how many reverse proxies in a row append to X-Forwarded-For (a CDN in front of a
    /// load balancer is 2). The client's address is the one this many places from the right; what the client
    /// itself put in the header further left is ignored.
    #[arg(long, env = "SIGNET_TRUSTED_PROXIES", default_value_t = 1, global = true)]
    pub trusted_proxies: usize,

    /// Base URL written into issued certificates for the CA certificate and CRL (`/pki/…`) and OCSP
    /// (`/ocsp`). Relying parties fetch these over plain http (BR 7.1.2), so the default is SIGNET_PUBLIC_URL
    /// with http instead of https. Point it at a host that forwards /pki/ and /ocsp to Signet.
    #[arg(long, env = "SIGNET_PKI_URL", global = true)]
    pub pki_url: Option<String>,

    /// The key that encrypts CA private keys at rest: 32 bytes as 64 hex digits or base64
    /// (`openssl rand -hex 32`). With the embedded database and neither this nor SIGNET_MASTER_KEY_FILE,
    /// Signet creates `master.key` (mode 0600) in the data folder; a remote database needs one of the two.
    #[arg(long, env = "SIGNET_MASTER_KEY", hide_env_values = true, global = true)]
    pub master_key: Option<String>,

    /// A file holding the master key (32 raw bytes, or 64 hex digits or base64), e.g. a mounted secret.
    #[arg(long, env = "SIGNET_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,

    /// The key that signs the seals' secure coded links, in the same forms as the master key. With the
    /// embedded database and neither this nor SIGNET_SEAL_LINK_KEY_FILE, Signet creates `seal-link.key` in the
    /// data folder; a remote database needs one of the two (the same on every instance).
    #[arg(long, env = "SIGNET_SEAL_LINK_KEY", hide_env_values = true, global = true)]
    pub seal_link_key: Option<String>,

    /// A file holding the seal-link key (32 raw bytes, or 64 hex digits or base64).
    #[arg(long, env = "SIGNET_SEAL_LINK_KEY_FILE", global = true)]
    pub seal_link_key_file: Option<PathBuf>,

    /// Domain validation: ask this DNS server (ip:port) for `_pki-validation` TXT records instead of the
    /// system's resolvers.
    #[arg(long, env = "SIGNET_DCV_DNS_SERVER", global = true)]
    pub dcv_dns_server: Option<SocketAddr>,

    /// Domain validation: fetch `/.well-known/pki-validation/` files from this host:port instead of the
    /// domain on port 80 (the Host header stays the domain). For tests and split-horizon networks.
    #[arg(long, env = "SIGNET_DCV_HTTP_CONNECT", global = true)]
    pub dcv_http_connect: Option<String>,

    /// Domain validation: make the TLS connections of ACME tls-alpn-01 to this host:port instead of the domain
    /// on port 443 (SNI stays the domain). For tests and split-horizon networks.
    #[arg(long, env = "SIGNET_DCV_TLS_CONNECT", global = true)]
    pub dcv_tls_connect: Option<String>,

    /// The terms of service ACME clients agree to, shown as the directory's `meta.termsOfService`.
    #[arg(long, env = "SIGNET_ACME_TERMS_URL", global = true)]
    pub acme_terms_url: Option<String>,

    /// The installation check: connect to this host (the port stays the one checked) instead of the name's
    /// public addresses. For tests and split-horizon networks.
    #[arg(long, env = "SIGNET_CHECK_TLS_CONNECT", global = true)]
    pub check_tls_connect: Option<String>,

    /// ACME: orders one account may place in an hour (more are answered `rateLimited`).
    #[arg(long, env = "SIGNET_ACME_ORDERS_PER_HOUR", default_value_t = 300, global = true)]
    pub acme_orders_per_hour: u32,

    /// ACME: authorizations waiting for a challenge that the accounts of one binding may hold together.
    #[arg(long, env = "SIGNET_ACME_PENDING_AUTHORIZATIONS", default_value_t = 1000, global = true)]
    pub acme_pending_authorizations: u32,

    /// Log filter, e.g. `info` or `signet=debug,info`.
    #[arg(long, env = "SIGNET_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl Config {
    /// Proxies whose `X-Forwarded-For` entries are believed (0 without --trust-proxy).
    pub fn trusted_proxies(&self) -> usize {
        if self.trust_proxy {
            self.trusted_proxies
        } else {
            0
        }
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.listen),
        }
    }

    /// The base of certificate URLs: SIGNET_PKI_URL, or the public URL over plain http.
    pub fn pki_url(&self) -> String {
        match &self.pki_url {
            Some(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
            _ => {
                let public = self.public_url();
                match public.strip_prefix("https://") {
                    Some(rest) => format!("http://{rest}"),
                    None => public,
                }
            }
        }
    }

    /// The SurrealDB endpoint, with the embedded default resolved to the data folder.
    pub fn db_endpoint(&self) -> String {
        if self.db.trim().is_empty() {
            format!("surrealkv://{}", self.data_dir.join("db").display())
        } else {
            self.db.trim().to_string()
        }
    }
}
