//! The store plumbing shared by Jaga's SQL backends (`jaga-store-sqlite`, `jaga-store-postgres`).
//!
//! A backend crate keeps only what is really its own: how it connects, its migrations, its SQL
//! text (one `sql` module of constants), its constraint names, and the few statements where the
//! dialects differ in kind rather than spelling (batch inserts through `UNNEST` on PostgreSQL, a
//! loop on SQLite; what to do after an erasure). Everything else is written once here:
//!
//! - the **transaction and cancellation policy**: every call that writes or appends to the
//!   audit log runs [`detached`] in a task of its own, so a caller that abandons the future (an
//!   HTTP client hanging up) cannot cancel a transaction halfway;
//! - the **constraint mapping**: [`ErrorMap`] turns unique-constraint violations into
//!   [`StoreError::Unique`] by constraint *name*, from one table per backend;
//! - the **row mapping**, the **audit append** (head lock, plan, write, head update) and every
//!   store-port method, as the item macros [`rows!`], [`audit!`], [`customers!`],
//!   [`tokens!`], [`staff!`], [`checkpoints!`] and [`vault!`], which [`backend!`] stamps into a
//!   backend crate in one line;
//! - the SQL that reads the same in both dialects ([`sql`]).
//!
//! # Why macros
//!
//! Code generic over `sqlx::Database` needs higher-ranked bounds such as
//! `for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>` and `Type`/`Encode`/`Decode`
//! bounds for every column type; Rust does not imply such bounds from a trait, so they would
//! have to be repeated on every function. Each macro here instead stamps one shared body into
//! the backend crate, where it is compiled against concrete sqlx types. The body is written
//! once; only the SQL text differs.
//!
//! # What a backend crate provides
//!
//! The macros expand inside the backend crate and refer to these of its items:
//!
//! | item | what it is |
//! |---|---|
//! | `crate::Db`, `crate::DbRow`, `crate::Conn` | its `sqlx::Database`, row and connection types |
//! | `crate::db(sqlx::Error) -> StoreError` | its [`ErrorMap`] applied |
//! | `crate::sql::*` | SQL text constants: [`sql`]'s, plus its own (see either backend's `sql.rs`) |
//! | `crate::dialect::*` | the statements that differ in kind (see either backend's `dialect.rs`) |
//! | the store type | `Clone + Send + Sync + 'static`, with `begin()`, `writer()` and `reader()` |
//!
//! # Adding a table
//!
//! Write its migration twice (one per backend), its statements once in [`sql`] where they read
//! the same, otherwise in each backend's `sql.rs`, and its Rust once: a row mapper in `rows.rs`
//! and the port methods in a macro here, added to [`backend!`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The item macros deliberately name the *backend* crate's items (`crate::sql`, `crate::Db`, ...):
// that is how one body serves both backends (see "What a backend crate provides").
#![allow(clippy::crate_in_macro_def)]

mod audit;
mod checkpoints;
mod customers;
mod fraud;
pub mod group;
mod idempotency;
#[doc(hidden)]
pub mod ids;
mod jobs;
pub mod lifecycle;
#[doc(hidden)]
pub mod payees;
pub mod requests;
mod rows;
pub mod sql;
mod staff;
mod tokens;
mod vault;

#[doc(hidden)]
pub use async_trait::async_trait;
#[doc(hidden)]
pub use sqlx;
#[doc(hidden)]
pub use tokio;
#[doc(hidden)]
pub use tracing;

use jaga_core::store::StoreError;
use sqlx::error::DatabaseError;
use std::future::Future;
use uuid::Uuid;

/// Stamps every shared module into a backend crate for its store type `$store`: `rows`,
/// `audit`, `customers`, `tokens`, `staff`, `checkpoint` and `store` (the port implementations).
#[macro_export]
macro_rules! backend {
    ($store:ty) => {
        mod rows {
            $crate::rows!();
        }
        mod audit {
            $crate::audit!();
        }
        mod customers {
            $crate::customers!($store);
        }
        mod tokens {
            $crate::tokens!($store);
        }
        mod staff {
            $crate::staff!($store);
        }
        mod checkpoint {
            $crate::checkpoints!($store);
        }
        mod store {
            $crate::vault!($store);
        }
        mod jobs {
            $crate::jobs!($store);
        }
        mod ids {
            $crate::ids!($store);
        }
        mod fraud {
            $crate::fraud!($store);
        }
        mod group {
            $crate::group!();
        }
        mod idempotency {
            $crate::idempotency!($store);
        }
        mod lifecycle {
            $crate::lifecycle!($store);
        }
        mod requests {
            $crate::requests!($store);
        }
        mod payees {
            $crate::payees!($store);
        }
    };
}

