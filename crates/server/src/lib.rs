//! Jaga's HTTPS edge.
//!
//! [`router`] builds the axum application: `/v1` JSON API, operations endpoints, and the
//! middleware every request passes (request id, security headers, body limit, metrics, a
//! PII-free access log). [`serve`] runs it over TLS (rustls) with graceful shutdown.
//!
//! The staff console is its own crate (`jaga-console`): it plugs its pages in through
//! [`router_with`], so they pass the same edge middleware as the API.
//!
//! Handlers are thin: they authenticate ([`extract::Authed`]), parse bodies through the card
//! guard ([`extract::GuardedJson`]) and call a capability from `jaga-core`. No handler touches a
//! store directly.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod authorize;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod totp;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use jaga_core::staff::{StaffConfig, StaffService};
use jaga_core::vault::Vault;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Trust the last `X-Forwarded-For` address as the client's (only behind a TLS-terminating
    /// proxy that sets it); otherwise the socket peer address is the client.
    pub behind_proxy: bool,
    /// The address staff and customers reach Jaga at (`public_url`, e.g.
    /// `https://jaga.toko.example`), without a trailing slash. Every link Jaga writes
    /// (invitations, e-mails, alerts, letters) starts with it; links are never built from
    /// request headers (`Host` is client-chosen, and HTTP/2 does not send it).
    pub public_url: String,
    /// The shop's name and time zone (`[shop]`): what the console's pages and the customer's
    /// letter call the shop, and the zone every time is shown in.
    pub shop: jaga_core::letter::Shop,
}

/// The `public_url` of the default listen address with Jaga's own certificate.
pub const DEFAULT_PUBLIC_URL: &str = "https://127.0.0.1:8443";

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            body_limit: 1024 * 1024,
            behind_proxy: false,
            public_url: DEFAULT_PUBLIC_URL.into(),
            shop: jaga_core::letter::Shop::default(),
        }
    }
}

/// Shared state of all handlers.
pub struct AppState {
    /// The vault.
    pub vault: Arc<Vault>,
    /// Metrics.
    pub metrics: metrics::Metrics,
    /// Settings.
    pub config: ServerConfig,
    /// Serialises unseal attempts.
    pub unseal_lock: tokio::sync::Mutex<()>,
    /// Staff accounts, sessions and logins.
    pub staff: Arc<StaffService>,
    /// The audit log's verifier key (from the data directory; `jaga serve` sets it), with which
    /// the console's "verify now" checks the stored checkpoints' signatures. Unset: the tree is
    /// still checked, signatures are not.
    pub audit_verifier: std::sync::OnceLock<jaga_audit::VerifierKey>,
    /// Request handlers running now (each in its own task, see `run_to_completion`), including
    /// those whose client has hung up.
    in_flight: std::sync::atomic::AtomicUsize,
}

impl AppState {
    /// New state with the default staff settings.
    pub fn new(vault: Arc<Vault>, config: ServerConfig) -> Arc<Self> {
        let staff = Arc::new(StaffService::new(vault.clone(), StaffConfig::default()));
        Self::with_staff(vault, config, staff)
    }

