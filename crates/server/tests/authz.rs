//! Issue 10 through the router: routes authorise before they read a body, and the unseal
//! endpoint is no oracle once unsealed, is throttled and audited while sealed, derives keys off
//! the async workers, and cannot be spoiled by foreign shares.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use jaga_core::store::Store;
use jaga_core::unseal::UnsealConfig;
use jaga_core::vault::Vault;
use jaga_crypto::Key32;
use jaga_crypto::unseal::{PassphraseParams, root_check, share_fingerprint, split};
use jaga_server::{AppState, ServerConfig, router};
use jaga_testkit::Harness;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// A store in a temporary directory; the directory is removed when the returned guard drops
/// (keep it until the test ends).
async fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(
        jaga_store_sqlite::SqliteStore::open(&format!(
            "sqlite://{}",
            dir.path().join("t.db").display()
        ))
        .await
        .unwrap(),
    );
    (dir, store)
}

fn server_config() -> ServerConfig {
    ServerConfig {
        body_limit: 4 * 1024,
        behind_proxy: true,
        ..Default::default()
    }
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value, HeaderMap) {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let h = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v, h)
}

async fn actions(store: &Arc<dyn Store>) -> Vec<(String, String, String)> {
    let head = store.audit_head().await.unwrap();
    store
        .audit_events(0, head.size as u32)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            let v: Value = serde_json::from_slice(&e.leaf[1..]).unwrap();
            (
                v["action"].as_str().unwrap_or("").to_string(),
                v["outcome"].as_str().unwrap_or("").to_string(),
                v.to_string(),
            )
        })
        .collect()
}

// ---- authorise before parsing -------------------------------------------------------------

/// Bodies of every kind of wrongness, with their content types.
fn bad_bodies() -> Vec<(&'static str, String)> {
    vec![
        ("application/json", "{not json".into()),
        ("application/json", "{\"full_name\": 42, \"x\": []}".into()),
        ("application/json", "{\"unknown_field\": true}".into()),
        ("application/json", "[]".into()),
        ("application/json", "".into()),
        (
            "application/json",
            format!("{{\"full_name\": \"{}\"}}", "a".repeat(8 * 1024)),
        ),
        (
            "application/json",
            "{\"note\": \"4111 1111 1111 1111\"}".into(),
        ),
        ("text/plain", "hello".into()),
        ("application/x-www-form-urlencoded", "a=b".into()),
    ]
}

