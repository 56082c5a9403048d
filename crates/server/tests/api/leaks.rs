//! Smaller leaks (issue 10): lookup rate limits per API key, the lookup candidate cap reported
//! as `truncated`, and `/metrics` behind a key with the `metrics:read` scope.

use super::*;
use jaga_core::model::NewCustomer;
use jaga_core::vault::LookupLimits;

async fn audit_lines(a: &Api) -> Vec<String> {
    a.h.store
        .audit_events(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
        .collect()
}

#[tokio::test]
async fn lookups_are_rate_limited_per_api_key_with_retry_after_and_audited() {
    let a = api().await;
    a.h.vault.set_lookup_limits(LookupLimits {
        api_key_per_minute: 5,
        staff_per_minute: 5,
    });
    let key = a.key(ALL).await;
    let other = a.key(&[Scope::CustomersRead]).await;
    a.create(
        &key,
        json!({"full_name": "Dewi Sari", "email": "dewi@example.co.id"}),
    )
    .await;
    // Every kind of lookup (also invalid and code lookups) draws from the same allowance.
    let uris = [
        "/v1/customers?email=dewi@example.co.id",
        "/v1/customers?phone=081234567890",
        "/v1/customers?national_id=3174011205900001",
        "/v1/customers?code=JG-0000-0000-0",
        "/v1/customers?email=not-an-email",
    ];
    for uri in uris {
        let want = if uri.ends_with("not-an-email") {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let (s, v, _) = a.call("GET", uri, Some(&key), None, &[]).await;
        assert_eq!(s, want, "{uri}: {v}");
    }
    for uri in uris {
        let (s, v, h) = a.call("GET", uri, Some(&key), None, &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{uri}: {v}");
        assert_eq!(v["code"], "rate_limited");
        let retry: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert!(!v.to_string().contains("dewi"), "no value in the problem");
    }
    // Another key has its own allowance; reads by id are not lookups.
    let (s, v, _) = a.call("GET", uris[0], Some(&other), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customers"].as_array().unwrap().len(), 1);
    let denied = audit_lines(&a)
        .await
        .into_iter()
        .filter(|l| {
            l.contains("\"customer.lookup\"")
                && l.contains("\"denied\"")
                && l.contains("rate_limit")
        })
        .count();
    assert_eq!(denied, uris.len(), "every refused lookup is audited");
}

#[tokio::test]
async fn a_lookup_with_more_candidates_than_the_limit_says_truncated() {
    let a = api().await;
    let key = a.key(ALL).await;
    let admin = a.h.admin();
    let w = a.h.vault.writer(&admin).await.unwrap();
    let limit = jaga_core::vault::LOOKUP_LIMIT as usize;
    for i in 0..limit {
        w.create(&NewCustomer {
            full_name: format!("Pelanggan {i}"),
            email: Some("shared@example.co.id".into()),
            ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
        })
        .await
        .unwrap();
    }
    let uri = "/v1/customers?email=shared@example.co.id";
    let (s, v, _) = a.call("GET", uri, Some(&key), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customers"].as_array().unwrap().len(), limit);
    assert_eq!(v["truncated"], false, "exactly the limit is complete");
    assert_eq!(v["limit"], limit);
    w.create(&NewCustomer {
        full_name: "Pelanggan terakhir".into(),
        email: Some("shared@example.co.id".into()),
        ..serde_json::from_str(r#"{"full_name":"x"}"#).unwrap()
    })
    .await
    .unwrap();
    let (s, v, _) = a.call("GET", uri, Some(&key), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["customers"].as_array().unwrap().len(), limit);
    assert_eq!(v["truncated"], true, "one more than the limit is reported");
    // A lookup with no candidates is complete.
    let (_, v, _) = a
        .call(
            "GET",
            "/v1/customers?email=nobody@example.co.id",
            Some(&key),
            None,
            &[],
        )
        .await;
    assert_eq!(v["truncated"], false);
    assert_eq!(v["customers"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn metrics_need_an_api_key_with_the_metrics_scope() {
    let a = api().await;
    let reader = a.key(ALL).await;
    let scraper = a.key(&[Scope::MetricsRead]).await;
    let (s, v, _) = a.call("GET", "/metrics", None, None, &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        !v.to_string().contains("jaga_http"),
        "no counters without a key"
    );
    for bad in ["Bearer ", "Bearer jaga_nope", "Basic abc", "bearer x"] {
        let (s, _, _) = a
            .call("GET", "/metrics", None, None, &[("authorization", bad)])
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{bad}");
    }
    let (s, v, _) = a.call("GET", "/metrics", Some(&reader), None, &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "missing_scope");
    assert!(!v.to_string().contains("jaga_http"));
    let (s, v, h) = a.call("GET", "/metrics", Some(&scraper), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(v.as_str().unwrap().contains("jaga_auth_failures_total"));
    // The scraper's key opens nothing else.
    let (s, _, _) = a
        .call(
            "GET",
            "/v1/customers?email=a@b.co",
            Some(&scraper),
            None,
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        audit_lines(&a)
            .await
            .iter()
            .any(|l| l.contains("\"metrics.read\"") && l.contains("\"denied\"")),
        "the refused scrape is audited"
    );
}
