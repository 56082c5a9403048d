//! `jaga backup` for PostgreSQL installations: the online dump (one `REPEATABLE READ, READ
//! ONLY` transaction, every table in binary `COPY` form, streamed into the archive) and the
//! restore target, an empty PostgreSQL database named with `--to-database-url` (or, for a
//! drill, a scratch database created and dropped around it). The work is in
//! `jaga_store_postgres::backup`; this is the glue to `jaga-backup`.

use crate::config::redact_url;
use jaga_backup::archive::DatabaseInfo;
use jaga_backup::{BackupError, Dump, TableTarget};
use jaga_core::store::Store;
use jaga_store_postgres::PostgresStore;
use jaga_store_postgres::backup as pg;
use std::path::Path;
use std::sync::Arc;

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A dump of `store` for `jaga_backup::create`.
pub fn dump(store: &PostgresStore) -> Dump<'static> {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let store = store.clone();
    Dump {
        kind: "postgres".into(),
        items: rx,
        run: Box::pin(async move { store.dump(tx).await }),
    }
}

/// For the scheduled backup job: on a PostgreSQL installation, a maker that connects (a pool
/// of its own, closed with the dump) and dumps at each run.
pub fn dump_maker(url: &str) -> Option<jaga_jobs::lifecycle::DumpMaker> {
    if !is_postgres(url) {
        return None;
    }
    let url = url.to_string();
    Some(Arc::new(move || {
        let url = url.clone();
        Box::pin(async move {
            let store = PostgresStore::open(&url)
                .await
                .map_err(|e| jaga_jobs::JobError::msg(format!("backup: {e}")))?;
            Ok(dump(&store))
        })
    }))
}

/// An empty PostgreSQL database a backup is restored into.
pub struct PgTarget {
    url: String,
}

impl PgTarget {
    /// The database at `url`.
    pub fn new(url: &str) -> Result<Self, BackupError> {
        if !is_postgres(url) {
            return Err(BackupError::Invalid(
                "--to-database-url must be a postgres:// URL".into(),
            ));
        }
        Ok(Self { url: url.into() })
    }
}

#[async_trait::async_trait]
impl TableTarget for PgTarget {
    fn url(&self) -> &str {
        &self.url
    }

    async fn check_empty(&self) -> Result<(), BackupError> {
        match pg::is_empty(&self.url).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(BackupError::Invalid(format!(
                "the database {} is not empty: restore into a new, empty PostgreSQL database (CREATE DATABASE …); nothing was changed",
                redact_url(&self.url)
            ))),
            Err(e) => Err(BackupError::Invalid(format!(
                "the database {} cannot be used: {e}",
                redact_url(&self.url)
            ))),
        }
    }

    async fn load(&self, db: &DatabaseInfo, dir: &Path) -> Result<(), BackupError> {
        if db.format != pg::FORMAT {
            return Err(BackupError::Invalid(format!(
                "this Jaga cannot load a {} database in format {}",
                db.kind, db.format
            )));
        }
        let tables: Vec<pg::TableFile> = db
            .tables
            .iter()
            .map(|t| pg::TableFile {
                name: t.name.clone(),
                columns: t.columns.clone(),
                file: dir.join(&t.name),
            })
            .collect();
        pg::load(&self.url, db.schema_version.unwrap_or(0), &tables)
            .await
            .map_err(BackupError::Store)
    }

    async fn open(&self) -> Result<Arc<dyn Store>, BackupError> {
        Ok(Arc::new(
            PostgresStore::open(&self.url)
                .await
                .map_err(BackupError::Store)?,
        ))
    }

    async fn discard(&self) {
        if let Err(e) = pg::clear(&self.url).await {
            eprintln!(
                "warning: could not remove what the failed restore created in {} ({e}); drop that database",
                redact_url(&self.url)
            );
        }
    }
}

/// A scratch database for a restore drill on the server of `url`, dropped by
/// [`Scratch::drop_now`].
pub struct Scratch {
    admin_url: String,
    name: String,
    /// The target to restore into.
    pub target: PgTarget,
}

impl Scratch {
    /// Creates `jaga_drill_<random>` on the server of `url` (connecting to `url`'s database).
    pub async fn create(url: &str) -> Result<Self, BackupError> {
        let name = format!("jaga_drill_{}", uuid::Uuid::new_v4().simple());
        let new_url = pg::create_database(url, &name).await.map_err(|e| {
            BackupError::Invalid(format!(
                "cannot create a scratch database for the drill on {} ({e}); the drill needs the CREATEDB privilege",
                redact_url(url)
            ))
        })?;
        Ok(Self {
            admin_url: url.into(),
            name,
            target: PgTarget::new(&new_url)?,
        })
    }

    /// Drops the scratch database.
    pub async fn drop_now(self) {
        if let Err(e) = pg::drop_database(&self.admin_url, &self.name).await {
            eprintln!(
                "warning: could not drop the drill's scratch database {} ({e})",
                self.name
            );
        }
    }
}