#[tokio::test]
async fn a_key_without_the_scope_is_refused_before_the_body_is_parsed() {
    let (_dir, store) = store().await;
    let h = Harness::new(store).await;
    let app = router(AppState::new(h.vault.clone(), server_config()));
    let id = h
        .vault
        .writer(&h.admin())
        .await
        .unwrap()
        .create(&jaga_testkit::marked_customer("Authz", 1))
        .await
        .unwrap()
        .id;
    // A read-only key, and a key with every scope except the one each route needs.
    let read_only = h
        .vault
        .apikey_create(
            &h.admin(),
            "ro",
            &[Scope::CustomersRead].into_iter().collect(),
            None,
        )
        .await
        .unwrap();
    let ro = format!("Bearer {}", read_only.token.expose_secret());
    let routes: Vec<(&str, String, Scope)> = vec![
        ("POST", "/v1/customers".into(), Scope::CustomersWrite),
        (
            "PATCH",
            format!("/v1/customers/{id}"),
            Scope::CustomersWrite,
        ),
        (
            "POST",
            format!("/v1/customers/{id}/orders"),
            Scope::OrdersWrite,
        ),
        ("POST", "/v1/tokens/resolve".into(), Scope::TokensResolve),
        ("POST", "/v1/redact".into(), Scope::Redact),
        ("POST", "/v1/events".into(), Scope::EventsWrite),
        ("POST", "/v1/events/batch".into(), Scope::EventsWrite),
        ("POST", "/v1/requests".into(), Scope::RequestsWrite),
        (
            "POST",
            format!("/v1/requests/{id}/close"),
            Scope::RequestsWrite,
        ),
        (
            "POST",
            format!("/v1/customers/{id}/consents"),
            Scope::RequestsWrite,
        ),
        // Last: its refusals may fall beyond the refusal budget's window and be aggregated.
        (
            "POST",
            format!("/v1/customers/{id}/segment"),
            Scope::CustomersMove,
        ),
    ];
    for (method, path, scope) in &routes {
        let all_but: std::collections::BTreeSet<Scope> =
            Scope::ALL.into_iter().filter(|s| s != scope).collect();
        let k = h
            .vault
            .apikey_create(&h.admin(), "all-but", &all_but, None)
            .await
            .unwrap();
        let all_but = format!("Bearer {}", k.token.expose_secret());
        for auth in [&ro, &all_but] {
            for (ct, body) in bad_bodies() {
                let (st, v, _) = call(
                    &app,
                    method,
                    path,
                    &[("authorization", auth), ("content-type", ct)],
                    &body,
                )
                .await;
                assert_eq!(
                    st,
                    StatusCode::FORBIDDEN,
                    "{method} {path} {ct} {body:.40}: {v}"
                );
                assert_eq!(v["code"], "missing_scope", "{v}");
                let text = v.to_string();
                assert!(
                    !text.contains("full_name") && !text.contains("line"),
                    "{text}"
                );
            }
        }
    }
    // Each refusal is audited, and none was mistaken for a card-number rejection.
    let acts = actions(&h.store).await;
    for a in [
        "customer.write",
        "order.create",
        "token.resolve",
        "text.redact",
        "fraud.event.score",
    ] {
        assert!(
            acts.iter().any(|(x, o, _)| x == a && o == "denied"),
            "{a} refusal audited"
        );
    }
    assert!(
        !acts
            .iter()
            .any(|(x, _, _)| x == "request.card_number_rejected")
    );
    // With the scope, the same bodies are judged as before.
    let full = h
        .vault
        .apikey_create(&h.admin(), "full", &Scope::ALL.into_iter().collect(), None)
        .await
        .unwrap();
    let full = format!("Bearer {}", full.token.expose_secret());
    let (st, v, _) = call(
        &app,
        "POST",
        "/v1/customers",
        &[
            ("authorization", &full),
            ("content-type", "application/json"),
        ],
        "{not json",
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, _, _) = call(
        &app,
        "POST",
        "/v1/customers",
        &[("authorization", &full), ("content-type", "text/plain")],
        "x",
    )
    .await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // No key at all: 401 before the body, whatever it is.
    for (ct, body) in bad_bodies() {
        let (st, _, _) = call(
            &app,
            "POST",
            "/v1/customers",
            &[("content-type", ct)],
            &body,
        )
        .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
}

// ---- unseal -------------------------------------------------------------------------------

const PASS: &str = "correct horse battery staple";

/// A sealed passphrase installation (cheap Argon2 parameters) and its router.
async fn passphrase_server(
    params: PassphraseParams,
) -> (Arc<Vault>, axum::Router, Arc<dyn Store>, tempfile::TempDir) {
    let (dir, store) = store().await;
    let root = Key32::random();
    Vault::initialize(store.as_ref(), &root).await.unwrap();
    let wrapped =
        jaga_crypto::unseal::wrap_with_passphrase(&root, &SecretString::from(PASS), &params)
            .unwrap();
    use base64::Engine;
    let config = UnsealConfig::Passphrase {
        params,
        wrapped_root: base64::engine::general_purpose::STANDARD.encode(wrapped),
        root_check: UnsealConfig::encode_check(&root_check(&root)),
    };
    let vault = Arc::new(Vault::new(store.clone(), config));
    let app = router(AppState::new(vault.clone(), server_config()));
    (vault, app, store, dir)
}

fn cheap() -> PassphraseParams {
    PassphraseParams::with_cost(8, 1, 1)
}

async fn unseal(app: &axum::Router, ip: &str, body: Value) -> (StatusCode, Value, HeaderMap) {
    call(
        app,
        "POST",
        "/v1/sys/unseal",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", ip),
        ],
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn once_unsealed_the_endpoint_tries_nothing() {
    let (vault, app, store, _dir) = passphrase_server(cheap()).await;
    let (st, v, _) = unseal(&app, "192.0.2.1", json!({"passphrase": PASS})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["sealed"], false);
    let before = actions(&store).await.len();
    // Wrong, right, malformed, foreign: all the same answer, and nothing is tried or logged.
    for body in [
        json!({"passphrase": "wrong guess"}),
        json!({"passphrase": PASS}),
        json!({"share": "jaga-share-v1:nonsense"}),
        json!({"share": "x", "passphrase": "y"}),
        json!({}),
    ] {
        let (st, v, _) = unseal(&app, "192.0.2.1", body.clone()).await;
        assert_eq!(st, StatusCode::OK, "{body}: {v}");
        assert_eq!(v["sealed"], false);
        assert_eq!(v["method"], "passphrase");
    }
    let (st, v, _) = call(
        &app,
        "POST",
        "/v1/sys/unseal",
        &[("content-type", "application/json")],
        "{garbage",
    )
    .await;
    assert_eq!((st, v["sealed"].clone()), (StatusCode::OK, json!(false)));
    assert_eq!(actions(&store).await.len(), before, "nothing was tried");
    assert!(!vault.is_sealed());
}

#[tokio::test]
async fn sealed_attempts_are_throttled_per_address_and_audited() {
    let (vault, app, store, _dir) = passphrase_server(cheap()).await;
    for i in 0..5 {
        let (st, v, _) = unseal(
            &app,
            "198.51.100.7",
            json!({"passphrase": format!("guess {i}")}),
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["code"], "unseal_failed");
    }
    // The sixth guess from that address waits, even with the right passphrase.
    let (st, v, h) = unseal(&app, "198.51.100.7", json!({"passphrase": PASS})).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(h.get("retry-after").is_some());
    assert!(vault.is_sealed());
    // Another address of the same IPv6 /64 is the same client…
    for i in 0..5 {
        let (st, _, _) = unseal(
            &app,
            &format!("2001:db8:5:6::{i}"),
            json!({"passphrase": "nope"}),
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
    }
    let (st, _, _) = unseal(&app, "2001:db8:5:6::ff", json!({"passphrase": PASS})).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    // …while the operator at another address unseals.
    let (st, v, _) = unseal(&app, "192.0.2.44", json!({"passphrase": PASS})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["sealed"], false);
    let acts = actions(&store).await;
    let denied = acts
        .iter()
        .filter(|(a, o, _)| a == "sys.unseal" && o == "denied")
        .count();
    assert_eq!(
        denied, 12,
        "10 wrong guesses and 2 throttled attempts are audited"
    );
    assert!(acts.iter().any(|(a, o, _)| a == "sys.unseal" && o == "ok"));
    assert!(
        !acts
            .iter()
            .any(|(_, _, e)| e.contains("guess") || e.contains("horse")),
        "no passphrase in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_guesses_is_tried_at_most_five_times() {
    let (_vault, app, store, _dir) = passphrase_server(cheap()).await;
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                unseal(
                    &app,
                    "198.51.100.9",
                    json!({"passphrase": format!("guess {i}")}),
                )
                .await
                .0
            })
        })
        .collect();
    let mut tried = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::BAD_REQUEST => tried += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(tried <= 5, "{tried} guesses were tried");
    let acts = actions(&store).await;
    let wrong = acts
        .iter()
        .filter(|(a, _, e)| a == "sys.unseal" && e.contains("wrong_material"))
        .count();
    assert_eq!(wrong, tried);
}