/// Runs a transactional store call in a task of its own, so a caller that abandons the future
/// cannot cancel it halfway.
///
/// sqlx rolls back a dropped transaction lazily; on SQLite a rollback that fails while a
/// statement is still in progress left the single writer connection believing it was inside a
/// transaction, wedging every later write, and on PostgreSQL a commit in flight could be
/// abandoned without the caller learning its fate. A spawned task always runs to completion:
/// the transaction either commits or rolls back, and the connection goes back to the pool clean.
pub async fn detached<T, F>(work: F) -> Result<T, StoreError>
where
    F: Future<Output = Result<T, StoreError>> + Send + 'static,
    T: Send + 'static,
{
    tokio::spawn(work)
        .await
        .map_err(|_| StoreError::Database("store task failed".into()))?
}

/// How a backend turns a database error into a [`StoreError`]: constraint violations are
/// recognised by the constraint's name, never by the wording of the message.
pub struct ErrorMap {
    /// The name of the constraint a violation reports (PostgreSQL: the constraint name;
    /// SQLite: the `table.column` list it reports for a unique index).
    pub constraint_name: fn(&dyn DatabaseError) -> Option<&str>,
    /// Unique constraints by name, with the name [`StoreError::Unique`] gives them.
    pub unique: &'static [(&'static str, &'static str)],
}

impl ErrorMap {
    /// Maps `e`. A unique violation of a constraint not in the table is `Unique("unknown")`;
    /// everything else is [`StoreError::Database`] with sqlx's message (which for the statements
    /// Jaga runs never carries row values: PostgreSQL's `DETAIL` is not part of it).
    pub fn map(&self, e: sqlx::Error) -> StoreError {
        if let Some(d) = e.as_database_error()
            && d.is_unique_violation()
        {
            let name = (self.constraint_name)(d);
            return StoreError::Unique(
                self.unique
                    .iter()
                    .find(|(n, _)| Some(*n) == name)
                    .map_or("unknown", |(_, domain)| *domain),
            );
        }
        StoreError::Database(e.to_string())
    }
}

/// A decoding failure (wrong column type or missing column).
pub fn decode(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

/// Stored data that is not in the shape the code expects.
pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// Parses an id stored as text.
pub fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| corrupt("id is not a UUID"))
}

/// A key-encryption-key version as stored (`BIGINT`).
pub fn kek_version(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| corrupt("kek version"))
}

/// A log position or count going into a `BIGINT` column.
pub fn pos(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Database("position out of range".into()))
}

/// A log position or count coming out of a `BIGINT` column.
pub fn unpos(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| corrupt(what))
}

/// A 32-byte hash column.
pub fn hash(v: Vec<u8>, what: &str) -> Result<[u8; 32], StoreError> {
    v.try_into().map_err(|_| corrupt(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn detached_work_finishes_after_its_caller_gives_up() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel::<u32>();
        let call = detached(async move {
            rx.await.ok();
            done_tx.send(7).ok();
            Ok(())
        });
        // Poll the call once so the task is spawned, then abandon it.
        let mut call = Box::pin(call);
        assert!(futures_poll_once(call.as_mut()).await.is_none());
        drop(call);
        tx.send(()).unwrap();
        assert_eq!(
            done_rx.await.unwrap(),
            7,
            "the spawned work ran to completion"
        );
    }

    async fn futures_poll_once<F: Future + Unpin>(f: F) -> Option<F::Output> {
        let mut f = f;
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }

    #[test]
    fn positions_out_of_range_are_refused() {
        assert!(pos(u64::MAX).is_err());
        assert_eq!(pos(5).unwrap(), 5);
        assert!(unpos(-1, "x").is_err());
        assert!(kek_version(-1).is_err());
        assert!(hash(vec![0; 31], "h").is_err());
    }
}
