//! Test databases on PostgreSQL, shared by this crate's test binaries.
//!
//! Each test gets its own database `jaga_t_<unix secs>_<random>`, created through the database
//! named in `JAGA_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`). Test
//! databases older than an hour are dropped by the next run. Without a reachable server the
//! tests print `SKIPPED` and pass, unless `JAGA_REQUIRE_POSTGRES=1` (as in CI).
#![allow(dead_code)]

use jaga_core::store::Store;
use jaga_store_postgres::PostgresStore;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

fn base_url() -> String {
    jaga_testkit::skip::postgres_url()
}

pub fn required() -> bool {
    jaga_testkit::skip::postgres_required()
}

/// `url` with its database name replaced by `db`, keeping any `?options`.
fn with_database(url: &str, db: &str) -> String {
    let (main, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let authority_start = main.find("://").map_or(0, |i| i + 3);
    let base = match main[authority_start..].find('/') {
        Some(i) => &main[..authority_start + i],
        None => main,
    };
    format!("{base}/{db}{query}")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Creates an empty, uniquely named database and returns its URL; `None` (after saying so once)
/// when PostgreSQL cannot be reached and is not required.
pub async fn fresh_database() -> Option<String> {
    static SAID: AtomicBool = AtomicBool::new(false);
    static CLEANED: AtomicBool = AtomicBool::new(false);
    let base = base_url();
    let mut admin = match PgConnection::connect(&base).await {
        Ok(c) => c,
        Err(e) => {
            if required() || !SAID.swap(true, Ordering::SeqCst) {
                jaga_testkit::skip::postgres_unreachable("PostgreSQL tests", &base, &e.to_string());
            }
            return None;
        }
    };
    if !CLEANED.swap(true, Ordering::SeqCst) {
        drop_stale_databases(&mut admin).await;
    }
    let name = format!("jaga_t_{}_{}", now_secs(), uuid::Uuid::new_v4().simple());
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    admin.close().await.ok();
    Some(with_database(&base, &name))
}

/// Best effort: drops test databases left by runs more than an hour ago.
async fn drop_stale_databases(admin: &mut PgConnection) {
    let Ok(names) = sqlx::query_scalar::<_, String>(
        r"SELECT datname FROM pg_database WHERE datname LIKE 'jaga\_t\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    let cutoff = now_secs().saturating_sub(3600);
    for name in names {
        let created: Option<u64> = name.split('_').nth(2).and_then(|s| s.parse().ok());
        if created.is_some_and(|t| t < cutoff)
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
        }
    }
}

pub async fn fresh_with_url() -> Option<(Arc<dyn Store>, String)> {
    let url = fresh_database().await?;
    let store = PostgresStore::open(&url)
        .await
        .expect("open PostgreSQL store");
    Some((Arc::new(store), url))
}

pub async fn fresh() -> Option<Arc<dyn Store>> {
    fresh_with_url().await.map(|(s, _)| s)
}
