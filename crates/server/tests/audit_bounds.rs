//! Nothing a caller sends can break the audit log (issue 10): every string a request puts into
//! an event is bounded and screened, the log keeps verifying, and a flood of refused requests
//! is written as a bounded number of events plus counted summaries.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jaga_core::auth::Scope;
use jaga_core::vault::refusals::PER_ACTOR;
use jaga_server::ServerConfig;
use secrecy::ExposeSecret;
use serde_json::Value;
use tower::ServiceExt;

const CARD: &str = "4111111111111111";

mod common;
use common::Api;

/// The default body limit of `jaga serve` (1 MiB).
async fn api() -> Api {
    common::api_with(ServerConfig::default()).await
}

impl Api {
    async fn key(&self, scopes: &[Scope]) -> String {
        let k = self
            .h
            .vault
            .apikey_create(
                &self.h.admin(),
                "test",
                &scopes.iter().copied().collect(),
                None,
            )
            .await
            .unwrap();
        k.token.expose_secret().to_string()
    }

    async fn post_raw(&self, uri: &str, key: &str, body: String) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn get(&self, uri: &str, key: &str) -> (StatusCode, Value) {
        let req = Request::builder()
            .uri(uri)
            .header("authorization", format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, v)
    }

    async fn size(&self) -> u64 {
        self.h.store.audit_head().await.unwrap().size
    }

    /// Raw leaves from position `from`.
    async fn leaves_from(&self, from: u64) -> Vec<Vec<u8>> {
        self.h
            .store
            .audit_events(from, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.leaf)
            .collect()
    }

    async fn assert_verifies(&self) {
        let out = jaga_core::audit::verify::verify_log(self.h.store.as_ref(), None, None)
            .await
            .unwrap();
        assert_eq!(out.problem, None, "{:?}", out.problems);
        assert!(out.problems.is_empty());
        jaga_testkit::conformance::verify_log(self.h.store.as_ref()).await;
    }
}

/// Bodies whose card-guard refusal path is huge, in the many shapes a JSON path can take.
fn hostile_bodies() -> Vec<String> {
    let long = "k".repeat(70_000);
    let quote = "\\\"".repeat(20_000);
    let ctl = "\\u0000\\n\\u001b".repeat(10_000);
    let wide = "\u{10348}".repeat(30_000);
    vec![
        // The issue's example: a 70,000-character key with a card inside.
        format!(r#"{{"{long}{CARD}": 1}}"#),
        // A 70,000-character key holding a card number value.
        format!(r#"{{"{long}": "{CARD}"}}"#),
        // Deeply nested long keys.
        format!(r#"{{"{long}": {{"{long}": {{"{long}": [1, 2, "{CARD}"]}}}}}}"#),
        // Characters that JSON-escape to several bytes each.
        format!(r#"{{"{quote}": "{CARD}"}}"#),
        format!(r#"{{"{ctl}": "{CARD}"}}"#),
        // Four-byte characters.
        format!(r#"{{"{wide}": "{CARD}"}}"#),
        // A card number in the key of a long path, then a card value.
        format!(r#"{{"a": {{"{long}": {{"{CARD}": "{CARD}"}}}}}}"#),
        // Many array levels.
        format!(r#"{{"x": {}"{CARD}"{}}}"#, "[".repeat(120), "]".repeat(120)),
    ]
}

/// Regression (issue 10): a `redact`-only key posting a 70,000-character JSON key with a card
/// number made an event over the decoder's limit, and verification stopped there for good.
#[tokio::test]
async fn refusals_with_huge_paths_are_bounded_and_the_log_keeps_verifying() {
    let a = api().await;
    // `customers:write`, so the body reaches the card guard (a key without it is refused
    // before its body is read, see `authz.rs`).
    let key = a.key(&[Scope::Redact, Scope::CustomersWrite]).await;
    let before = a.size().await;
    for body in hostile_bodies() {
        let (s, v) = a.post_raw("/v1/customers", &key, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["code"], "card_number_not_allowed", "{v}");
        assert!(!v.to_string().contains(CARD), "{v}");
    }
    let leaves = a.leaves_from(before).await;
    assert!(!leaves.is_empty(), "each refusal is audited");
    for leaf in &leaves {
        assert!(
            leaf.len() <= 4 * 1024,
            "a refusal event stays small: {} bytes",
            leaf.len()
        );
        let text = String::from_utf8_lossy(leaf);
        assert!(!text.contains(CARD), "no card number in the log: {text}");
        assert!(!text.contains(&"k".repeat(250)), "the path is cut: {text}");
        let ev = jaga_audit::event::decode(leaf).expect("every event decodes");
        assert!(ev.fields.iter().all(|f| !f.chars().any(char::is_control)));
    }
    a.assert_verifies().await;

    // The log still accepts and verifies ordinary events afterwards.
    let (s, _) = a
        .get("/v1/customers/00000000-0000-0000-0000-000000000000", &key)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    a.assert_verifies().await;
}

/// A flood of refused requests adds at most the budget per actor and action, then the rest is
/// one summary event with the count (never the values).
#[tokio::test]
async fn a_flood_of_refusals_is_written_within_the_budget_and_summarised() {
    let a = api().await;
    // `customers:write`, so the body reaches the card guard (a key without it is refused
    // before its body is read, see `authz.rs`).
    let key = a.key(&[Scope::Redact, Scope::CustomersWrite]).await;
    let before = a.size().await;
    let flood = 60u64;
    for i in 0..flood {
        let (s, _) = a
            .post_raw("/v1/customers", &key, format!(r#"{{"text{i}": "{CARD}"}}"#))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = a
            .get("/v1/customers/00000000-0000-0000-0000-000000000000", &key)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "refused whether audited or not");
    }
    let grown = a.size().await - before;
    assert_eq!(
        grown,
        2 * u64::from(PER_ACTOR),
        "individual events: the budget of each action"
    );
    // Closing the window writes one summary per actor and action.
    assert_eq!(a.h.vault.flush_refusals(true).await.unwrap(), 2);
    let summaries: Vec<_> = a
        .leaves_from(before)
        .await
        .iter()
        .map(|l| jaga_audit::event::decode(l).unwrap())
        .filter(|e| e.action == "audit.refusals_aggregated")
        .collect();
    assert_eq!(summaries.len(), 2);
    let rest = format!("count:{}", flood - u64::from(PER_ACTOR));
    for s in &summaries {
        assert!(s.fields.contains(&rest), "{:?}", s.fields);
        assert_eq!(s.actor_kind, jaga_audit::event::ActorKind::ApiKey);
    }
    assert!(summaries.iter().any(|s| {
        s.fields
            .contains(&"action:request.card_number_rejected".to_string())
    }));
    a.assert_verifies().await;
}
