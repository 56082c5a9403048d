//! Conformance of `PayeeStore`: payees with their first version, bank-detail versions that
//! are added and never overwritten (a duplicate version writes nothing), one decision per
//! pending version, payouts with optimistic concurrency, all-or-nothing export marking, the
//! notices to a payee's previous contact; and the vault's payee capability on the store: data
//! sealed, versions kept, payouts held without verified details, refusals audited.

use crate::Harness;
use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Scope;
use jaga_core::store::{BankVersionRow, PayeeRow, PayoutRow, Store, StoreError};
use jaga_core::vault::{BankInput, NewPayee, NewPayout};
use jaga_core::{CoreError, ForbiddenReason};
use std::sync::Arc;

fn ev(action: AuditAction) -> AuditRecord {
    AuditRecord::new(&crate::system_caller("payees"), action)
}

fn version(payee: &str, v: i64, status: &str) -> BankVersionRow {
    BankVersionRow {
        payee_id: payee.into(),
        version: v,
        details: vec![v as u8; 40],
        status: status.into(),
        requested_by: "fina".into(),
        requested_at: 1_000 + v,
        call_by: None,
        call_at: None,
        call_record: None,
    }
}

fn payout(id: &str, payee: &str, at: i64) -> PayoutRow {
    PayoutRow {
        id: id.into(),
        payee_id: payee.into(),
        amount: 2_500_000,
        details_version: 1,
        required: 1,
        recent_change: false,
        status: "pending_approval".into(),
        created_by: "fina".into(),
        created_at: at,
        remark: Some(vec![9; 30]),
        approvals: "[]".into(),
        rev: 1,
    }
}

/// Every statement of the port, with its audit record in the same transaction.
pub async fn payee_store_round_trips(store: Arc<dyn Store>) {
    let size = || async { store.audit_head().await.unwrap().size };
    let start = size().await;
    let p = "5a3c1d9e-0000-4000-8000-000000000001";
    let row = PayeeRow {
        id: p.into(),
        kind: "supplier".into(),
        name: vec![1, 2, 3],
        contacts: vec![4, 5, 6],
        created_by: "fina".into(),
        created_at: 1_000,
    };
    store
        .payee_insert(
            row.clone(),
            version(p, 1, "pending_verification"),
            ev(AuditAction::PayeeCreate),
        )
        .await
        .unwrap();
    assert_eq!(size().await, start + 1);
    assert_eq!(store.payee_get(p).await.unwrap(), Some(row.clone()));
    assert_eq!(store.payee_get("nope").await.unwrap(), None);
    assert_eq!(store.payee_list().await.unwrap(), vec![row]);

    // A decision on the pending version, once.
    let mut decided = version(p, 1, "verified");
    decided.details = Vec::new();
    decided.call_by = Some("dewi".into());
    decided.call_at = Some(2_000);
    decided.call_record = Some(vec![7; 20]);
    store
        .bank_version_decide(decided.clone(), ev(AuditAction::PayeeBankVerify))
        .await
        .unwrap();
    assert!(matches!(
        store
            .bank_version_decide(decided, ev(AuditAction::PayeeBankVerify))
            .await,
        Err(StoreError::Concurrent)
    ));
    assert_eq!(
        size().await,
        start + 2,
        "a refused decision appends nothing"
    );

    // A change is a new version; the old one is untouched; a duplicate writes nothing.
    store
        .bank_version_insert(
            version(p, 2, "pending_verification"),
            ev(AuditAction::PayeeBankChange),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .bank_version_insert(
                version(p, 2, "pending_verification"),
                ev(AuditAction::PayeeBankChange)
            )
            .await,
        Err(StoreError::Unique("payee_bank_version"))
    ));
    assert_eq!(size().await, start + 3);
    let vs = store.bank_versions(p).await.unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!(
        (vs[0].status.as_str(), vs[0].details.clone()),
        ("verified", vec![1u8; 40]),
        "the decision leaves the details as they were"
    );
    assert_eq!(vs[0].call_by.as_deref(), Some("dewi"));
    assert_eq!(vs[0].call_record, Some(vec![7; 20]));
    assert_eq!(vs[1].status, "pending_verification");

    // The change queued one notice to the previous contact.
    let notices = store.payee_notices_pending(10).await.unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].payee_id.as_str(), notices[0].version), (p, 2));
    store.payee_notice_delivered(p, 2, 3_000).await.unwrap();
    assert!(store.payee_notices_pending(10).await.unwrap().is_empty());

    // Payouts: insert, list by status, stale update refused, export marking all or nothing.
    let (a, b) = ("po-a", "po-b");
    store
        .payout_insert(payout(a, p, 10), ev(AuditAction::PayoutCreate))
        .await
        .unwrap();
    store
        .payout_insert(payout(b, p, 20), ev(AuditAction::PayoutCreate))
        .await
        .unwrap();
    let got = store.payout_get(a).await.unwrap().unwrap();
    assert_eq!(got, payout(a, p, 10));
    let all = store.payout_list(None, 10).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec![b, a],
        "newest first"
    );
    let mut approved = got.clone();
    approved.status = "approved".into();
    approved.approvals = r#"[{"by":"dewi","at":30}]"#.into();
    approved.rev = 2;
    store
        .payout_update(approved.clone(), ev(AuditAction::PayoutApprove))
        .await
        .unwrap();
    assert!(matches!(
        store
            .payout_update(approved.clone(), ev(AuditAction::PayoutApprove))
            .await,
        Err(StoreError::Concurrent)
    ));
    assert_eq!(
        store.payout_list(Some("approved"), 10).await.unwrap(),
        vec![approved]
    );
    let before = size().await;
    assert!(matches!(
        store
            .payouts_mark_exported(&[a.into(), b.into()], ev(AuditAction::PayoutExport))
            .await,
        Err(StoreError::Concurrent)
    ));
    assert_eq!(size().await, before);
    assert_eq!(
        store.payout_get(a).await.unwrap().unwrap().status,
        "approved",
        "nothing was marked"
    );
    store
        .payouts_mark_exported(&[a.into()], ev(AuditAction::PayoutExport))
        .await
        .unwrap();
    assert_eq!(
        store.payout_get(a).await.unwrap().unwrap().status,
        "exported"
    );
    assert_eq!(size().await, before + 1);
}

