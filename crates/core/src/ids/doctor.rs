//! What `jaga doctor` needs to know about the installation that only the store can tell: staff
//! accounts (MFA, role, last sign-in), API keys, background jobs' last runs (backups, drills,
//! retention, audit verification), the latest checkpoint and the honeytokens. Decoys are left
//! out of the account and key checks (they are meant to look dormant).

use crate::CoreError;
use crate::audit::AuditAction;
use crate::auth::Caller;
use crate::store::{EventFilter, JobState};
use crate::vault::Vault;
use std::collections::{BTreeMap, HashSet};

/// One staff account as the self-check sees it.
#[derive(Debug, Clone)]
pub struct StaffFact {
    /// Id.
    pub id: String,
    /// Role name.
    pub role: String,
    /// TOTP confirmed.
    pub mfa: bool,
    /// Disabled.
    pub disabled: bool,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Last completed sign-in in the last 90 days, ms since epoch.
    pub last_login: Option<i64>,
}

/// One API key as the self-check sees it.
#[derive(Debug, Clone)]
pub struct KeyFact {
    /// Id.
    pub id: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Expires, ms since epoch.
    pub expires_at: Option<i64>,
}

/// Facts for the self-check.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Enabled and disabled staff, decoys left out.
    pub staff: Vec<StaffFact>,
    /// Live (unrevoked, unexpired) API keys, decoys left out.
    pub keys: Vec<KeyFact>,
    /// Last runs of the named jobs (absent: never ran).
    pub jobs: BTreeMap<String, JobState>,
    /// Latest stored checkpoint: (size, created ms).
    pub checkpoint: Option<(u64, i64)>,
    /// Events in the log.
    pub audit_size: u64,
    /// Honeytokens planted: customers, API keys, staff.
    pub honeytokens: (u64, u64, u64),
    /// Unacknowledged alerts.
    pub open_alerts: u64,
}

/// The jobs whose last run the self-check reads (`job_state`).
pub const JOBS: &[&str] = &[
    "backup",
    "backup-drill",
    "retention",
    "audit-verify",
    "audit-checkpoint",
];

impl Vault {
    /// Gathers the self-check's facts (operator only).
    pub async fn doctor_facts(&self, caller: &Caller) -> Result<Facts, CoreError> {
        self.require_operator(caller, AuditAction::IdsAlertAck)
            .await?;
        let store = self.store();
        let decoys: HashSet<String> = store
            .honeytoken_list()
            .await?
            .into_iter()
            .map(|h| h.ref_id)
            .collect();
        let now = crate::now_ms();
        let since = now - 90 * 86_400_000;
        let mut staff = Vec::new();
        for s in store.staff_list().await? {
            let id = s.id.to_string();
            if decoys.contains(&id) {
                continue;
            }
            let filter = EventFilter {
                actor_id: Some(id.clone()),
                from_ms: Some(since),
                ..Default::default()
            };
            let last_login = crate::report::matching(store.as_ref(), &filter)
                .await?
                .iter()
                .filter(|e| e.action == AuditAction::StaffLoginOk.as_str())
                .map(|e| i64::try_from(e.ts_ms).unwrap_or(0))
                .max();
            staff.push(StaffFact {
                id,
                role: s.role,
                mfa: s.totp_confirmed,
                disabled: s.disabled_at.is_some(),
                created_at: s.created_at,
                last_login,
            });
        }
        let keys = store
            .api_key_list()
            .await?
            .into_iter()
            .filter(|k| {
                k.revoked_at.is_none()
                    && k.expires_at.is_none_or(|e| e > now)
                    && !decoys.contains(&k.id)
            })
            .map(|k| KeyFact {
                scopes: k
                    .scopes
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                id: k.id,
                expires_at: k.expires_at,
            })
            .collect();
        let mut jobs = BTreeMap::new();
        for j in JOBS {
            if let Some(s) = store.job_state(j).await? {
                jobs.insert(j.to_string(), s);
            }
        }
        let open_alerts = store
            .alert_list(1000)
            .await?
            .iter()
            .filter(|a| a.acked_at.is_none())
            .count() as u64;
        Ok(Facts {
            staff,
            keys,
            jobs,
            checkpoint: store
                .checkpoint_latest()
                .await?
                .map(|c| (c.size, c.created_at)),
            audit_size: store.audit_head().await?.size,
            honeytokens: self.honeytoken_counts().await?,
            open_alerts,
        })
    }

    /// Verifies the whole audit log (the `audit-verify` job, `jaga doctor`); a failure raises
    /// the `audit_verify_failed` alert. Returns the first bad position, if any.
    pub async fn verify_and_watch(
        &self,
        key: Option<&jaga_audit::VerifierKey>,
    ) -> Result<Option<u64>, CoreError> {
        let r = crate::audit::verify::verify_log(self.store().as_ref(), key, None).await?;
        let bad = r.problem.map(|p| p.pos);
        if bad.is_some() {
            self.report_audit_verify_failure(bad);
        }
        Ok(bad)
    }
}
