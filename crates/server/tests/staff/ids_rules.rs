//! Detection rules and containment through the API and the vault, each on its scripted attack:
//! an export, an admin and an API key from new addresses, a burst of failed sign-ins, repeated
//! card numbers, a staff bulk reveal stepped up (the very next request refused), and a decoy
//! read that seals the vault (the very next request fails).

use super::*;

/// Persists the queued firings and returns the alerts as `(rule, actor_id)`.
async fn alerts(e: &Env) -> Vec<(String, String, serde_json::Value)> {
    e.h.vault.ids_drain().await.unwrap();
    e.h.vault
        .alerts(&e.h.admin(), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.rule, a.actor_id, a.detail))
        .collect()
}

fn has(list: &[(String, String, serde_json::Value)], rule: &str, actor: &str) -> bool {
    list.iter().any(|(r, a, _)| r == rule && a == actor)
}

async fn staff_id(e: &Env, email: &str) -> String {
    e.h.store
        .staff_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

async fn api_key(e: &Env, scopes: &[Scope]) -> (String, String) {
    let k =
        e.h.vault
            .apikey_create(
                &e.h.admin(),
                "partner-sync",
                &scopes.iter().copied().collect(),
                None,
            )
            .await
            .unwrap();
    (k.id, k.token.expose_secret().to_string())
}

#[tokio::test]
async fn a_customer_export_fires_the_export_rule() {
    let e = env().await;
    let id = e.customer("Ekspor", 21, "default").await;
    let mut m = e.member("mgr@shop.id", Role::CsManager, &[]).await;
    e.step_up(&mut m).await;
    assert!(alerts(&e).await.is_empty(), "nothing before the export");
    let (st, v, _) = e
        .call(
            "POST",
            &format!("/v1/customers/{id}/export"),
            Some(&m),
            Some(json!({"purpose": "access request REQ-12"})),
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let a = alerts(&e).await;
    assert!(
        has(&a, "export", &staff_id(&e, "mgr@shop.id").await),
        "{a:?}"
    );
}

#[tokio::test]
async fn an_admin_and_an_api_key_from_new_addresses_fire_their_rules() {
    let e = env().await;
    let id = e.customer("Alamat", 22, "default").await;
    // The admin enrolled from 192.0.2.10 (learned silently); signing in from there again is
    // silent, from another address it fires.
    let m = e.member("adm@shop.id", Role::Admin, &[]).await;
    let admin = staff_id(&e, "adm@shop.id").await;
    let _ = e.login("adm@shop.id", &m.secret, "192.0.2.10").await;
    assert!(!has(&alerts(&e).await, "admin_new_address", &admin));
    let _ = e.login("adm@shop.id", &m.secret, "198.51.100.7").await;
    assert!(has(&alerts(&e).await, "admin_new_address", &admin));

    let (key_id, token) = api_key(&e, &[Scope::CustomersRead]).await;
    let bearer = format!("Bearer {token}");
    let get = |ip: &'static str| {
        let uri = format!("/v1/customers/{id}");
        let bearer = bearer.clone();
        let e = &e;
        async move {
            e.call(
                "GET",
                &uri,
                None,
                None,
                &[("authorization", &bearer), ("x-forwarded-for", ip)],
            )
            .await
            .0
        }
    };
    assert_eq!(get("192.0.2.50").await, StatusCode::OK);
    assert_eq!(get("192.0.2.50").await, StatusCode::OK);
    assert!(!has(&alerts(&e).await, "api_key_new_address", &key_id));
    assert_eq!(get("203.0.113.9").await, StatusCode::OK);
    let a = alerts(&e).await;
    assert!(has(&a, "api_key_new_address", &key_id), "{a:?}");
    assert!(
        !format!("{a:?}").contains("203.0.113.9"),
        "addresses are never in an alert"
    );
}

#[tokio::test]
async fn failed_sign_ins_and_repeated_card_numbers_fire_their_rules() {
    let e = env().await;
    // Ten failed sign-ins within ten minutes, each from its own address and account (no
    // throttle in the way): the tenth fires.
    for i in 0..10 {
        let ip = format!("198.51.100.{}", 20 + i);
        let (st, _, _) = e
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": format!("nobody{i}@shop.id"), "password": "salah sekali"})),
                &[("x-forwarded-for", ip.as_str())],
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        if i == 8 {
            assert!(
                !alerts(&e)
                    .await
                    .iter()
                    .any(|(r, _, _)| r == "failed_logins"),
                "not before the tenth"
            );
        }
    }
    assert!(
        alerts(&e)
            .await
            .iter()
            .any(|(r, _, _)| r == "failed_logins")
    );

    // Five requests carrying a card number from one key within ten minutes.
    let (key_id, token) = api_key(&e, &[Scope::CustomersWrite]).await;
    let bearer = format!("Bearer {token}");
    for i in 0..5 {
        let (st, v, _) = e
            .call(
                "POST",
                "/v1/customers",
                None,
                Some(json!({"full_name": "Budi", "notes": "kartu 4111 1111 1111 1111"})),
                &[("authorization", &bearer)],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        if i == 3 {
            assert!(!has(&alerts(&e).await, "card_refusals", &key_id));
        }
    }
    assert!(has(&alerts(&e).await, "card_refusals", &key_id));
}

#[tokio::test]
async fn a_staff_bulk_reveal_is_stepped_up_and_the_next_request_refused() {
    let e = env().await;
    let mut ids = Vec::new();
    for i in 0..22 {
        ids.push(e.customer(&format!("Massal{i}"), 30 + i, "default").await);
    }
    let mut s = e.member("bulk@shop.id", Role::Admin, &[]).await;
    e.step_up(&mut s).await;
    let purpose = [("x-jaga-purpose", "ticket CS-88 cek alamat")];
    for id in ids.iter().take(21) {
        let (st, v, _) = e
            .call(
                "GET",
                &format!("/v1/customers/{id}?reveal=email"),
                Some(&s),
                None,
                &purpose,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    // The 21st reveal fired the rule: the very next request is refused, before the worker ran.
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{}", ids[21]),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let member = staff_id(&e, "bulk@shop.id").await;
    let a = alerts(&e).await;
    let bulk = a
        .iter()
        .find(|(r, who, _)| r == "bulk_reveal" && *who == member)
        .unwrap();
    assert_eq!(bulk.2["containment"], "step_up");
    // Recorded: the session is ended, so it stays refused; signing in again (password and
    // second factor) is the step-up, and works.
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{}", ids[21]),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let again = e.login("bulk@shop.id", &s.secret, &s.ip).await;
    let (st, v, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{}", ids[21]),
            Some(&again),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn a_decoy_read_seals_the_vault_when_configured() {
    let e = env().await;
    let real = e.customer("Asli", 40, "default").await;
    let decoy =
        e.h.vault
            .honeytokens_plant(&e.h.admin(), 1, 0, 0, None)
            .await
            .unwrap()
            .remove(0);
    let mut config = jaga_core::ids::IdsConfig::default();
    config
        .containment
        .insert("honeytoken".into(), jaga_core::ids::Containment::Seal);
    e.h.vault.set_ids_config(config).unwrap();
    let (key_id, token) = api_key(&e, &[Scope::CustomersRead]).await;
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let (st, _, _) = e
        .call("GET", &format!("/v1/customers/{real}"), None, None, &auth)
        .await;
    assert_eq!(st, StatusCode::OK, "positive control");
    let (st, _, _) = e
        .call(
            "GET",
            &format!("/v1/customers/{}", decoy.id),
            None,
            None,
            &auth,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "the decoy answers like any customer");
    assert!(e.h.vault.is_sealed(), "sealed at once");
    let (st, _, _) = e
        .call("GET", &format!("/v1/customers/{real}"), None, None, &auth)
        .await;
    assert_ne!(st, StatusCode::OK, "the very next request fails");
    let a = alerts(&e).await;
    let hit = a
        .iter()
        .find(|(r, who, _)| r == "honeytoken" && *who == key_id)
        .unwrap();
    assert_eq!(hit.2["containment"], "seal");
    assert_eq!(hit.2["customer_code"], decoy.code.as_str());
}
