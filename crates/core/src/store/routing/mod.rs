//! Per-segment databases: a [`Store`] that is several.
//!
//! `[segments.<name>] database_url` gives a segment its own database, a complete Jaga store
//! (same migrations) holding that segment's customers, their wrapped keys, orders, tokens and
//! blind-index terms **and its own audit log**. [`RoutingStore`] is what the vault sees: one
//! [`Store`] that sends each customer-scoped call to the store of the customer's segment and
//! everything else (keyring, staff, API keys, jobs, fraud, payees, requests, checkpoints) to the
//! main database.
//!
//! The audit rule stays the one every store keeps: a write or audited read commits with its
//! event in **one** transaction of **one** database. Nothing here spans two databases; a call
//! that would have to (moving a customer between databases, a batch create across them) is
//! refused with [`StoreError::Unsupported`] before anything is written.
//!
//! Finding a customer by id or code asks the segment stores (unaudited primary-key reads; ids
//! are random, the stores a handful), preferring a live row, and falls back to the main store,
//! so a read of an unknown customer is audited as not found in the main log. Lookups fan out
//! and merge. Standalone audit events about a customer (e.g. lookups, refusals) go to the log
//! of the store that holds the customer.

mod delegate;
mod fanout;

use super::{
    ApiKeyRecord, AuditHead, CustomerRow, CustomerWithKey, KeyRecord, OrderRow, RewrapItem,
    SegmentMove, Store, StoreError, StoredEvent, WrappedKey,
};
use crate::audit::AuditRecord;
use crate::model::Field;
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// One segment's own database.
#[derive(Clone)]
pub struct SegmentDb {
    /// The segment (validated like every segment name).
    pub name: String,
    /// Its store.
    pub store: Arc<dyn Store>,
}

/// Why a set of databases cannot be served together (names and counts only).
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The main database still holds customers of a segment that now has its own database.
    #[error(
        "the main database holds {count} customer(s) of segment `{segment}`, which now has its own database (`[segments.{segment}] database_url`); move them out of the segment first, or remove the database_url"
    )]
    CustomersLeftInMain {
        /// The segment.
        segment: String,
        /// How many (live and erased).
        count: u64,
    },
    /// A segment database holds customers of another segment.
    #[error(
        "the database of segment `{segment}` holds {count} customer(s) of segment `{other}`: each segment database may hold only its own segment"
    )]
    ForeignCustomers {
        /// The segment whose database it is.
        segment: String,
        /// The segment found in it.
        other: String,
        /// How many.
        count: u64,
    },
    /// A segment database already holds a keyring (it is another installation's main database).
    #[error(
        "the database of segment `{segment}` holds a keyring: it is another installation's main database, not a segment database"
    )]
    KeyringInSegment {
        /// The segment.
        segment: String,
    },
    /// The check itself failed.
    #[error("checking segment `{segment}`: {source}")]
    Store {
        /// The segment (or `main`).
        segment: String,
        /// The failure.
        #[source]
        source: StoreError,
    },
}

/// The main database plus one database per segment that has its own.
#[derive(Clone)]
pub struct RoutingStore {
    main: Arc<dyn Store>,
    segments: Vec<SegmentDb>,
    by_name: HashMap<String, usize>,
}

/// Where a customer lives: the main store or segment database `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Home {
    Main,
    Segment(usize),
}

