//! Conformance of [`IdsStore`]: honeytoken markers, alerts (de-duplication lookup, hits,
//! delivery, one acknowledgement), containment, address digests and incidents; and the vault's
//! detection end to end on the store: a bulk reveal is contained at once and recorded.

use crate::{Harness, marked_customer};
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::{ActorKind, Caller, Scope};
use jaga_core::model::Field;
use jaga_core::store::{AlertRow, HoneytokenRow, IdsStore, IncidentRow, Store, SuspensionRow};
use std::sync::Arc;

fn alert(id: &str, dedup: &str, at: i64) -> AlertRow {
    AlertRow {
        id: id.into(),
        created_at: at,
        last_at: at,
        rule: "bulk_reveal".into(),
        severity: "high".into(),
        actor_kind: "api_key".into(),
        actor_id: "k1".into(),
        dedup: dedup.into(),
        hits: 1,
        detail: "{\"count\":\"21\"}".into(),
        acked_at: None,
        acked_by: None,
        delivered_at: None,
        incident_id: None,
    }
}

fn ev() -> AuditRecord {
    AuditRecord::new(&crate::system_caller("ids"), AuditAction::IdsAlert)
}

/// Every table of the port round-trips; writes that carry an audit record append it.
pub async fn ids_store_round_trips(store: Arc<dyn Store>) {
    let s: &dyn IdsStore = store.as_ref();
    let size = || async { store.audit_head().await.unwrap().size };
    let start = size().await;
    s.honeytoken_insert(HoneytokenRow {
        ref_id: "c1".into(),
        kind: "customer".into(),
        created_at: 5,
    })
    .await
    .unwrap();
    assert!(
        s.honeytoken_insert(HoneytokenRow {
            ref_id: "c1".into(),
            kind: "customer".into(),
            created_at: 6,
        })
        .await
        .is_err(),
        "one marker per record"
    );
    assert_eq!(s.honeytoken_list().await.unwrap().len(), 1);

    s.alert_insert(alert("al-1", "d1", 1_000), ev())
        .await
        .unwrap();
    s.alert_insert(alert("al-2", "d2", 2_000), ev())
        .await
        .unwrap();
    assert_eq!(size().await, start + 2, "each alert appends its event");
    assert_eq!(s.alert_recent("d1", 500).await.unwrap().unwrap().id, "al-1");
    assert!(
        s.alert_recent("d1", 1_001).await.unwrap().is_none(),
        "too old"
    );
    s.alert_bump("al-1", 1_500, None, false, ev())
        .await
        .unwrap();
    let a = s.alert_get("al-1").await.unwrap().unwrap();
    assert_eq!((a.hits, a.last_at), (2, 1_500));
    assert_eq!(size().await, start + 3, "a repeat appends its event");
    let list = s.alert_list(10).await.unwrap();
    assert_eq!(
        list.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["al-2", "al-1"]
    );
    assert_eq!(s.alert_undelivered(10).await.unwrap()[0].id, "al-1");
    s.alert_delivered("al-1", 3_000).await.unwrap();
    let left = s.alert_undelivered(10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, "al-2");
    assert!(s.alert_ack("al-1", "admin", 4_000, ev()).await.unwrap());
    assert!(
        !s.alert_ack("al-1", "other", 5_000, ev()).await.unwrap(),
        "acknowledged once"
    );
    assert!(!s.alert_ack("al-none", "x", 5_000, ev()).await.unwrap());
    assert_eq!(size().await, start + 4, "only the effective ack is audited");
    let a = s.alert_get("al-1").await.unwrap().unwrap();
    assert_eq!(
        (a.acked_at, a.acked_by.as_deref()),
        (Some(4_000), Some("admin"))
    );
    s.alert_link("al-1", "inc-1").await.unwrap();
    assert_eq!(
        s.alert_get("al-1")
            .await
            .unwrap()
            .unwrap()
            .incident_id
            .as_deref(),
        Some("inc-1")
    );

    let susp = |rule: &str, at| SuspensionRow {
        actor_kind: "api_key".into(),
        actor_id: "k1".into(),
        rule: rule.into(),
        at,
    };
    s.suspension_insert(susp("bulk_reveal", 10), ev())
        .await
        .unwrap();
    s.suspension_insert(susp("honeytoken", 20), ev())
        .await
        .unwrap();
    let l = s.suspension_list().await.unwrap();
    assert_eq!(l.len(), 1, "one containment per actor");
    assert_eq!((l[0].rule.as_str(), l[0].at), ("honeytoken", 20));
    assert!(s.suspension_delete("api_key", "k1", ev()).await.unwrap());
    assert!(!s.suspension_delete("api_key", "k1", ev()).await.unwrap());
    assert!(s.suspension_list().await.unwrap().is_empty());

    assert!(s.address_seen("api_key:k1", "aa", 1).await.unwrap());
    assert!(!s.address_seen("api_key:k1", "aa", 2).await.unwrap());
    assert!(s.address_seen("api_key:k1", "bb", 3).await.unwrap());
    assert_eq!(s.address_count("api_key:k1").await.unwrap(), 2);
    assert_eq!(s.address_count("api_key:k2").await.unwrap(), 0);

    let inc = IncidentRow {
        id: "inc-1".into(),
        opened_at: 100,
        discovered_at: 90,
        title: "bulk_reveal (al-1)".into(),
        actor_kind: Some("api_key".into()),
        actor_id: Some("k1".into()),
        window_from: 0,
        window_to: None,
        status: "open".into(),
        alert_id: Some("al-1".into()),
        timeline: "[]".into(),
    };
    s.incident_insert(inc.clone(), ev()).await.unwrap();
    let mut closed = inc.clone();
    closed.status = "closed".into();
    closed.window_to = Some(200);
    closed.timeline = "[{\"at\":\"x\",\"kind\":\"closed\",\"text\":\"closed\"}]".into();
    s.incident_update(closed.clone()).await.unwrap();
    assert_eq!(s.incident_get("inc-1").await.unwrap(), Some(closed));
    assert_eq!(s.incident_list().await.unwrap().len(), 1);
    assert!(s.incident_get("inc-2").await.unwrap().is_none());
}

