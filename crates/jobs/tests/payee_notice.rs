//! Notices of bank-detail changes to the payee's contact on file: sent once through the
//! delivery channel (here a directory), kept and retried while the channel fails, marked done
//! without an address on file, audited as `payee.notify`, never with the whole account number;
//! and the `[payouts]` thresholds are checked with a clear message.

use jaga_core::audit::{AuditAction, AuditRecord};
use jaga_core::store::BankVersionRow;
use jaga_core::vault::{BankInput, ContactInput, NewPayee};
use jaga_jobs::payees::{NoticeChannel, PayeeNoticeJob, PayoutsConfig};
use jaga_jobs::{Job, Tick};
use jaga_testkit::Harness;
use std::sync::Arc;

const TICK: Tick = Tick {
    stopping: false,
    last_ok_at: None,
};

async fn harness(dir: &std::path::Path) -> Harness {
    let store =
        jaga_store_sqlite::SqliteStore::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
    Harness::new(Arc::new(store)).await
}

fn payee(email: Option<&str>) -> NewPayee {
    NewPayee {
        kind: None,
        name: "PT Glow Beauty".into(),
        phone: "081234567890".into(),
        email: email.map(String::from),
        contact_name: None,
        bank: BankInput {
            bank: "BCA".into(),
            account_number: "2830199401".into(),
            holder: "PT Glow Beauty".into(),
        },
    }
}

fn new_details() -> BankInput {
    BankInput {
        bank: "Mandiri".into(),
        account_number: "1370012345673".into(),
        holder: "Glow Beauty".into(),
    }
}

/// Marks the first details verified in the store (the call-back itself needs a staff
/// session; it is tested through the API and the console).
async fn verify_first(h: &Harness, payee: &str) {
    let row = BankVersionRow {
        payee_id: payee.into(),
        version: 1,
        details: Vec::new(),
        status: "verified".into(),
        requested_by: "fina".into(),
        requested_at: 0,
        call_by: None,
        call_at: None,
        call_record: None,
    };
    let audit = AuditRecord::new(&h.admin(), AuditAction::PayeeBankVerify);
    h.store.bank_version_decide(row, audit).await.unwrap();
}

/// Every `payee.notify` audit event.
async fn notify_events(h: &Harness) -> Vec<String> {
    h.store
        .audit_events(0, 1_000_000)
        .await
        .unwrap()
        .iter()
        .map(|e| String::from_utf8_lossy(&e.leaf).into_owned())
        .filter(|l| l.contains("\"payee.notify\""))
        .collect()
}

#[tokio::test]
async fn a_change_notice_goes_to_the_contact_on_file_once_and_is_retried_until_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let caller = h.admin();
    let payees = h.vault.payees(&caller).unwrap();
    let p = payees
        .create(&payee(Some("billing@glowbeauty.co.id")))
        .await
        .unwrap();
    verify_first(&h, &p.id).await;
    payees
        .request_change(p.id.parse().unwrap(), &new_details())
        .await
        .unwrap();

    // The channel's directory cannot be made (a file is in the way): the notice stays queued,
    // the run fails (the runner retries it with backoff), nothing is audited as sent.
    let blocked = dir.path().join("outbox");
    std::fs::write(&blocked, b"not a directory").unwrap();
    let mut job = PayeeNoticeJob::new(
        h.vault.clone(),
        dir.path(),
        NoticeChannel::Dir {
            path: "outbox".into(),
        },
    );
    assert!(job.run(TICK).await.is_err());
    assert_eq!(job.once().await.unwrap(), 1);
    assert!(notify_events(&h).await.is_empty());
    assert_eq!(h.vault.payee_notices_pending(10).await.unwrap().len(), 1);

    // The channel works again: the notice goes out once, to the address on file.
    std::fs::remove_file(&blocked).unwrap();
    job.run(TICK).await.unwrap();
    let file = blocked.join(format!("payee-notice-{}-2.txt", p.id));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("To: billing@glowbeauty.co.id\n"), "{text}");
    assert!(text.contains("Mandiri") && text.contains("5673"), "{text}");
    assert!(
        !text.contains("1370012345673"),
        "never the whole new account number"
    );
    assert!(text.contains("nomor yang terdaftar") && text.contains("number we have on file"));
    assert!(h.vault.payee_notices_pending(10).await.unwrap().is_empty());
    let events = notify_events(&h).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("\"sent\"") && events[0].contains(&p.id));
    assert!(!events[0].contains("glowbeauty") && !events[0].contains("5673"));
    // Run again: nothing more is sent.
    std::fs::remove_file(&file).unwrap();
    job.run(TICK).await.unwrap();
    assert!(!file.exists());
    assert_eq!(notify_events(&h).await.len(), 1);

    // A change of contacts: the old address hears of it, with the new number's last digits.
    payees
        .request_contact_change(
            p.id.parse().unwrap(),
            &ContactInput {
                phone: "0813 9999 0000".into(),
                email: Some("finance@glowbeauty-new.com".into()),
                contact_name: None,
            },
        )
        .await
        .unwrap();
    job.run(TICK).await.unwrap();
    let text =
        std::fs::read_to_string(blocked.join(format!("payee-notice-{}--2.txt", p.id))).unwrap();
    assert!(text.starts_with("To: billing@glowbeauty.co.id\n"), "{text}");
    assert!(
        text.contains("0000") && !text.contains("1399990000"),
        "{text}"
    );
    assert_eq!(notify_events(&h).await.len(), 2);
}

#[tokio::test]
async fn a_payee_without_an_address_on_file_is_recorded_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(dir.path()).await;
    let caller = h.admin();
    let payees = h.vault.payees(&caller).unwrap();
    let p = payees.create(&payee(None)).await.unwrap();
    verify_first(&h, &p.id).await;
    payees
        .request_change(p.id.parse().unwrap(), &new_details())
        .await
        .unwrap();
    let mut job = PayeeNoticeJob::new(
        h.vault.clone(),
        dir.path(),
        NoticeChannel::Dir {
            path: "outbox".into(),
        },
    );
    job.run(TICK).await.unwrap();
    assert!(h.vault.payee_notices_pending(10).await.unwrap().is_empty());
    let events = notify_events(&h).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].contains("no_address"), "{}", events[0]);
    assert!(!dir.path().join("outbox").exists());
}

#[test]
fn payout_thresholds_are_checked_with_a_clear_message() {
    let parse = |t: &str| -> PayoutsConfig { toml::from_str(t).unwrap() };
    let d = parse("").policy().unwrap();
    assert_eq!(
        (d.two_approvals_above, d.recent_change_days),
        (10_000_000, 14)
    );
    let p = parse("two_approvals_above = 5000000\nrecent_change_days = 30")
        .policy()
        .unwrap();
    assert_eq!(
        (p.two_approvals_above, p.recent_change_days),
        (5_000_000, 30)
    );
    for (bad, word) in [
        ("two_approvals_above = -1", "two_approvals_above"),
        ("recent_change_days = -3", "recent_change_days"),
        ("recent_change_days = 5000", "recent_change_days"),
        (
            "[notice]\nkind = \"smtp\"\nhost = \"\"\nfrom = \"x\"",
            "[payouts.notice]",
        ),
    ] {
        let e = parse(bad).policy().unwrap_err().to_string();
        assert!(e.contains(word), "{bad}: {e}");
    }
    // Unknown keys and wrong types are refused by the parser.
    assert!(toml::from_str::<PayoutsConfig>("two_approvals = 1").is_err());
    assert!(toml::from_str::<PayoutsConfig>("two_approvals_above = \"10jt\"").is_err());
}