#[tokio::test(flavor = "current_thread")]
async fn the_key_derivation_does_not_block_the_async_workers() {
    // Expensive enough to notice: if Argon2 ran on the (only) async worker, the unseal request
    // would finish before a health check polled after it could answer.
    let (_vault, app, _store, _dir) =
        passphrase_server(PassphraseParams::with_cost(64 * 1024, 3, 1)).await;
    let slow = unseal(&app, "192.0.2.5", json!({"passphrase": "wrong guess"}));
    let health = call(&app, "GET", "/healthz", &[], "");
    tokio::pin!(slow);
    tokio::pin!(health);
    let first = tokio::select! {
        biased;
        _ = &mut slow => "unseal",
        _ = &mut health => "health",
    };
    assert_eq!(first, "health");
    assert_eq!(slow.await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn foreign_shares_in_a_burst_cannot_spoil_the_real_ones() {
    let (_dir, store) = store().await;
    let root = Key32::random();
    Vault::initialize(store.as_ref(), &root).await.unwrap();
    let shares: Vec<String> = split(&root, 2, 3)
        .unwrap()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let config = UnsealConfig::Shamir {
        threshold: 2,
        shares: 3,
        root_check: UnsealConfig::encode_check(&root_check(&root)),
        share_fingerprints: shares
            .iter()
            .map(|s| share_fingerprint(s).unwrap())
            .collect(),
    };
    let vault = Arc::new(Vault::new(store, config));
    let app = router(AppState::new(vault.clone(), server_config()));
    let (st, v, _) = unseal(&app, "192.0.2.1", json!({"share": shares[0]})).await;
    assert_eq!(
        (st, v["progress"].clone()),
        (StatusCode::OK, json!(1)),
        "{v}"
    );
    // Many attackers (one address each) send foreign shares at once: more than any global
    // limit would allow.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let foreign = split(&Key32::random(), 2, 3).unwrap()[1].to_string();
                unseal(&app, &format!("203.0.113.{i}"), json!({"share": foreign}))
                    .await
                    .0
            })
        })
        .collect();
    for t in tasks {
        let st = t.await.unwrap();
        assert!(
            st == StatusCode::BAD_REQUEST || st == StatusCode::TOO_MANY_REQUESTS,
            "{st}"
        );
    }
    assert_eq!(vault.status().progress, Some(1), "the real share is kept");
    let (st, v, _) = unseal(&app, "192.0.2.2", json!({"share": shares[2]})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["sealed"], false);
}
