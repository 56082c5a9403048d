//! [`JobStore`] on PostgreSQL: job leases and run records in `job_state`. The lease is taken
//! by one atomic upsert, so of several nodes racing for it exactly one wins.

use crate::{PostgresStore, db};
use async_trait::async_trait;
use jaga_core::store::{JobState, JobStore, StoreError};

type Row = (Option<String>, i64, Option<i64>, Option<i64>, i64, i64);

#[async_trait]
impl JobStore for PostgresStore {
    async fn job_lease(
        &self,
        job: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "INSERT INTO job_state (name, holder, lease_until) VALUES ($1, $2, $4) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until \
             WHERE job_state.holder IS NULL OR job_state.holder = excluded.holder OR job_state.lease_until <= $3",
        )
        .bind(job)
        .bind(holder)
        .bind(now_ms)
        .bind(until_ms)
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn job_release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE job_state SET holder = NULL, lease_until = 0 WHERE name = $1 AND holder = $2",
        )
        .bind(job)
        .bind(holder)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn job_record(&self, job: &str, ok: bool, at_ms: i64) -> Result<(), StoreError> {
        let sql = if ok {
            "INSERT INTO job_state (name, runs, failures, last_ok_at) VALUES ($1, 1, 0, $2) \
             ON CONFLICT (name) DO UPDATE SET runs = job_state.runs + 1, failures = 0, last_ok_at = $2"
        } else {
            "INSERT INTO job_state (name, runs, failures, last_failure_at) VALUES ($1, 1, 1, $2) \
             ON CONFLICT (name) DO UPDATE SET runs = job_state.runs + 1, \
             failures = job_state.failures + 1, last_failure_at = $2"
        };
        sqlx::query(sql)
            .bind(job)
            .bind(at_ms)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn job_state(&self, job: &str) -> Result<Option<JobState>, StoreError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT holder, lease_until, last_ok_at, last_failure_at, failures, runs FROM job_state WHERE name = $1",
        )
        .bind(job)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(state))
    }
}

fn state((holder, lease_until, last_ok_at, last_failure_at, failures, runs): Row) -> JobState {
    JobState {
        holder,
        lease_until,
        last_ok_at,
        last_failure_at,
        failures: u64::try_from(failures).unwrap_or(0),
        runs: u64::try_from(runs).unwrap_or(0),
    }
}
