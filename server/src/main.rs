// Leptos views make deep types; the server embeds the whole app.
#![recursion_limit = "512"]
//! `signet`: the whole platform in one binary.

mod acme;
mod assets;
mod config;
#[cfg(test)]
mod entry_points;
mod http;
mod jobs;
mod keys;
mod rest;
mod rest_lifecycle;
mod revocation;
mod visitor;

use app::services::{accounts, clock::Clock, AppState, Settings};
use app::store::{DbSettings, Store};
use clap::Parser;
use config::{AdminCommand, Cli, Command, Config};
use std::io::BufRead;
use std::process::ExitCode;

// See server/Cargo.toml: most of a request's allocations are the embedded database's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.config.log);
    let result = match cli.command {
        None | Some(Command::Serve) => serve(cli.config).await,
        Some(Command::Admin(AdminCommand::CreateOperator { email, name })) => {
            create_operator(cli.config, &email, &name).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("signet: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
}

/// Opens the database and applies migrations; the same for serving and for admin commands.
async fn open(config: &Config) -> Result<AppState, String> {
    let endpoint = config.db_endpoint();
    let keys = keys::resolve(config, &endpoint)?;
    if endpoint.starts_with("surrealkv://") {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", config.data_dir.display()))?;
    }
    let store = Store::connect(&DbSettings {
        endpoint: endpoint.clone(),
        namespace: config.db_namespace.clone(),
        database: config.db_database.clone(),
        user: config.db_user.clone(),
        password: config.db_password.clone(),
    })
    .await
    .map_err(|e| format!("cannot open the database at {endpoint}: {e}"))?;
    let applied = store.migrate().await.map_err(|e| e.to_string())?;
    for name in applied {
        tracing::info!(migration = %name, "migration applied");
    }
    let settings = Settings {
        public_url: config.public_url(),
        session_idle: chrono::Duration::minutes(config.session_idle_minutes.max(1)),
        session_max: chrono::Duration::hours(config.session_max_hours.max(1)),
        smtp_url: config.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        mail_from: config.mail_from.clone(),
        newsletter_rate_per_minute: config.newsletter_rate,
        trusted_proxies: config.trusted_proxies(),
        pki_url: config.pki_url(),
        dcv: app::services::dcv::DcvSettings {
            dns_server: config.dcv_dns_server,
            http_connect: config.dcv_http_connect.clone().filter(|c| !c.trim().is_empty()),
            tls_connect: config.dcv_tls_connect.clone().filter(|c| !c.trim().is_empty()),
        },
        acme: app::services::acme::AcmeSettings {
            terms_url: config.acme_terms_url.clone().filter(|u| !u.trim().is_empty()),
            orders_per_hour: config.acme_orders_per_hour,
            pending_authorizations: config.acme_pending_authorizations,
        },
        check_tls_connect: config.check_tls_connect.clone().filter(|c| !c.trim().is_empty()),
    };
    let state =
        AppState::new(store, Clock::System, settings).with_link_key(keys.seal_link).with_master_key(keys.master);
    let resealed = app::services::ca::reseal_unbound_keys(&state)
        .await
        .map_err(|e| format!("cannot seal the CA keys again bound to their CA: {e}"))?;
    if resealed > 0 {
        tracing::info!(count = resealed, "CA keys sealed again, bound to their CA");
    }
    Ok(state)
}

async fn serve(config: Config) -> Result<(), String> {
    let state = open(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), address = %local, "Signet is listening");

    if let Some(token) = state.prepare_setup().await.map_err(|e| e.to_string())? {
        // Printed, not logged at a level that might be filtered: this is how the operator gets in.
        println!(
            "\nNo operator account exists yet. Open this one-time link to create it:\n\n    {}/setup/{token}\n",
            state.settings().public_url
        );
    }

    if !assets::has_wasm() {
        tracing::warn!(
            "this binary carries no Wasm client (build it with cargo-leptos); pages still work as plain forms"
        );
    }
    jobs::spawn(state.clone());
    let router = http::router(state);
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn create_operator(config: Config, email: &str, name: &str) -> Result<(), String> {
    let state = open(&config).await?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).map_err(|e| format!("cannot read the password: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let user = accounts::create_operator(&state, email, name, password).await.map_err(|e| e.to_string())?;
    println!("Operator account {} created.", user.email);
    Ok(())
}