    /// New state with a configured staff service (over the same vault).
    pub fn with_staff(
        vault: Arc<Vault>,
        config: ServerConfig,
        staff: Arc<StaffService>,
    ) -> Arc<Self> {
        Arc::new(Self {
            vault,
            metrics: metrics::Metrics::default(),
            config,
            unseal_lock: tokio::sync::Mutex::new(()),
            staff,
            audit_verifier: std::sync::OnceLock::new(),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// How many request handlers are running now, including those whose client hung up (they
    /// run to completion in their own tasks). Zero once every request taken has finished its
    /// work: what a test waits for instead of sleeping.
    pub fn handlers_in_flight(&self) -> usize {
        self.in_flight.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Counts a handler in [`AppState::handlers_in_flight`] while it lives.
struct InFlight(Arc<AppState>);

impl InFlight {
    fn enter(state: Arc<AppState>) -> Self {
        state
            .in_flight
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The JSON API and operations endpoints alone (no console pages), behind the edge middleware.
pub fn router(state: Arc<AppState>) -> Router {
    router_with(state, Router::new())
}

/// The application: the JSON API and operations endpoints plus `pages` (the staff console,
/// `jaga_console::mount`), all behind the same edge middleware (request id, security headers,
/// body limit, metrics, access log, run-to-completion, `Idempotency-Key` on POST).
pub fn router_with(state: Arc<AppState>, pages: Router<Arc<AppState>>) -> Router {
    use routes::{customers, orders, sys};
    Router::new()
        .route(
            "/v1/customers",
            get(customers::lookup).post(customers::create),
        )
        .route(
            "/v1/customers/{id}",
            get(customers::get)
                .patch(customers::update)
                .delete(customers::erase),
        )
        .route(
            "/v1/customers/{id}/export",
            axum::routing::post(routes::export::export),
        )
        .route(
            "/v1/customers/{id}/segment",
            axum::routing::post(customers::move_segment),
        )
        .route(
            "/v1/customers/{id}/orders",
            get(orders::list).post(orders::create),
        )
        .route("/v1/redact", axum::routing::post(routes::redact::redact))
        .route("/v1/events", axum::routing::post(routes::events::score))
        .route(
            "/v1/events/batch",
            axum::routing::post(routes::events::batch),
        )
        .route(
            "/v1/webhooks/{gateway}",
            axum::routing::post(routes::webhooks::receive),
        )
        .route(
            "/v1/mail/analyze",
            axum::routing::post(routes::mail::analyze)
                .layer(DefaultBodyLimit::max(routes::mail::MAIL_BODY_LIMIT)),
        )
        .route(
            "/v1/tokens/resolve",
            axum::routing::post(routes::tokens::resolve),
        )
        .merge(routes::auth::router())
        .merge(routes::staff::router())
        .merge(routes::fraud::router())
        .merge(routes::payees::router())
        .route("/v1/sys/seal-status", get(sys::seal_status))
        .route("/v1/sys/unseal", axum::routing::post(sys::unseal))
        .route("/healthz", get(sys::healthz))
        .route("/readyz", get(sys::readyz))
        .route("/metrics", get(sys::metrics))
        .route("/openapi.json", get(sys::openapi))
        .merge(routes::audit::router())
        .merge(routes::requests::router())
        .merge(pages)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            run_to_completion,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

async fn not_found() -> error::ApiError {
    error::ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; see /openapi.json",
    )
}

async fn method_not_allowed() -> error::ApiError {
    error::ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not accept that method",
    )
}

/// Request id, security headers, metrics and an access log without PII (the route template,
/// never the concrete path or query, which may hold an e-mail address).
async fn edge(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        // A client-chosen id goes into the access log and the audit log: never a card number.
        .filter(|v| !jaga_redact::card::contains_card_number(v))
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut()
        .insert(extract::RequestId(request_id.clone()));
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "<unmatched>".into());
    let mut res = next.run(req).await;
    let status = res.status().as_u16();
    state.metrics.response(status);
    tracing::info!(target: "jaga::access", %method, route, status, ms = started.elapsed().as_millis() as u64, request_id, "request");
    let h = res.headers_mut();
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=63072000; includeSubDomains"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The console sets its own (stricter-for-HTML) policy and caches its static assets.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    res
}

/// Runs the handler in its own task, so a client that hangs up does not cancel a request halfway
/// (between a store call and the audit it owes, or inside a commit). A handler panic becomes a
/// 500 problem instead of a dropped connection.
async fn run_to_completion(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    // Counted from before the task starts until it ends (the guard moves into the task).
    let counted = InFlight::enter(state);
    let task = async move {
        let _counted = counted;
        next.run(req).await
    };
    match tokio::spawn(task).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!("request handler panicked");
            axum::response::IntoResponse::into_response(error::ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            ))
        }
    }
}

/// TLS material in PEM form.
pub struct TlsFiles {
    /// Certificate chain PEM.
    pub cert_pem: Vec<u8>,
    /// Private key PEM.
    pub key_pem: Vec<u8>,
}

/// Serves `app` over HTTPS on `addr` until `shutdown` resolves, then drains connections for up
/// to 10 seconds. Binds first: a taken address is an error before anything is served.
pub async fn serve(
    app: Router,
    addr: SocketAddr,
    tls: TlsFiles,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_listener(app, std::net::TcpListener::bind(addr)?, tls, shutdown).await
}

/// Like [`serve`], on a listener that is already bound: bind port 0, read the port the system
/// chose from [`std::net::TcpListener::local_addr`], then serve (nothing else can take the port
/// in between).
pub async fn serve_listener(
    app: Router,
    listener: std::net::TcpListener,
    tls: TlsFiles,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = rustls_pemfile_certs(&tls.cert_pem)?;
    use rustls::pki_types::pem::PemObject;
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(&tls.key_pem)
        .map_err(|e| std::io::Error::other(format!("TLS key: {e}")))?;
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| std::io::Error::other(format!("TLS certificate: {e}")))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let rustls_cfg = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(cfg));
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        h.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    listener.set_nonblocking(true)?;
    // The address actually bound (with port 0 the system picks one).
    if let Ok(bound) = listener.local_addr() {
        tracing::info!(addr = %bound, "listening");
    }
    axum_server::from_tcp_rustls(listener, rustls_cfg)
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
}

fn rustls_pemfile_certs(
    pem: &[u8],
) -> std::io::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| std::io::Error::other(format!("TLS certificate: {e}")))
}
