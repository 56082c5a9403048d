//! Group commit: one writer task per store commits concurrent requests' writes and audit events
//! together.
//!
//! Before, every audited request was a write transaction of its own: on SQLite serialised on
//! the one writer connection, on PostgreSQL on the `audit_head` row lock held through each
//! commit's WAL flush. Now a request hands its write (customers, an update, an order, tokens)
//! and its audit records to the store's writer task as an `Op` and awaits the answer. The
//! task takes everything that queued up while the previous group was committing (up to
//! [`MAX_GROUP_OPS`] operations or [`MAX_GROUP_RECORDS`] audit records) and commits it in **one
//! transaction**: the customer and token rows of the whole group as multi-row statements, then
//! the updates and orders, then every audit event and Merkle node of the group as multi-row
//! statements, **one** head read (under the head lock) and **one** head update, **one** commit
//! (one WAL flush). Only then does any request of the group get its answer.
//!
//! Failure rules:
//!
//! - **Fail closed.** If the group cannot be committed (disk full, database restarted, commit
//!   refused), every request in it gets the error, which the edge answers with 503. Nothing is
//!   answered before it is durable. The transaction is rolled back explicitly, so the
//!   connection goes back to the pool clean, and the next group starts afresh: the server
//!   recovers by itself once the database does.
//! - **One request's refusal is its own.** A unique-constraint violation or a failed
//!   optimistic-concurrency check belongs to the request that caused it: the group is rolled
//!   back, that request alone gets its error, and the rest of the group is committed again
//!   without it (one statement group per operation from then on, so the culprit is known).
//! - **Cancellation cannot split a group.** The task owns the operations; a caller that stops
//!   waiting (client hung up) does not stop its operation from committing or rolling back.
//!
//! The head (size and frontier) is read once per group under the head lock, kept in memory
//! while the group's appends are planned, and written once. It is not cached across groups:
//! other writers share the log (other server nodes on PostgreSQL, a CLI process on the same
//! SQLite file, the rare writes that keep a transaction of their own such as key rotation or
//! erasure), and the one-row read per group is what keeps all of them gapless and ordered.

/// The most operations one group commits.
pub const MAX_GROUP_OPS: usize = 256;
/// A group closes once it holds this many audit records (a bulk import op may exceed it alone).
pub const MAX_GROUP_RECORDS: usize = 2_048;
/// The writer task keeps its connection for at most this many groups in a row before giving
/// it back to the pool (see `run` in `group!`).
pub const HOLD_GROUPS: usize = 32;
/// How long the writer task keeps its connection when its queue is empty.
pub const HOLD_IDLE: std::time::Duration = std::time::Duration::from_millis(5);