fn bank(account: &str) -> BankInput {
    BankInput {
        bank: "BCA".into(),
        account_number: account.into(),
        holder: "PT Glow Beauty Marker".into(),
    }
}

/// Through the vault: values are sealed in the store, a change keeps every version, a payout
/// is refused while no details are verified, a second pending change and a missing scope are
/// refused, and each refusal is audited.
pub async fn payees_are_sealed_versioned_and_held(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let caller = h.caller(&[Scope::PayeesRead, Scope::PayeesWrite, Scope::PayoutsWrite]);
    let payees = h.vault.payees(&caller).unwrap();
    let p = payees
        .create(&NewPayee {
            kind: None,
            name: "Glow Beauty Marker".into(),
            phone: "0812 3456 7890".into(),
            email: Some("Billing@GlowBeauty.co.id".into()),
            contact_name: None,
            bank: bank("283 019 9401"),
        })
        .await
        .unwrap();
    assert_eq!(p.kind, "supplier");
    assert_eq!(p.phone, "+6281234567890");
    assert_eq!(p.versions[0].account_number, "2830199401");
    assert_eq!((p.payable_version, p.pending_version), (None, Some(1)));

    let raw = store.payee_get(&p.id).await.unwrap().unwrap();
    let hay = [raw.name.clone(), raw.contacts.clone()].concat();
    for needle in ["Marker", "Glow", "6281234567890", "glowbeauty"] {
        assert!(
            !hay.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} stored in clear"
        );
    }
    let v1 = &store.bank_versions(&p.id).await.unwrap()[0];
    assert!(!v1.details.windows(10).any(|w| w == b"2830199401"));

    // Without verified details a payout is refused (held).
    let id: uuid::Uuid = p.id.parse().unwrap();
    let held = payees
        .create_payout(&NewPayout {
            payee_id: id,
            amount: 1_000_000,
            remark: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&held, CoreError::Invalid(e) if e[0].code == "no_verified_details"),
        "{held:?}"
    );
    // A second change while one is pending is refused; the versions are unchanged.
    let again = payees
        .request_change(id, &bank("1370012345678"))
        .await
        .unwrap_err();
    assert!(matches!(&again, CoreError::Invalid(e) if e[0].code == "change_pending"));
    assert_eq!(store.bank_versions(&p.id).await.unwrap().len(), 1);
    // The call-back needs a person: an API key is refused, audited.
    let call = jaga_core::vault::CallInput {
        number_called: "081234567890".into(),
        confirmed: "last four 9401".into(),
        reference: "K7Q2".into(),
        approved: true,
    };
    let e = payees.verify(id, 1, &call).await.unwrap_err();
    assert!(matches!(
        e,
        CoreError::Forbidden(ForbiddenReason::StaffSession)
    ));
    // Domains for the mail analyzer.
    let reader = h.caller(&[Scope::PayeesRead]);
    let domains = h
        .vault
        .mail_analyzer(&reader)
        .await
        .unwrap()
        .payee_domains()
        .await
        .unwrap();
    assert_eq!(domains, vec!["glowbeauty.co.id".to_string()]);
    // A payee at a free-mail address: its domain is not a partner's domain (no AUTH_PASS credit
    // for every gmail.com sender), and only its own address matches it as a sender.
    let free = payees
        .create(&NewPayee {
            kind: Some("refund".into()),
            name: "Budi Refund Marker".into(),
            phone: "0813 1111 2222".into(),
            email: Some("budi.marker@gmail.com".into()),
            contact_name: None,
            bank: bank("0372881102"),
        })
        .await
        .unwrap();
    let mailer = h.vault.mail_analyzer(&reader).await.unwrap();
    assert_eq!(
        mailer.payee_domains().await.unwrap(),
        vec!["glowbeauty.co.id".to_string()]
    );
    let from = |addr: &str| format!("From: <{addr}>\r\nSubject: x\r\n\r\nhalo\r\n").into_bytes();
    let m = mailer
        .sender_payee(&from("Billing@glowbeauty.co.id"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.id.as_str(), m.matched_by), (p.id.as_str(), "email"));
    let m = mailer
        .sender_payee(&from("rina@glowbeauty.co.id"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.id.as_str(), m.matched_by), (p.id.as_str(), "domain"));
    let m = mailer
        .sender_payee(&from("budi.marker@gmail.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.id.as_str(), m.matched_by), (free.id.as_str(), "email"));
    assert_eq!(
        mailer
            .sender_payee(&from("stranger@gmail.com"))
            .await
            .unwrap(),
        None
    );
    // Without payees:write: refused and audited.
    let before = store.audit_head().await.unwrap().size;
    let e = h
        .vault
        .payees(&reader)
        .unwrap()
        .request_change(id, &bank("1370012345678"))
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        CoreError::Forbidden(ForbiddenReason::Scope(Scope::PayeesWrite))
    ));
    assert_eq!(store.audit_head().await.unwrap().size, before + 1);
}

