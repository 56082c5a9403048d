//! Job leases and run records in `job_state` (see `jaga_jobs`). The lease is taken by one
//! atomic upsert, so of several nodes racing for it exactly one wins; SQLite (one node) runs the
//! same statements so the runner needs no special case.

/// Stamps [`JobStore`](jaga_core::store::JobStore) for `$store`.
#[macro_export]
macro_rules! jobs {
    ($store:ty) => {
        use crate::sql;
        use jaga_core::store::{JobState, JobStore, StoreError};
        use $crate::sqlx;

        type Row = (Option<String>, i64, Option<i64>, Option<i64>, i64, i64);

        #[$crate::async_trait]
        impl JobStore for $store {
            async fn job_lease(
                &self,
                job: &str,
                holder: &str,
                now_ms: i64,
                until_ms: i64,
            ) -> Result<bool, StoreError> {
                let n = sqlx::query(sql::JOB_LEASE)
                    .bind(job)
                    .bind(holder)
                    .bind(now_ms)
                    .bind(until_ms)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn job_release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
                sqlx::query(sql::JOB_RELEASE)
                    .bind(job)
                    .bind(holder)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn job_record(&self, job: &str, ok: bool, at_ms: i64) -> Result<(), StoreError> {
                let q = if ok {
                    sql::JOB_RECORD_OK
                } else {
                    sql::JOB_RECORD_FAILED
                };
                sqlx::query(q)
                    .bind(job)
                    .bind(at_ms)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn job_state(&self, job: &str) -> Result<Option<JobState>, StoreError> {
                let row: Option<Row> = sqlx::query_as(sql::JOB_STATE)
                    .bind(job)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?;
                Ok(row.map(
                    |(holder, lease_until, last_ok_at, last_failure_at, failures, runs)| JobState {
                        holder,
                        lease_until,
                        last_ok_at,
                        last_failure_at,
                        failures: u64::try_from(failures).unwrap_or(0),
                        runs: u64::try_from(runs).unwrap_or(0),
                    },
                ))
            }
        }
    };
}