/// Stamps the group-commit writer (`Group`, `Op`, `Write`) for the backend's `crate::Db` into
/// the invoking module. The backend provides `crate::begin_on(&mut Conn)`.
#[macro_export]
macro_rules! group {
    () => {
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            CustomerRow, GuardedWrite, OrderRow, StoreError, TokenRow, WrappedKey,
        };
        use std::sync::{Arc, Mutex};
        use $crate::tokio::sync::{mpsc, oneshot};

        /// The data write of one request.
        pub(crate) enum Write {
            /// New customers with their keys, one audit record each.
            Insert(Vec<(CustomerRow, WrappedKey, AuditRecord)>),
            /// A changed customer (optimistic concurrency), optionally with a re-wrapped key.
            Update(CustomerRow, Option<WrappedKey>, AuditRecord),
            /// A new order for a live customer.
            Order(OrderRow, AuditRecord),
            /// Audit records only (reads, refusals, standalone events).
            Audit(Vec<AuditRecord>),
        }

        /// One request's share of a group: its write, the tokens minted with it, its records.
        pub(crate) struct Op {
            write: Write,
            tokens: Vec<TokenRow>,
        }

        impl Op {
            /// An operation without tokens.
            pub(crate) fn new(write: Write) -> Self {
                Self {
                    write,
                    tokens: Vec::new(),
                }
            }

            /// Audit records only.
            pub(crate) fn audit(records: Vec<AuditRecord>) -> Self {
                Self::new(Write::Audit(records))
            }

            /// A guarded write with its tokens.
            pub(crate) fn guarded(write: GuardedWrite, tokens: Vec<TokenRow>) -> Self {
                let write = match write {
                    GuardedWrite::CustomerInsert(row, key, a) => Write::Insert(vec![(row, key, a)]),
                    GuardedWrite::CustomerInsertBatch(rows) => Write::Insert(rows),
                    GuardedWrite::CustomerUpdate(row, a) => Write::Update(row, None, a),
                    GuardedWrite::OrderInsert(row, a) => Write::Order(row, a),
                    GuardedWrite::Audit(a) => Write::Audit(vec![a]),
                };
                Self { write, tokens }
            }

            fn records(&self) -> Vec<&AuditRecord> {
                match &self.write {
                    Write::Insert(rows) => rows.iter().map(|(_, _, a)| a).collect(),
                    Write::Update(_, _, a) | Write::Order(_, a) => vec![a],
                    Write::Audit(recs) => recs.iter().collect(),
                }
            }

            fn record_count(&self) -> usize {
                match &self.write {
                    Write::Insert(rows) => rows.len(),
                    Write::Update(..) | Write::Order(..) => 1,
                    Write::Audit(recs) => recs.len(),
                }
            }

            /// The existing customer row this operation locks, if any.
            fn locks(&self) -> Option<uuid::Uuid> {
                match &self.write {
                    Write::Update(row, _, _) => Some(row.id),
                    Write::Order(row, _) => Some(row.customer_id),
                    Write::Insert(_) | Write::Audit(_) => None,
                }
            }

            fn inserts(&self) -> impl Iterator<Item = (&CustomerRow, &WrappedKey)> {
                let rows: &[(CustomerRow, WrappedKey, AuditRecord)] = match &self.write {
                    Write::Insert(rows) => rows,
                    _ => &[],
                };
                rows.iter().map(|(r, k, _)| (r, k))
            }
        }

        struct Job {
            op: Op,
            reply: oneshot::Sender<Result<u64, StoreError>>,
        }

        /// Why an attempt at committing a group failed.
        enum Failure {
            /// Operation `i` was refused (unique or concurrency): retry without it.
            Op(usize, StoreError),
            /// A combined multi-row statement was refused; which operation caused it is not
            /// known: retry one operation at a time.
            Combined,
            /// The group cannot be committed: fail every operation in it.
            Group(StoreError),
        }

        /// Whether `e` is a refusal that belongs to one operation rather than to the group.
        fn refusal(e: &StoreError) -> bool {
            matches!(e, StoreError::Unique(_) | StoreError::Concurrent)
        }

        /// The same error, for every request of a failed group.
        fn copy(e: &StoreError) -> StoreError {
            match e {
                StoreError::Database(m) => StoreError::Database(m.clone()),
                StoreError::Unique(n) => StoreError::Unique(n),
                StoreError::Concurrent => StoreError::Concurrent,
                StoreError::Corrupt(m) => StoreError::Corrupt(m.clone()),
                StoreError::Unsupported(m) => StoreError::Unsupported(m),
            }
        }

        /// The handle to a store's writer task. The task is started on first use in the
        /// calling runtime and started again if that runtime has gone.
        pub(crate) struct Group {
            pool: $crate::sqlx::Pool<crate::Db>,
            sender: Mutex<Option<mpsc::Sender<Job>>>,
        }

        impl Group {
            /// A writer for `pool` (the backend's write pool).
            pub(crate) fn new(pool: $crate::sqlx::Pool<crate::Db>) -> Arc<Self> {
                Arc::new(Self {
                    pool,
                    sender: Mutex::new(None),
                })
            }

            fn sender(&self) -> mpsc::Sender<Job> {
                let mut slot = self.sender.lock().unwrap_or_else(|p| p.into_inner());
                match &*slot {
                    Some(s) if !s.is_closed() => s.clone(),
                    _ => {
                        let (tx, rx) = mpsc::channel(4 * $crate::group::MAX_GROUP_OPS);
                        $crate::tokio::spawn(run(self.pool.clone(), rx));
                        *slot = Some(tx.clone());
                        tx
                    }
                }
            }

            /// Commits `op` with the next group and returns the position of its first audit
            /// record once the group is durable.
            pub(crate) async fn submit(&self, op: Op) -> Result<u64, StoreError> {
                let (reply, answer) = oneshot::channel();
                let mut job = Job { op, reply };
                for _ in 0..2 {
                    match self.sender().send(job).await {
                        Ok(()) => {
                            return answer.await.map_err(|_| {
                                StoreError::Database("the store's writer stopped".into())
                            })?;
                        }
                        // The task's runtime has gone (a test's runtime, a restarted one): the
                        // next `sender()` starts a new task.
                        Err(mpsc::error::SendError(j)) => job = j,
                    }
                }
                Err(StoreError::Database("the store's writer is not running".into()))
            }
        }

        /// The writer task: one group at a time, until every handle is gone.
        ///
        /// While requests keep coming the task keeps its write connection from one group to the
        /// next (sqlx pings a connection on every return to the pool: a round trip per group,
        /// and on SQLite, whose write pool has one connection, on the next group's path). It
        /// gives the connection back once the queue has been empty for
        /// [`HOLD_IDLE`]($crate::group::HOLD_IDLE), after
        /// [`HOLD_GROUPS`]($crate::group::HOLD_GROUPS) groups in a row so the rarer writes that
        /// keep a transaction of their own (and `api_key_touch`) get their turn, and after any
        /// failure of a whole group (the pool then checks or drops it).
        async fn run(pool: $crate::sqlx::Pool<crate::Db>, mut rx: mpsc::Receiver<Job>) {
            let mut held: Option<$crate::sqlx::pool::PoolConnection<crate::Db>> = None;
            let mut streak = 0usize;
            loop {
                let first = match rx.try_recv() {
                    Ok(j) => j,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        // Under load the next request is usually a moment away: keep the
                        // connection for a few milliseconds before giving it back.
                        let soon = if held.is_some() {
                            $crate::tokio::time::timeout($crate::group::HOLD_IDLE, rx.recv())
                                .await
                                .ok()
                        } else {
                            None
                        };
                        match soon {
                            Some(Some(j)) => j,
                            Some(None) => break,
                            None => {
                                held = None;
                                streak = 0;
                                match rx.recv().await {
                                    Some(j) => j,
                                    None => break,
                                }
                            }
                        }
                    }
                    Err(mpsc::error::TryRecvError::Disconnected) => break,
                };
                let mut records = first.op.record_count();
                let mut jobs = vec![first];
                while jobs.len() < $crate::group::MAX_GROUP_OPS
                    && records < $crate::group::MAX_GROUP_RECORDS
                {
                    match rx.try_recv() {
                        Ok(j) => {
                            records += j.op.record_count();
                            jobs.push(j);
                        }
                        Err(_) => break,
                    }
                }
                if streak >= $crate::group::HOLD_GROUPS {
                    held = None;
                    streak = 0;
                }
                if held.is_none() {
                    match pool.acquire().await {
                        Ok(c) => held = Some(c),
                        Err(e) => {
                            let e = crate::db(e);
                            $crate::tracing::warn!(error = %e, requests = jobs.len(), "group commit failed; every request in it is refused");
                            for j in jobs {
                                let _ = j.reply.send(Err(copy(&e)));
                            }
                            continue;
                        }
                    }
                }
                let Some(conn) = held.as_mut() else { continue };
                streak += 1;
                if !commit(conn, jobs).await {
                    held = None;
                    streak = 0;
                }
            }
        }

        /// Commits `jobs` as one group (retrying without refused operations) and answers each.
        /// Returns false when the whole group failed (the connection is then not reused).
        async fn commit(conn: &mut crate::Conn, mut jobs: Vec<Job>) -> bool {
            let mut combined = true;
            while !jobs.is_empty() {
                let ops: Vec<&Op> = jobs.iter().map(|j| &j.op).collect();
                match attempt(conn, &ops, combined).await {
                    Ok(first) => {
                        let mut seq = first;
                        for j in jobs {
                            let n = j.op.record_count() as u64;
                            // A caller that stopped waiting is no error: its write is durable.
                            let _ = j.reply.send(Ok(seq));
                            seq += n;
                        }
                        return true;
                    }
                    Err(Failure::Op(i, e)) => {
                        let _ = jobs.remove(i).reply.send(Err(e));
                        combined = false;
                    }
                    Err(Failure::Combined) => combined = false,
                    Err(Failure::Group(e)) => {
                        $crate::tracing::warn!(error = %e, requests = jobs.len(), "group commit failed; every request in it is refused");
                        for j in jobs {
                            let _ = j.reply.send(Err(copy(&e)));
                        }
                        return false;
                    }
                }
            }
            true
        }

        /// One transaction for `ops`; rolled back explicitly on any failure.
        async fn attempt(
            conn: &mut crate::Conn,
            ops: &[&Op],
            combined: bool,
        ) -> Result<u64, Failure> {
            let mut tx = crate::begin_on(conn).await.map_err(Failure::Group)?;
            match write_group(&mut tx, ops, combined).await {
                Ok(first) => {
                    tx.commit()
                        .await
                        .map_err(|e| Failure::Group(crate::db(e)))?;
                    Ok(first)
                }
                Err(f) => {
                    // Explicit, so the connection goes back clean; if the connection itself
                    // is broken the pool discards it.
                    let _ = tx.rollback().await;
                    Err(f)
                }
            }
        }

        async fn write_group(
            conn: &mut crate::Conn,
            ops: &[&Op],
            combined: bool,
        ) -> Result<u64, Failure> {
            let own = |i: usize| move |e: StoreError| {
                if refusal(&e) { Failure::Op(i, e) } else { Failure::Group(e) }
            };
            // Existing rows are locked in one global order (by customer id; stable, so two
            // operations on one customer keep their arrival order): two groups on two nodes can
            // then never wait for each other's rows (PostgreSQL).
            let mut order: Vec<usize> = (0..ops.len()).collect();
            order.sort_by_key(|&i| ops[i].locks());
            if combined && ops.len() > 1 {
                let shared = |e: StoreError| {
                    if refusal(&e) { Failure::Combined } else { Failure::Group(e) }
                };
                let items: Vec<(&CustomerRow, &WrappedKey)> =
                    ops.iter().flat_map(|o| o.inserts()).collect();
                if !items.is_empty() {
                    crate::dialect::insert_customers(&mut *conn, &items)
                        .await
                        .map_err(shared)?;
                }
                for &i in &order {
                    write_one(&mut *conn, ops[i], false).await.map_err(own(i))?;
                }
                let tokens: Vec<TokenRow> =
                    ops.iter().flat_map(|o| o.tokens.iter().cloned()).collect();
                crate::tokens::insert_tokens(&mut *conn, &tokens)
                    .await
                    .map_err(shared)?;
            } else {
                for &i in &order {
                    write_one(&mut *conn, ops[i], true).await.map_err(own(i))?;
                    crate::tokens::insert_tokens(&mut *conn, &ops[i].tokens)
                        .await
                        .map_err(own(i))?;
                }
            }
            let records: Vec<&AuditRecord> = ops.iter().flat_map(|o| o.records()).collect();
            crate::audit::append(&mut *conn, &records)
                .await
                .map_err(Failure::Group)
        }

        /// An operation's own statements (its customer inserts only when `inserts`).
        async fn write_one(
            conn: &mut crate::Conn,
            op: &Op,
            inserts: bool,
        ) -> Result<(), StoreError> {
            match &op.write {
                Write::Insert(_) if inserts => {
                    let items: Vec<_> = op.inserts().collect();
                    crate::dialect::insert_customers(conn, &items).await
                }
                Write::Update(row, key, _) => crate::customers::update(conn, row, key.as_ref()).await,
                Write::Order(row, _) => crate::customers::order_insert(conn, row).await,
                Write::Insert(_) | Write::Audit(_) => Ok(()),
            }
        }
    };
}