/// A payee's sealed contacts are replaced only while they are what the writer read
/// (compare-and-swap), with the notice queued in the same transaction; a stale write writes
/// nothing.
pub async fn payee_contacts_swap_once(store: Arc<dyn Store>) {
    use jaga_core::store::PayeeNoticeRow;
    let size = || async { store.audit_head().await.unwrap().size };
    let p = "5a3c1d9e-0000-4000-8000-0000000000c1";
    let row = PayeeRow {
        id: p.into(),
        kind: "supplier".into(),
        name: vec![1, 2, 3],
        contacts: vec![4, 5, 6],
        created_by: "fina".into(),
        created_at: 1_000,
    };
    store
        .payee_insert(
            row.clone(),
            version(p, 1, "verified"),
            ev(AuditAction::PayeeCreate),
        )
        .await
        .unwrap();
    let start = size().await;
    let notice = PayeeNoticeRow {
        payee_id: p.into(),
        version: -2,
        created_at: 5_000,
    };
    store
        .payee_contacts_update(
            p,
            vec![4, 5, 6],
            vec![7, 8, 9],
            Some(notice.clone()),
            ev(AuditAction::PayeeContactChange),
        )
        .await
        .unwrap();
    assert_eq!(
        store.payee_get(p).await.unwrap().unwrap().contacts,
        vec![7, 8, 9]
    );
    assert_eq!(size().await, start + 1);
    assert!(
        store
            .payee_notices_pending(100)
            .await
            .unwrap()
            .contains(&notice)
    );
    // Written from a stale read: refused, nothing written, nothing audited.
    assert!(matches!(
        store
            .payee_contacts_update(
                p,
                vec![4, 5, 6],
                vec![1; 3],
                None,
                ev(AuditAction::PayeeContactVerify),
            )
            .await,
        Err(StoreError::Concurrent)
    ));
    assert_eq!(
        store.payee_get(p).await.unwrap().unwrap().contacts,
        vec![7, 8, 9]
    );
    assert_eq!(size().await, start + 1);
    // The same notice twice: refused, the contacts are not written either.
    assert!(
        store
            .payee_contacts_update(
                p,
                vec![7, 8, 9],
                vec![2; 3],
                Some(notice),
                ev(AuditAction::PayeeContactChange),
            )
            .await
            .is_err()
    );
    assert_eq!(
        store.payee_get(p).await.unwrap().unwrap().contacts,
        vec![7, 8, 9]
    );
    assert_eq!(size().await, start + 1);
}