impl RoutingStore {
    /// Routes over `main` and `segments` (each segment name once).
    pub fn new(main: Arc<dyn Store>, segments: Vec<SegmentDb>) -> Self {
        let by_name = segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i))
            .collect();
        Self {
            main,
            segments,
            by_name,
        }
    }

    /// The main store.
    pub fn main(&self) -> &Arc<dyn Store> {
        &self.main
    }

    /// The segment databases, in configuration order.
    pub fn segments(&self) -> &[SegmentDb] {
        &self.segments
    }

    /// Every database: `(None, main)` first, then `(Some(segment), store)` (for audit
    /// verification, backups, migrations).
    pub fn databases(&self) -> Vec<(Option<&str>, &Arc<dyn Store>)> {
        std::iter::once((None, &self.main))
            .chain(
                self.segments
                    .iter()
                    .map(|s| (Some(s.name.as_str()), &s.store)),
            )
            .collect()
    }

    /// Refuses a layout where a customer would be reached in the wrong database: customers of
    /// a database-backed segment left in the main database, a segment database holding another
    /// segment's customers, or a segment database that is some installation's main database.
    pub async fn check_layout(&self) -> Result<(), LayoutError> {
        let in_main = self
            .main
            .customer_segments()
            .await
            .map_err(|source| LayoutError::Store {
                segment: "main".into(),
                source,
            })?;
        for (segment, count) in in_main {
            if count > 0 && self.by_name.contains_key(&segment) {
                return Err(LayoutError::CustomersLeftInMain { segment, count });
            }
        }
        for s in &self.segments {
            let failed = |source| LayoutError::Store {
                segment: s.name.clone(),
                source,
            };
            if !s.store.keys_load().await.map_err(failed)?.is_empty() {
                return Err(LayoutError::KeyringInSegment {
                    segment: s.name.clone(),
                });
            }
            for (other, count) in s.store.customer_segments().await.map_err(failed)? {
                if count > 0 && other != s.name {
                    return Err(LayoutError::ForeignCustomers {
                        segment: s.name.clone(),
                        other,
                        count,
                    });
                }
            }
        }
        Ok(())
    }

    fn store(&self, home: Home) -> &Arc<dyn Store> {
        match home {
            Home::Main => &self.main,
            Home::Segment(i) => &self.segments[i].store,
        }
    }

    fn homes(&self) -> impl Iterator<Item = Home> + '_ {
        std::iter::once(Home::Main).chain((0..self.segments.len()).map(Home::Segment))
    }

    /// The database a customer of `segment` is written to.
    fn for_segment(&self, segment: &str) -> Home {
        self.by_name
            .get(segment)
            .map_or(Home::Main, |&i| Home::Segment(i))
    }

    /// Where customer `id` lives: the segment database holding it live, else one holding it
    /// erased, else the main store (which then answers "not found", audited there).
    async fn home(&self, id: Uuid) -> Result<Home, StoreError> {
        self.home_where(|s| {
            let s = s.clone();
            async move { s.customer_load(id).await }
        })
        .await
    }

    /// Like [`RoutingStore::home`], by customer code.
    async fn home_by_code(&self, code: &str) -> Result<Home, StoreError> {
        self.home_where(|s| {
            let s = s.clone();
            let code = code.to_string();
            async move { s.customer_load_by_code(&code).await }
        })
        .await
    }

    async fn home_where<F, Fut>(&self, load: F) -> Result<Home, StoreError>
    where
        F: Fn(&Arc<dyn Store>) -> Fut,
        Fut: std::future::Future<Output = Result<Option<CustomerWithKey>, StoreError>>,
    {
        let mut erased = None;
        for (i, s) in self.segments.iter().enumerate() {
            match load(&s.store).await? {
                Some(c) if c.row.erased_at.is_none() => return Ok(Home::Segment(i)),
                Some(_) => erased = erased.or(Some(Home::Segment(i))),
                None => {}
            }
        }
        Ok(erased.unwrap_or(Home::Main))
    }

    /// Where a standalone event goes: the log of the customer it is about, else the main log.
    async fn audit_home(&self, record: &AuditRecord) -> Result<Home, StoreError> {
        match record.customer_id {
            Some(id) if !self.segments.is_empty() => self.home(id).await,
            _ => Ok(Home::Main),
        }
    }

    /// Refuses a customer code already taken in another database (codes are unique per
    /// database; the vault retries a collision with a new code).
    async fn code_free_elsewhere(&self, code: &str, target: Home) -> Result<(), StoreError> {
        for h in self.homes().filter(|h| *h != target) {
            if self.store(h).customer_load_by_code(code).await?.is_some() {
                return Err(StoreError::Unique("customer_code"));
            }
        }
        Ok(())
    }

    /// The one database a batch of new customers goes to; refused when it spans several (a
    /// batch is all-or-nothing, which only one database's transaction can promise).
    async fn batch_home(
        &self,
        rows: &[(CustomerRow, WrappedKey, AuditRecord)],
    ) -> Result<Home, StoreError> {
        let mut homes = rows.iter().map(|(r, _, _)| self.for_segment(&r.segment));
        let first = homes.next().unwrap_or(Home::Main);
        if homes.any(|h| h != first) {
            return Err(StoreError::Unsupported(
                "one batch spanning segments kept in different databases",
            ));
        }
        for (r, _, _) in rows {
            self.code_free_elsewhere(&r.code, first).await?;
        }
        Ok(first)
    }
}

