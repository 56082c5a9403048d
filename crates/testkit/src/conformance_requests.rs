//! Conformance of [`RequestStore`](jaga_core::store::RequestStore) through the vault's
//! requests capability: due dates, open lists, closing once, consent history and the
//! customer's marketing flag, scopes and segments.

use crate::{Harness, marked_customer};
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::requests::{
    Channel, ConsentPurpose, ConsentSource, DUE_MS, Outcome, RequestKind, RequestStatus,
};
use jaga_core::store::Store;
use jaga_core::vault::{NewConsent, NewRequest};
use std::sync::Arc;

/// Requests get their due date, list earliest due first, close exactly once; consent history
/// keeps every record and the marketing flag follows the latest; everything is audited.
pub async fn requests_and_consents_round_trip(store: Arc<dyn Store>) {
    let h = Harness::new(store.clone()).await;
    let admin = h.admin();
    let w = h.vault.writer(&admin).await.unwrap();
    let a = w.create(&marked_customer("Req", 1)).await.unwrap().id;
    let r = h.vault.requests(&admin).await.unwrap();
    let now = jaga_core::now_ms();
    let first = r
        .record(
            &NewRequest {
                customer_id: a,
                kind: RequestKind::Access,
                channel: Channel::Whatsapp,
                received_at: Some(now - 3_600_000),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(first.due_at, now - 3_600_000 + DUE_MS);
    assert_eq!(first.status, RequestStatus::Open);
    let second = r
        .record(
            &NewRequest {
                customer_id: a,
                kind: RequestKind::Erasure,
                channel: Channel::Email,
                received_at: None,
            },
            now,
        )
        .await
        .unwrap();
    let open = r.list(true).await.unwrap();
    assert_eq!(
        open.iter().map(|x| x.id).collect::<Vec<_>>(),
        [first.id, second.id],
        "earliest due first"
    );
    assert!(open[0].overdue(now + DUE_MS));
    assert!(!open[1].overdue(now + DUE_MS - 1));

    // Closing: once; then it leaves the open list and keeps who and how.
    let closed = r
        .close(first.id, RequestStatus::Done, Outcome::Answered, now + 10)
        .await
        .unwrap();
    assert_eq!(closed.status, RequestStatus::Done);
    assert_eq!(closed.handled_by.as_deref(), Some(admin.id()));
    assert_eq!(closed.outcome, Some(Outcome::Answered));
    assert_eq!(closed.closed_at, Some(now + 10));
    assert!(matches!(
        r.close(first.id, RequestStatus::Refused, Outcome::Withdrawn, now)
            .await,
        Err(CoreError::Conflict(_))
    ));
    assert!(matches!(
        r.close(second.id, RequestStatus::Open, Outcome::Answered, now)
            .await,
        Err(CoreError::Invalid(_))
    ));
    assert_eq!(r.list(true).await.unwrap().len(), 1);
    assert_eq!(r.list(false).await.unwrap().len(), 2);
    // Unknown customer or request; a receipt date in the future.
    let unknown = uuid::Uuid::new_v4();
    let bad = |customer_id, received_at| NewRequest {
        customer_id,
        kind: RequestKind::Rectification,
        channel: Channel::Phone,
        received_at,
    };
    assert!(matches!(
        r.record(&bad(unknown, None), now).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        r.record(&bad(a, Some(now + 3_600_000)), now).await,
        Err(CoreError::Invalid(_))
    ));
    assert!(matches!(r.get(unknown).await, Err(CoreError::NotFound)));

    // Consent: given, withdrawn; history oldest first; the customer's flag follows.
    let give = |purpose, granted| NewConsent {
        purpose,
        granted,
        source: ConsentSource::WebForm,
    };
    r.record_consent(a, give(ConsentPurpose::Whatsapp, true), now)
        .await
        .unwrap();
    r.record_consent(a, give(ConsentPurpose::Marketing, false), now)
        .await
        .unwrap();
    let hist = r.consents(a).await.unwrap();
    assert_eq!(hist.len(), 2);
    assert!(hist[0].at < hist[1].at, "strictly ordered");
    assert_eq!(
        (hist[1].purpose, hist[1].granted),
        (ConsentPurpose::Marketing, false)
    );
    let row = store.customer_load(a).await.unwrap().unwrap().row;
    assert!(
        !row.marketing_consent,
        "withdrawn marketing consent reaches the record"
    );
    r.record_consent(a, give(ConsentPurpose::Marketing, true), now)
        .await
        .unwrap();
    assert!(
        store
            .customer_load(a)
            .await
            .unwrap()
            .unwrap()
            .row
            .marketing_consent
    );

    // Scopes: reading needs requests:read, writing requests:write; refusals are audited.
    let reader = h.caller(&[Scope::RequestsRead]);
    let ro = h.vault.requests(&reader).await.unwrap();
    assert_eq!(ro.list(false).await.unwrap().len(), 2);
    let before = store.audit_head().await.unwrap().size;
    assert!(matches!(
        ro.record(&bad(a, None), now).await,
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        ro.record_consent(a, give(ConsentPurpose::Email, true), now)
            .await,
        Err(CoreError::Forbidden(_))
    ));
    assert_eq!(store.audit_head().await.unwrap().size, before + 2);
    let nobody = h.caller(&[Scope::CustomersRead]);
    assert!(matches!(
        h.vault.requests(&nobody).await,
        Err(CoreError::Forbidden(_))
    ));
    // Every request, close and consent left its event.
    let evs = store.audit_events(0, 1000).await.unwrap();
    let count = |name: &str| {
        evs.iter()
            .map(|e| jaga_audit::event::decode(&e.leaf).unwrap())
            .filter(|e| e.action == name && e.outcome == "ok")
            .count()
    };
    assert_eq!(count("request.record"), 2);
    assert_eq!(count("request.close"), 1);
    assert_eq!(count("consent.record"), 3);
}
