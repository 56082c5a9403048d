//! Store conformance for the staff port: accounts, single-use secrets (TOTP steps, recovery
//! codes, invitations), sessions and throttle counters, identical on SQLite and PostgreSQL.

use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::auth::Caller;
use jaga_core::store::{InvitationRow, SessionRow, StaffRow, Store, StoreError};
use std::sync::Arc;
use uuid::Uuid;

fn audit(action: AuditAction) -> AuditRecord {
    AuditRecord::new(&crate::system_caller("test"), action)
}

/// A staff row for tests.
pub fn staff_row(email: &str) -> StaffRow {
    StaffRow {
        id: Uuid::new_v4(),
        email: email.into(),
        name: "Test".into(),
        role: "cs_staff".into(),
        segments: String::new(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        totp_secret: Some(vec![1, 2, 3]),
        totp_confirmed: false,
        totp_last_step: None,
        agreement_version: None,
        agreement_accepted_at: None,
        disabled_at: None,
        version: 1,
        created_at: 1,
        updated_at: 1,
    }
}

fn session(staff: Uuid, n: u8) -> SessionRow {
    SessionRow {
        digest: vec![n; 32],
        handle: Uuid::new_v4(),
        staff_id: staff,
        state: "active".into(),
        csrf: format!("csrf{n}"),
        created_at: 100,
        last_seen_at: 100,
        step_up_at: Some(100),
        ip: "10.0.0.1".into(),
        user_agent: "test".into(),
    }
}

/// Insert, unique e-mail, lookups, optimistic update, and the audit events written with them.
pub async fn staff_accounts_round_trip(store: Arc<dyn Store>) {
    let head0 = store.audit_head().await.unwrap().size;
    let a = staff_row("a@shop.id");
    store
        .staff_insert(a.clone(), audit(AuditAction::StaffInvitationAccept))
        .await
        .unwrap();
    let dup = staff_row("a@shop.id");
    assert!(matches!(
        store
            .staff_insert(dup, audit(AuditAction::StaffInvitationAccept))
            .await,
        Err(StoreError::Unique("staff_email"))
    ));
    assert_eq!(store.staff_get(a.id).await.unwrap().unwrap(), a);
    assert_eq!(
        store.staff_by_email("a@shop.id").await.unwrap().unwrap().id,
        a.id
    );
    assert!(store.staff_by_email("b@shop.id").await.unwrap().is_none());
    let mut up = a.clone();
    up.role = "admin".into();
    up.version = 2;
    store
        .staff_update(up.clone(), Some(audit(AuditAction::StaffRoleChange)))
        .await
        .unwrap();
    // A second writer holding the old version loses.
    assert!(matches!(
        store.staff_update(up.clone(), None).await,
        Err(StoreError::Concurrent)
    ));
    let got = store.staff_get(a.id).await.unwrap().unwrap();
    assert_eq!(got.role, "admin");
    assert_eq!(store.staff_list().await.unwrap().len(), 1);
    assert_eq!(store.audit_head().await.unwrap().size, head0 + 2);
}

/// TOTP steps are accepted once and never backwards; recovery codes and invitations are used
/// once.
pub async fn staff_secrets_are_single_use(store: Arc<dyn Store>) {
    let a = staff_row("totp@shop.id");
    store
        .staff_insert(a.clone(), audit(AuditAction::StaffInvitationAccept))
        .await
        .unwrap();
    assert!(store.staff_totp_step(a.id, 100).await.unwrap());
    assert!(!store.staff_totp_step(a.id, 100).await.unwrap(), "replay");
    assert!(
        !store.staff_totp_step(a.id, 99).await.unwrap(),
        "older step"
    );
    assert!(store.staff_totp_step(a.id, 101).await.unwrap());
    // staff_update does not overwrite the last step.
    let mut up = a.clone();
    up.version = 2;
    store.staff_update(up, None).await.unwrap();
    assert!(!store.staff_totp_step(a.id, 101).await.unwrap());

    store
        .recovery_codes_replace(
            a.id,
            vec![vec![1; 32], vec![2; 32]],
            audit(AuditAction::StaffRecoveryIssue),
        )
        .await
        .unwrap();
    assert_eq!(store.recovery_codes_left(a.id).await.unwrap(), 2);
    assert!(
        store
            .recovery_code_use(a.id, &[1; 32], audit(AuditAction::StaffRecoveryUse))
            .await
            .unwrap()
    );
    assert!(
        !store
            .recovery_code_use(a.id, &[1; 32], audit(AuditAction::StaffRecoveryUse))
            .await
            .unwrap()
    );
    assert!(
        !store
            .recovery_code_use(a.id, &[9; 32], audit(AuditAction::StaffRecoveryUse))
            .await
            .unwrap()
    );
    assert_eq!(store.recovery_codes_left(a.id).await.unwrap(), 1);

    let inv = InvitationRow {
        digest: vec![7; 32],
        id: Uuid::new_v4(),
        email: Some("new@shop.id".into()),
        role: "cs_staff".into(),
        segments: "jkt".into(),
        created_by: "system:test".into(),
        created_at: 10,
        expires_at: 1_000,
        used_at: None,
    };
    store
        .invitation_insert(inv.clone(), audit(AuditAction::StaffInvite))
        .await
        .unwrap();
    assert_eq!(store.invitation_get(&[7; 32]).await.unwrap().unwrap(), inv);
    assert_eq!(store.invitations_open().await.unwrap().len(), 1);
    // Expired at 1000: refused, nothing written.
    assert!(
        !store
            .invitation_accept(
                &[7; 32],
                1_000,
                staff_row("new@shop.id"),
                audit(AuditAction::StaffInvitationAccept)
            )
            .await
            .unwrap()
    );
    assert!(store.staff_by_email("new@shop.id").await.unwrap().is_none());
    assert!(
        store
            .invitation_accept(
                &[7; 32],
                500,
                staff_row("new@shop.id"),
                audit(AuditAction::StaffInvitationAccept)
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .invitation_accept(
                &[7; 32],
                501,
                staff_row("new2@shop.id"),
                audit(AuditAction::StaffInvitationAccept)
            )
            .await
            .unwrap(),
        "second use"
    );
    assert!(
        store
            .staff_by_email("new2@shop.id")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.invitations_open().await.unwrap().is_empty());
}

/// Cancelling an invitation deletes it (the link stops working); a resend stores the
/// replacement in the same transaction; a used or unknown invitation is not cancelled and
/// nothing is written. Console settings round-trip and are overwritten.
pub async fn staff_invitations_cancel_and_settings(store: Arc<dyn Store>) {
    let inv = |n: u8, email: &str| InvitationRow {
        digest: vec![n; 32],
        id: Uuid::new_v4(),
        email: Some(email.into()),
        role: "finance".into(),
        segments: String::new(),
        created_by: "system:test".into(),
        created_at: i64::from(n),
        expires_at: 1_000_000,
        used_at: None,
    };
    let (a, b, used) = (
        inv(21, "a@shop.id"),
        inv(22, "b@shop.id"),
        inv(23, "u@shop.id"),
    );
    for i in [&a, &b, &used] {
        store
            .invitation_insert(i.clone(), audit(AuditAction::StaffInvite))
            .await
            .unwrap();
    }
    assert!(
        store
            .invitation_accept(
                &used.digest,
                50,
                staff_row("u@shop.id"),
                audit(AuditAction::StaffInvitationAccept)
            )
            .await
            .unwrap()
    );
    let before = store.audit_head().await.unwrap().size;
    // A used invitation and an unknown id: nothing cancelled, nothing appended.
    for id in [used.id, Uuid::new_v4()] {
        assert!(
            !store
                .invitation_cancel(
                    id,
                    Some(inv(24, "x@shop.id")),
                    audit(AuditAction::StaffInvitationResend)
                )
                .await
                .unwrap()
        );
    }
    assert_eq!(store.audit_head().await.unwrap().size, before);
    assert!(store.invitation_get(&[24; 32]).await.unwrap().is_none());
    // Cancel: gone, once.
    assert!(
        store
            .invitation_cancel(a.id, None, audit(AuditAction::StaffInvitationCancel))
            .await
            .unwrap()
    );
    assert!(store.invitation_get(&a.digest).await.unwrap().is_none());
    assert!(
        !store
            .invitation_cancel(a.id, None, audit(AuditAction::StaffInvitationCancel))
            .await
            .unwrap()
    );
    // Resend: the old row replaced by the new one, atomically.
    let new = inv(25, "b@shop.id");
    assert!(
        store
            .invitation_cancel(
                b.id,
                Some(new.clone()),
                audit(AuditAction::StaffInvitationResend)
            )
            .await
            .unwrap()
    );
    assert!(store.invitation_get(&b.digest).await.unwrap().is_none());
    assert_eq!(
        store.invitation_get(&new.digest).await.unwrap().unwrap(),
        new
    );
    let open: Vec<Uuid> = store
        .invitations_open()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(open, vec![new.id]);
    assert_eq!(store.audit_head().await.unwrap().size, before + 2);

    assert_eq!(store.setting_get("shop.name").await.unwrap(), None);
    store
        .setting_put(
            "shop.name",
            "Toko Cantik",
            1,
            audit(AuditAction::ShopSettingsChange),
        )
        .await
        .unwrap();
    store
        .setting_put(
            "shop.name",
            "Toko Ayu \u{2013} Bandung",
            2,
            audit(AuditAction::ShopSettingsChange),
        )
        .await
        .unwrap();
    assert_eq!(
        store.setting_get("shop.name").await.unwrap().as_deref(),
        Some("Toko Ayu \u{2013} Bandung")
    );
    assert_eq!(store.audit_head().await.unwrap().size, before + 4);
}

/// Sessions: insert, rotate (old id dead), touch, end others, end by handle, purge.
pub async fn staff_sessions_rotate_and_end(store: Arc<dyn Store>) {
    let a = staff_row("sess@shop.id");
    store
        .staff_insert(a.clone(), audit(AuditAction::StaffInvitationAccept))
        .await
        .unwrap();
    let s1 = session(a.id, 1);
    store.session_insert(s1.clone()).await.unwrap();
    assert_eq!(store.session_get(&s1.digest).await.unwrap().unwrap(), s1);
    let s2 = session(a.id, 2);
    assert!(store.session_rotate(&s1.digest, s2.clone()).await.unwrap());
    assert!(store.session_get(&s1.digest).await.unwrap().is_none());
    assert!(
        !store
            .session_rotate(&s1.digest, session(a.id, 3))
            .await
            .unwrap()
    );
    store.session_touch(&s2.digest, 500).await.unwrap();
    assert_eq!(
        store
            .session_get(&s2.digest)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        500
    );
    store.session_insert(session(a.id, 4)).await.unwrap();
    store.session_insert(session(a.id, 5)).await.unwrap();
    assert_eq!(store.sessions_of(a.id).await.unwrap().len(), 3);
    assert_eq!(
        store
            .sessions_end(
                a.id,
                Some(&s2.digest),
                Some(audit(AuditAction::StaffSessionsEnd))
            )
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.sessions_of(a.id).await.unwrap().len(), 1);
    assert!(
        !store
            .session_delete_handle(Uuid::new_v4(), s2.handle)
            .await
            .unwrap(),
        "other staff"
    );
    assert!(store.session_delete_handle(a.id, s2.handle).await.unwrap());
    store.session_insert(session(a.id, 6)).await.unwrap();
    assert_eq!(store.sessions_purge(101, 0).await.unwrap(), 1);
    assert!(store.sessions_of(a.id).await.unwrap().is_empty());
    assert!(!store.session_delete(&[6; 32]).await.unwrap());
}

/// Throttle counters count, restart after the window, and clear.
pub async fn staff_throttle_counts_and_restarts(store: Arc<dyn Store>) {
    assert_eq!(
        store.throttle_fail("k", 1_000, 500).await.unwrap().failures,
        1
    );
    assert_eq!(
        store.throttle_fail("k", 1_100, 500).await.unwrap().failures,
        2
    );
    let r = store.throttle_fail("k", 1_200, 500).await.unwrap();
    assert_eq!((r.failures, r.last_failure_at), (3, 1_200));
    // More than the window after the last failure: counting restarts.
    assert_eq!(
        store.throttle_fail("k", 2_000, 500).await.unwrap().failures,
        1
    );
    let got = store
        .throttle_get(&["k".into(), "other".into()])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    store.throttle_clear("k").await.unwrap();
    assert!(store.throttle_get(&["k".into()]).await.unwrap().is_empty());
    // Concurrent failures are all counted (one statement each).
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.throttle_fail("c", 10_000 + i, 60_000).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(
        store.throttle_get(&["c".into()]).await.unwrap()[0].failures,
        20
    );
}

/// Throttle reservations count before verifying, refuse while a delay is owed (without
/// counting the refusal), restart after the window, give back on release, and a concurrent
/// burst cannot pass a limit together.
pub async fn staff_throttle_reserves_atomically(store: Arc<dyn Store>) {
    use jaga_core::store::ThrottleLimit;
    let limit = ThrottleLimit {
        threshold: 3,
        base_ms: 1_000,
        cap_ms: 8_000,
    };
    let r = |at| {
        let s = store.clone();
        async move { s.throttle_reserve("r", at, 60_000, limit).await.unwrap() }
    };
    assert_eq!(r(1_000).await.unwrap().failures, 1);
    assert_eq!(r(1_001).await.unwrap().failures, 2);
    assert_eq!(r(1_002).await.unwrap().failures, 3);
    // Three failures owe 1 s after the last one: refused, and the refusal is not counted.
    assert!(r(1_500).await.is_none());
    assert!(r(2_001).await.is_none());
    let got = store.throttle_get(&["r".into()]).await.unwrap();
    assert_eq!((got[0].failures, got[0].last_failure_at), (3, 1_002));
    // Once the delay has passed the next attempt is reserved; four failures owe 2 s.
    assert_eq!(r(2_002).await.unwrap().failures, 4);
    assert!(r(4_001).await.is_none());
    assert_eq!(r(4_002).await.unwrap().failures, 5);
    // The delay is capped: after many failures at most 8 s.
    for i in 0..10 {
        store.throttle_fail("r", 5_000 + i, 60_000).await.unwrap();
    }
    assert!(r(5_009 + 7_999).await.is_none());
    assert!(r(5_009 + 8_000).await.is_some());
    // After the window the counter restarts at 1.
    assert_eq!(r(200_000).await.unwrap().failures, 1);
    // Release gives one back, never below zero.
    store.throttle_release("r", 200_000, limit).await.unwrap();
    store.throttle_release("r", 200_000, limit).await.unwrap();
    store.throttle_release("absent", 1, limit).await.unwrap();
    assert_eq!(
        store.throttle_get(&["r".into()]).await.unwrap()[0].failures,
        0
    );
    // A released (verified) attempt does not make the next one wait: three failures owed 1 s
    // from the last; once that passed, a reserved-then-released attempt leaves it passed.
    for at in [300_000, 300_001, 300_002] {
        assert!(r(at).await.is_some());
    }
    let row = r(301_002).await.unwrap();
    assert_eq!(row.failures, 4);
    store
        .throttle_release("r", row.last_failure_at, limit)
        .await
        .unwrap();
    let got = store.throttle_get(&["r".into()]).await.unwrap();
    assert_eq!(got[0].failures, 3);
    assert_eq!(r(301_002).await.unwrap().failures, 4, "no new delay");
    // A release after someone else reserved leaves their time alone.
    store.throttle_release("r", 1, limit).await.unwrap();
    let got = store.throttle_get(&["r".into()]).await.unwrap();
    assert_eq!((got[0].failures, got[0].last_failure_at), (3, 301_002));
    // A burst: 30 concurrent reservations at the same instant; only the threshold passes.
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.throttle_reserve("burst", 50_000, 60_000, limit).await
        }));
    }
    let mut passed = Vec::new();
    for t in tasks {
        if let Some(row) = t.await.unwrap().unwrap() {
            passed.push(row.failures);
        }
    }
    passed.sort();
    assert_eq!(passed, vec![1, 2, 3]);
    assert_eq!(
        store.throttle_get(&["burst".into()]).await.unwrap()[0].failures,
        3
    );
}