/// The message a cross-database move is refused with.
pub const CROSS_DATABASE_MOVE: &str =
    "moving a customer between segments kept in different databases";

#[async_trait]
impl Store for RoutingStore {
    async fn ping(&self) -> Result<(), StoreError> {
        for h in self.homes() {
            self.store(h).ping().await?;
        }
        Ok(())
    }

    async fn keys_load(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.main.keys_load().await
    }
    async fn key_insert(&self, key: KeyRecord, audit: AuditRecord) -> Result<(), StoreError> {
        self.main.key_insert(key, audit).await
    }
    async fn key_set_state(
        &self,
        kind: &str,
        version: u32,
        state: &str,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.key_set_state(kind, version, state, audit).await
    }
    async fn dek_counts(&self) -> Result<Vec<(u32, u64)>, StoreError> {
        let mut sum: BTreeMap<u32, u64> = BTreeMap::new();
        for h in self.homes() {
            for (v, n) in self.store(h).dek_counts().await? {
                *sum.entry(v).or_default() += n;
            }
        }
        Ok(sum.into_iter().collect())
    }
    async fn deks_to_rewrap(&self, active: u32, limit: u32) -> Result<Vec<RewrapItem>, StoreError> {
        let mut out = Vec::new();
        for h in self.homes() {
            let left = limit.saturating_sub(u32::try_from(out.len()).unwrap_or(u32::MAX));
            if left == 0 {
                break;
            }
            out.extend(self.store(h).deks_to_rewrap(active, left).await?);
        }
        Ok(out)
    }
    async fn deks_rewrap(
        &self,
        items: Vec<(Uuid, WrappedKey, WrappedKey)>,
        audit: AuditRecord,
    ) -> Result<u64, StoreError> {
        if self.segments.is_empty() {
            return self.main.deks_rewrap(items, audit).await;
        }
        // One batch (and one event) per database that holds some of them.
        let mut parts: Vec<(Home, Vec<(Uuid, WrappedKey, WrappedKey)>)> = Vec::new();
        for item in items {
            let h = self.home(item.0).await?;
            match parts.iter_mut().find(|(p, _)| *p == h) {
                Some((_, v)) => v.push(item),
                None => parts.push((h, vec![item])),
            }
        }
        let mut done = 0;
        for (h, part) in parts {
            done += self.store(h).deks_rewrap(part, audit.clone()).await?;
        }
        Ok(done)
    }

