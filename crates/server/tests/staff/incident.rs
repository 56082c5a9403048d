//! The incident report counts exactly the customers the suspect received. A scripted attacker
//! (an admin restricted to `jakarta`) looks up a NIK whose 2-byte blind index also matches
//! another customer (a false positive the vault drops), looks up customers of another segment
//! (refused, answered like no match), reads a decoy, and reads one customer by id. The affected
//! list (and the report's letters and CSV) names the two customers handed out and nobody else.

use super::*;
use std::collections::BTreeSet;

/// A NIK of the shape `3174DD120590SSSS` whose NIK blind-index term equals `target`'s.
async fn colliding_nik(e: &Env, target: &str) -> String {
    let rec =
        e.h.store
            .keys_load()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.kind == "index" && r.state == "active")
            .unwrap();
    let root = jaga_crypto::keys::unwrap_under_root(&e.h.root, "index", rec.version, &rec.wrapped)
        .unwrap();
    let k = jaga_crypto::blind::BlindIndexKey::derive(&root, "national_id", 2);
    let want = k.term(target.as_bytes());
    for d in 1..=30 {
        for s in 1..=9999 {
            let nik = format!("3174{d:02}120590{s:04}");
            if nik != target && k.term(nik.as_bytes()) == want {
                return nik;
            }
        }
    }
    panic!("no colliding NIK in 300 000 tries");
}

async fn create(
    e: &Env,
    marker: &str,
    n: u32,
    segment: &str,
    nik: Option<String>,
) -> (String, String) {
    let mut c = marked_customer(marker, n);
    c.segment = Some(segment.into());
    if let Some(nik) = nik {
        c.national_id = Some(nik);
    }
    let created =
        e.h.vault
            .writer(&e.h.admin())
            .await
            .unwrap()
            .create(&c)
            .await
            .unwrap();
    (created.id.to_string(), created.code)
}

#[tokio::test]
async fn the_incident_lists_exactly_the_customers_the_suspect_received() {
    let e = env().await;
    let target_nik = jaga_testkit::nik(3);
    let hit = create(&e, "Hit", 3, "jakarta", None).await;
    let twin_nik = colliding_nik(&e, &target_nik).await;
    let twin = create(&e, "Twin", 5, "jakarta", Some(twin_nik)).await;
    let read = create(&e, "Read", 6, "jakarta", None).await;
    let foreign = create(&e, "Sby", 4, "surabaya", None).await;
    let untouched = create(&e, "Quiet", 7, "jakarta", None).await;
    let decoys =
        e.h.vault
            .honeytokens_plant(&e.h.admin(), 1, 0, 0, Some("jakarta"))
            .await
            .unwrap();
    let decoy = decoys[0].clone();
    let mut s = e.member("thief@shop.id", Role::Admin, &["jakarta"]).await;
    e.step_up(&mut s).await;
    let thief =
        e.h.store
            .staff_by_email("thief@shop.id")
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();

    // The NIK lookup: two candidates in the index, one true hit.
    let (st, v, _) = e
        .call(
            "GET",
            &format!("/v1/customers?national_id={target_nik}"),
            Some(&s),
            None,
            &[],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let got: Vec<&str> = v["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [hit.0.as_str()], "the false positive is dropped: {v}");
    // Another segment's customer, by e-mail and by code: refused like no match.
    for q in [
        "email=sby@example.co.id".to_string(),
        format!("code={}", foreign.1),
    ] {
        let (st, v, _) = e
            .call("GET", &format!("/v1/customers?{q}"), Some(&s), None, &[])
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["customers"], json!([]), "{q}: {v}");
    }
    // A decoy, and one customer by id.
    for id in [&decoy.id, &read.0] {
        let (st, v, _) = e
            .call("GET", &format!("/v1/customers/{id}"), Some(&s), None, &[])
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    e.h.vault.ids_drain().await.unwrap();
    let alerts = e.h.vault.alerts(&e.h.admin(), 10).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.rule == "honeytoken" && a.actor_id == thief),
        "{alerts:?}"
    );

    let inc =
        e.h.vault
            .incident_open(
                &e.h.admin(),
                None,
                Some("scripted attack"),
                Some(&format!("staff:{thief}")),
                Some(0),
            )
            .await
            .unwrap();
    let affected: BTreeSet<String> = inc.affected.iter().map(|a| a.code.clone()).collect();
    assert_eq!(
        affected,
        BTreeSet::from([hit.1.clone(), read.1.clone()]),
        "exactly the customers handed out: not the false positive {}, not the other segment's {}, \
         not the decoy {}, not the untouched {}",
        twin.1,
        foreign.1,
        decoy.code,
        untouched.1
    );
    let report =
        e.h.vault
            .incident_report(
                &e.h.admin(),
                &inc.id,
                jaga_i18n::Lang::En,
                "Toko Maju",
                "dpo@toko.test",
            )
            .await
            .unwrap();
    let letters: BTreeSet<String> = report.letters.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(letters, affected);
    let csv: BTreeSet<String> = report.csv.lines().skip(1).map(String::from).collect();
    assert_eq!(csv, affected);
    for (_, text) in &report.letters {
        assert!(
            !text.contains("masked_record") && text.contains("masked"),
            "categories in the reader's language: {text}"
        );
        assert!(text.contains("dpo@toko.test"));
    }
    // Without a contact there is no report (a letter must say whom to ask).
    for contact in ["", "-", "  "] {
        assert!(
            e.h.vault
                .incident_report(&e.h.admin(), &inc.id, jaga_i18n::Lang::En, "Toko", contact)
                .await
                .is_err(),
            "{contact:?}"
        );
    }
}