/// The 21st reveal in an hour by one key contains it at once (before anything is written) and
/// the worker step records the alert, its audit event and the suspension; another key is not
/// affected.
pub async fn bulk_reveal_is_contained_and_recorded(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(
            w.create(&marked_customer(&format!("R{i}"), i))
                .await
                .unwrap()
                .id,
        );
    }
    let thief = Caller::for_tests(
        ActorKind::ApiKey,
        "thief",
        &[Scope::CustomersRead, Scope::CustomersReveal],
    );
    for (n, id) in ids.iter().enumerate().take(21) {
        assert!(
            !h.vault.is_suspended(ActorKind::ApiKey, "thief"),
            "not before the {}th reveal",
            n + 1
        );
        h.vault
            .revealer(&thief, Some("ticket 1"))
            .await
            .unwrap()
            .get(*id, &[Field::Email])
            .await
            .unwrap();
    }
    assert!(h.vault.is_suspended(ActorKind::ApiKey, "thief"));
    assert!(!h.vault.is_suspended(ActorKind::ApiKey, "testkey"));
    assert!(h.vault.ids_drain().await.unwrap() >= 1);
    let alerts = store.alert_list(10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].rule.as_str(), alerts[0].actor_id.as_str()),
        ("bulk_reveal", "thief")
    );
    let s = store.suspension_list().await.unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].actor_id, "thief");
    // The firing and the containment are in the audit log.
    let head = store.audit_head().await.unwrap().size;
    let events = store.audit_events(0, head as u32).await.unwrap();
    let actions: Vec<String> = events
        .iter()
        .filter_map(|e| jaga_audit::event::decode(&e.leaf).ok())
        .map(|e| e.action)
        .collect();
    assert!(actions.iter().any(|a| a == "ids.alert"));
    assert!(actions.iter().any(|a| a == "ids.contain"));
    // A restart (a fresh vault on the same store) picks the suspension up.
    let config = jaga_core::unseal::UnsealConfig::Keyfile {
        key_file: "root.key".into(),
        root_check: jaga_core::unseal::UnsealConfig::encode_check(
            &jaga_crypto::unseal::root_check(&h.root),
        ),
    };
    let again = jaga_core::vault::Vault::new(store.clone(), config);
    again.ids_refresh().await.unwrap();
    assert!(again.is_suspended(ActorKind::ApiKey, "thief"));
}