    async fn api_key_insert(
        &self,
        key: ApiKeyRecord,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.main.api_key_insert(key, audit).await
    }
    async fn api_key_get(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        self.main.api_key_get(id).await
    }
    async fn api_key_list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        self.main.api_key_list().await
    }
    async fn api_key_revoke(
        &self,
        id: &str,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.main.api_key_revoke(id, at, audit).await
    }
    async fn api_key_touch(&self, id: &str, at: i64) -> Result<(), StoreError> {
        self.main.api_key_touch(id, at).await
    }

    async fn customer_insert(
        &self,
        row: CustomerRow,
        key: WrappedKey,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let h = self.for_segment(&row.segment);
        if !self.segments.is_empty() {
            self.code_free_elsewhere(&row.code, h).await?;
        }
        self.store(h).customer_insert(row, key, audit).await
    }
    async fn customer_insert_batch(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError> {
        if self.segments.is_empty() {
            return self.main.customer_insert_batch(rows).await;
        }
        let h = self.batch_home(&rows).await?;
        self.store(h).customer_insert_batch(rows).await
    }
    async fn customer_get(
        &self,
        id: Uuid,
        audit: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let h = self.home(id).await?;
        self.store(h).customer_get(id, audit).await
    }
    async fn customer_load(&self, id: Uuid) -> Result<Option<CustomerWithKey>, StoreError> {
        let h = self.home(id).await?;
        self.store(h).customer_load(id).await
    }
    async fn customer_get_by_code(
        &self,
        code: &str,
        audit: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let h = self.home_by_code(code).await?;
        self.store(h).customer_get_by_code(code, audit).await
    }
    async fn customer_load_by_code(
        &self,
        code: &str,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let h = self.home_by_code(code).await?;
        self.store(h).customer_load_by_code(code).await
    }
    async fn customer_lookup(
        &self,
        field: Field,
        term: &[u8],
        limit: u32,
    ) -> Result<Vec<CustomerWithKey>, StoreError> {
        let mut out = Vec::new();
        for h in self.homes() {
            out.extend(self.store(h).customer_lookup(field, term, limit).await?);
        }
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(out)
    }
    async fn customer_update(
        &self,
        row: CustomerRow,
        key: Option<WrappedKey>,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let h = self.for_segment(&row.segment);
        self.store(h).customer_update(row, key, audit).await
    }
    async fn customer_erase(
        &self,
        id: Uuid,
        at: i64,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        let h = self.home(id).await?;
        self.store(h).customer_erase(id, at, audit).await
    }
    async fn customer_sealed_load(
        &self,
        id: Uuid,
    ) -> Result<(Vec<OrderRow>, Vec<super::StoredToken>), StoreError> {
        let h = self.home(id).await?;
        self.store(h).customer_sealed_load(id).await
    }
    async fn customer_move(&self, mv: SegmentMove, audit: AuditRecord) -> Result<(), StoreError> {
        let from = self.home(mv.row.id).await?;
        let to = self.for_segment(&mv.row.segment);
        if from != to {
            return Err(StoreError::Unsupported(CROSS_DATABASE_MOVE));
        }
        self.store(to).customer_move(mv, audit).await
    }

    async fn order_insert(&self, row: OrderRow, audit: AuditRecord) -> Result<(), StoreError> {
        let h = self.for_segment(&row.segment);
        self.store(h).order_insert(row, audit).await
    }
    async fn orders_list(
        &self,
        customer_id: Uuid,
        audit: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError> {
        let h = self.home(customer_id).await?;
        self.store(h).orders_list(customer_id, audit).await
    }

    async fn audit_append(&self, audit: AuditRecord) -> Result<u64, StoreError> {
        let h = self.audit_home(&audit).await?;
        self.store(h).audit_append(audit).await
    }
    async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        self.main.audit_head().await
    }
    async fn audit_events(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        self.main.audit_events(from, limit).await
    }
}

/// `CheckpointStore` is delegated in `delegate.rs` except for the two calls that route; this
/// helper keeps them next to the other routing decisions.
impl RoutingStore {
    async fn append_batch_routed(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError> {
        if self.segments.is_empty() {
            return self.main.audit_append_batch(records).await;
        }
        let mut parts: Vec<(Home, Vec<AuditRecord>)> = Vec::new();
        for r in records {
            let h = self.audit_home(&r).await?;
            match parts.iter_mut().find(|(p, _)| *p == h) {
                Some((_, v)) => v.push(r),
                None => parts.push((h, vec![r])),
            }
        }
        let mut first = None;
        for (h, part) in parts {
            let at = self.store(h).audit_append_batch(part).await?;
            first.get_or_insert(at);
        }
        Ok(first.unwrap_or(0))
    }

    async fn events_matching_routed(
        &self,
        filter: &super::EventFilter,
        from: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let h = match filter.customer_id {
            Some(id) if !self.segments.is_empty() => self.home(id).await?,
            _ => Home::Main,
        };
        self.store(h)
            .audit_events_matching(filter, from, limit)
            .await
    }
}