/// The access review reads staff accounts from the store: an old account with no event in the
/// period is unused, a role that may reveal but did not is reported, an account that revealed
/// or acted is not, and a disabled account is left out. The shop's policy decides which roles
/// may reveal.
pub async fn access_review_reads_staff_accounts(store: Arc<dyn Store>) {
    use jaga_core::audit::Outcome;
    use jaga_core::auth::ActorKind;
    use jaga_core::report::UNUSED_DAYS;
    use jaga_core::staff::Policies;
    use std::collections::BTreeMap;

    let now = jaga_core::now_ms();
    let old = now - (UNUSED_DAYS + 10) * 86_400_000;
    let row = |email: &str, role: &str, created_at: i64| StaffRow {
        role: role.into(),
        created_at,
        updated_at: created_at,
        ..staff_row(email)
    };
    let idle_manager = row("idle@toko.test", "cs_manager", old);
    let busy_staff = row("busy@toko.test", "cs_staff", old);
    let revealing_admin = row("admin@toko.test", "admin", old);
    let new_manager = row("new@toko.test", "cs_manager", now);
    let gone = StaffRow {
        disabled_at: Some(now),
        ..row("gone@toko.test", "cs_manager", old)
    };
    for r in [
        &idle_manager,
        &busy_staff,
        &revealing_admin,
        &new_manager,
        &gone,
    ] {
        store
            .staff_insert(r.clone(), audit(AuditAction::StaffInvitationAccept))
            .await
            .unwrap();
    }
    let as_staff = |id: Uuid| Caller::for_tests(ActorKind::Staff, &id.to_string(), &[]);
    store
        .audit_append(AuditRecord::new(
            &as_staff(busy_staff.id),
            AuditAction::CustomerRead,
        ))
        .await
        .unwrap();
    // someone guessing the idle manager's password does not make the account look used
    store
        .audit_append(
            AuditRecord::new(&as_staff(idle_manager.id), AuditAction::StaffLoginFailed)
                .outcome(Outcome::Denied),
        )
        .await
        .unwrap();
    store
        .audit_append(
            AuditRecord::new(&as_staff(revealing_admin.id), AuditAction::CustomerReveal)
                .fields(["phone"])
                .purpose("CS-1234 alamat kirim")
                .outcome(Outcome::Ok),
        )
        .await
        .unwrap();

    let vault = review_vault(&store);
    let auditor = crate::system_caller("review");
    let review = vault
        .audit_reader(&auditor)
        .await
        .unwrap()
        .review_at(&Policies::default(), now)
        .await
        .unwrap();
    let about = |id: Uuid| -> Vec<String> {
        let id = id.to_string();
        review
            .findings
            .iter()
            .filter(|f| f.subject == id)
            .map(|f| f.kind.clone())
            .collect()
    };
    assert_eq!(about(idle_manager.id), ["never_reveals", "unused_account"]);
    assert!(
        about(busy_staff.id).is_empty(),
        "cs_staff cannot reveal and was active"
    );
    assert!(
        about(revealing_admin.id).is_empty(),
        "revealed with a ticket"
    );
    assert_eq!(
        about(new_manager.id),
        ["never_reveals"],
        "new, so not unused"
    );
    assert!(
        about(gone.id).is_empty(),
        "disabled accounts are not reviewed"
    );

    // A shop whose managers only see masks: their role no longer allows reveals, so never
    // revealing is no finding (being unused still is).
    let masked = [
        "full_name",
        "email",
        "phone",
        "address",
        "national_id",
        "birth_date",
    ]
    .map(|f| (f.to_string(), "masked".to_string()));
    let overrides = BTreeMap::from([("cs_manager".to_string(), BTreeMap::from(masked))]);
    let policies = Policies::with_overrides(&overrides).unwrap();
    let review = vault
        .audit_reader(&auditor)
        .await
        .unwrap()
        .review_at(&policies, now)
        .await
        .unwrap();
    let idle = idle_manager.id.to_string();
    let kinds: Vec<&str> = review
        .findings
        .iter()
        .filter(|f| f.subject == idle)
        .map(|f| f.kind.as_str())
        .collect();
    assert_eq!(kinds, ["unused_account"]);
}

/// A sealed vault over `store`: reading the audit log needs no key material.
fn review_vault(store: &Arc<dyn Store>) -> jaga_core::vault::Vault {
    let config = jaga_core::unseal::UnsealConfig::Keyfile {
        key_file: "root.key".into(),
        root_check: String::new(),
    };
    jaga_core::vault::Vault::new(store.clone(), config)
}