/// The `ids.alert` events in the log, decoded.
async fn alert_events(store: &Arc<dyn Store>) -> Vec<jaga_audit::event::AuditEvent> {
    let head = store.audit_head().await.unwrap().size;
    store
        .audit_events(0, head as u32)
        .await
        .unwrap()
        .iter()
        .filter_map(|e| jaga_audit::event::decode(&e.leaf).ok())
        .filter(|e| e.action == "ids.alert" || e.action == "ids.contain")
        .collect()
}

/// De-duplication does not hide a firing: each repeat is audited (the alert id and its new
/// count) and updates the alert; a repeat whose containment is stronger than the open alert's
/// (here: seal, after the configuration changed from alert) records it on the alert, clears
/// the acknowledgement and hands the alert to the channels again. The log names the alert
/// only (no rule, actor or customer code).
pub async fn every_firing_is_audited_and_an_escalation_is_delivered_again(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    h.vault.report_audit_verify_failure(Some(3));
    assert_eq!(h.vault.ids_drain().await.unwrap(), 1);
    let list = store.alert_list(10).await.unwrap();
    assert_eq!(list.len(), 1);
    let id = list[0].id.clone();
    h.vault.alert_mark_delivered(&id).await.unwrap();
    let ev = alert_events(&store).await;
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].fields,
        [
            format!("alert:{id}"),
            "count:1".to_string(),
            "containment:alert".to_string()
        ]
    );

    // A repeat: counted, audited, not delivered again.
    h.vault.report_audit_verify_failure(Some(4));
    h.vault.ids_drain().await.unwrap();
    let a = store.alert_get(&id).await.unwrap().unwrap();
    assert_eq!(a.hits, 2);
    assert!(a.delivered_at.is_some(), "a plain repeat is not sent again");
    let d: serde_json::Value = serde_json::from_str(&a.detail).unwrap();
    assert_eq!(
        d["first_bad_position"], "4",
        "the detail follows the latest firing"
    );
    let ev = alert_events(&store).await;
    assert_eq!(ev.len(), 2, "every firing is audited: {ev:?}");
    assert!(ev[1].fields.contains(&format!("alert:{id}")));
    assert!(ev[1].fields.contains(&"count:2".to_string()));
    assert!(
        store.alert_list(10).await.unwrap().len() == 1,
        "still one alert"
    );
    assert!(
        store
            .alert_ack(
                &id,
                "admin",
                1,
                AuditRecord::new(&crate::system_caller("t"), AuditAction::IdsAlertAck)
            )
            .await
            .unwrap()
    );

    // The same rule now seals: the repeat escalates the open alert.
    let mut config = jaga_core::ids::IdsConfig::default();
    config.containment.insert(
        "audit_verify_failed".into(),
        jaga_core::ids::Containment::Seal,
    );
    h.vault.set_ids_config(config).unwrap();
    h.vault.report_audit_verify_failure(Some(4));
    assert!(h.vault.is_sealed(), "sealed at once");
    h.vault.ids_drain().await.unwrap();
    let a = store.alert_get(&id).await.unwrap().unwrap();
    assert_eq!(a.hits, 3);
    let d: serde_json::Value = serde_json::from_str(&a.detail).unwrap();
    assert_eq!(d["containment"], "seal");
    assert!(a.delivered_at.is_none(), "an escalation is delivered again");
    assert!(a.acked_at.is_none(), "and needs a new acknowledgement");
    assert_eq!(h.vault.alerts_undelivered(10).await.unwrap()[0].id, id);
    let ev = alert_events(&store).await;
    let last_alert = ev.iter().rev().find(|e| e.action == "ids.alert").unwrap();
    assert!(last_alert.fields.contains(&"count:3".to_string()));
    assert!(last_alert.fields.contains(&"containment:seal".to_string()));
    assert!(ev.iter().any(|e| e.action == "ids.contain"
        && e.fields.contains(&format!("alert:{id}"))
        && e.fields.contains(&"containment:seal".to_string())));
    assert!(
        ev.iter()
            .filter(|e| e.action == "ids.contain")
            .all(|e| e.fields.iter().all(|f| !f.starts_with("subject:"))),
        "a seal names no actor (it may be a decoy): {ev:?}"
    );
    for e in &ev {
        assert!(
            e.fields
                .iter()
                .all(|f| !f.starts_with("rule:") && !f.starts_with("customer_code:")),
            "the log names the alert only: {e:?}"
        );
    }
}
