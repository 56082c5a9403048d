//! Versions of the shop's data policy (`policy.toml` and the roles' views it is rendered
//! from), and staff acceptance of staff-facing changes through the confidentiality agreement.
//!
//! `jaga serve` hands the policy to [`StaffService::policy_observe`] at start and from the
//! `policy-watch` job. A change (of the file's bytes, or of what the policy says) becomes a new
//! [`PolicyVersion`] — its file hash, the time, the categories changed, never customer data —
//! stored in the shop settings (`policy.history`) with a `policy.change` audit event in the same
//! transaction. A version that changes a staff-facing rule (who may see what: the roles' views;
//! the retention periods and end actions staff apply) makes the effective agreement version
//! `<agreement>+policy-<n>`, so every staff member is sent to accept it again before the next
//! page that shows customer data — the agreement's own gate, unchanged.

use super::{Agreement, StaffService};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::policy::Policy;
use crate::roles::{Policies, Role};
use jaga_i18n::{Lang, M};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The shop setting holding the history (a JSON array, oldest first).
pub const POLICY_HISTORY: &str = "policy.history";
/// Versions kept in the history (the audit log keeps every change regardless).
pub const HISTORY_MAX: usize = 200;
/// The actor policy changes are recorded as.
pub const POLICY_ACTOR: &str = "policy";

/// One version of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// 1, 2, …
    pub n: u32,
    /// SHA-256 of `policy.toml` as read (hex; of nothing when there is no file).
    pub hash: String,
    /// When the change was seen, ms.
    pub at_ms: i64,
    /// What changed: category keys, `roles`, `shop`; empty for the first version or a change of
    /// layout or comments only.
    pub changed: Vec<String>,
    /// Whether a staff-facing rule changed (staff accept this version).
    pub staff_facing: bool,
    /// Digests of each part, to tell what changed next time.
    pub fingerprint: BTreeMap<String, String>,
}

fn digest(s: &str) -> String {
    hex::encode(&Sha256::digest(s.as_bytes())[..12])
}

/// Digests of what the policy says, part by part: per category its staff-facing rule
/// (`<key>.staff`: retention days, end action) and its text (`<key>.text`: purposes, legal
/// basis), the roles' views (`roles`) and the shop's name and contact (`shop`).
pub fn fingerprint(policy: &Policy, roles: &Policies) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (cat, rule) in &policy.rules {
        out.insert(
            format!("{}.staff", cat.key()),
            digest(&format!("{}|{:?}", rule.retention_days, rule.end_action)),
        );
        out.insert(
            format!("{}.text", cat.key()),
            digest(&format!(
                "{}|{}|{:?}",
                rule.purpose_id, rule.purpose_en, rule.legal_basis
            )),
        );
    }
    let views: Vec<String> = Role::ALL
        .into_iter()
        .map(|r| format!("{}={:?}", r.name(), roles.views(r)))
        .collect();
    out.insert("roles".into(), digest(&views.join(";")));
    out.insert(
        "shop".into(),
        digest(&format!("{}|{:?}", policy.shop, policy.contact)),
    );
    out
}

/// What changed from `old` to `new` (category keys, `roles`, `shop`, in order, once each) and
/// whether any of it is staff-facing.
pub fn diff(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> (Vec<String>, bool) {
    let mut changed: Vec<String> = Vec::new();
    let mut staff = false;
    for key in old.keys().chain(new.keys()) {
        if old.get(key) == new.get(key) {
            continue;
        }
        let part = key.split('.').next().unwrap_or(key).to_string();
        staff |= key.ends_with(".staff") || key == "roles";
        if !changed.contains(&part) {
            changed.push(part);
        }
    }
    (changed, staff)
}

/// What the service keeps in memory: the latest version, the latest staff-facing one, and the
/// rendered policy for the console (HTML bodies in both languages).
#[derive(Debug, Default)]
pub(crate) struct PolicyState {
    latest: Option<PolicyVersion>,
    staff: Option<PolicyVersion>,
    rendered: Option<(String, String)>,
}

impl PolicyState {
    fn from_history(history: &[PolicyVersion]) -> Self {
        Self {
            latest: history.last().cloned(),
            staff: history.iter().rev().find(|v| v.staff_facing).cloned(),
            rendered: None,
        }
    }
}

impl StaffService {
    /// The current confidentiality agreement: the configured one, and when a staff-facing
    /// policy change was recorded, its version suffixed `+policy-<n>` and its text followed by
    /// a note on what changed (accepting it accepts the new policy).
    pub fn agreement(&self) -> Agreement {
        let base = &self.config.agreement;
        let state = self.policy.read().unwrap_or_else(|e| e.into_inner());
        let Some(v) = &state.staff else {
            return base.clone();
        };
        let note = |lang: Lang| {
            M::PolicyAckNote
                .text(lang)
                .replace("{n}", &v.n.to_string())
                .replace("{changed}", &v.changed.join(", "))
        };
        Agreement {
            version: format!("{}+policy-{}", base.version, v.n),
            text_id: format!("{}\n\n{}", base.text_id.trim_end(), note(Lang::Id)),
            text_en: format!("{}\n\n{}", base.text_en.trim_end(), note(Lang::En)),
        }
    }

    /// The stored history, oldest first.
    pub async fn policy_history(&self) -> Result<Vec<PolicyVersion>, CoreError> {
        Ok(match self.store().setting_get(POLICY_HISTORY).await? {
            Some(json) => serde_json::from_str(&json).map_err(|_| CoreError::Integrity)?,
            None => Vec::new(),
        })
    }

    /// Records the policy in force: `file` is `policy.toml` as read (`None` when there is
    /// none), `policy` and `roles` what it says. A change is stored as a new version with a
    /// `policy.change` event (version, hash, categories changed, `staff_facing:`), an unchanged
    /// policy writes nothing; either way this node's view of the latest staff-facing version is
    /// refreshed from the store. Returns the new version, if any.
    pub async fn policy_observe(
        &self,
        file: Option<&[u8]>,
        policy: &Policy,
        roles: &Policies,
    ) -> Result<Option<PolicyVersion>, CoreError> {
        let mut history = self.policy_history().await?;
        let hash = hex::encode(Sha256::digest(file.unwrap_or_default()));
        let fp = fingerprint(policy, roles);
        let recorded = match history.last() {
            Some(last) if last.hash == hash && last.fingerprint == fp => None,
            last => {
                let (changed, staff_facing) = match last {
                    Some(l) => diff(&l.fingerprint, &fp),
                    None => (Vec::new(), false),
                };
                let v = PolicyVersion {
                    n: last.map_or(1, |l| l.n + 1),
                    hash: hash.clone(),
                    at_ms: self.now(),
                    changed,
                    staff_facing,
                    fingerprint: fp,
                };
                let caller = Caller::system(POLICY_ACTOR);
                let mut fields = vec![
                    format!("version:{}", v.n),
                    format!("hash:{}", &hash[..16]),
                    format!("staff_facing:{}", v.staff_facing),
                ];
                fields.extend(v.changed.iter().map(|c| format!("changed:{c}")));
                history.push(v.clone());
                let keep = history.len().saturating_sub(HISTORY_MAX);
                history.drain(..keep);
                let json = serde_json::to_string(&history).map_err(|_| CoreError::Integrity)?;
                self.store()
                    .setting_put(
                        POLICY_HISTORY,
                        &json,
                        v.at_ms,
                        AuditRecord::new(&caller, AuditAction::PolicyChange).fields(fields),
                    )
                    .await?;
                Some(v)
            }
        };
        let mut state = self.policy.write().unwrap_or_else(|e| e.into_inner());
        let rendered = state.rendered.take();
        *state = PolicyState::from_history(&history);
        state.rendered = rendered;
        Ok(recorded)
    }

    /// Sets the rendered policy the console shows (HTML bodies, Bahasa Indonesia and English).
    pub fn set_policy_documents(&self, id_html: String, en_html: String) {
        self.policy
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .rendered = Some((id_html, en_html));
    }

    /// The rendered policy in `lang`, once `jaga serve` has set it.
    pub fn policy_document(&self, lang: Lang) -> Option<String> {
        let state = self.policy.read().unwrap_or_else(|e| e.into_inner());
        state.rendered.as_ref().map(|(id, en)| match lang {
            Lang::Id => id.clone(),
            Lang::En => en.clone(),
        })
    }

    /// The latest version this node has seen.
    pub fn policy_latest(&self) -> Option<PolicyVersion> {
        self.policy
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .latest
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Category, PolicyFile, default_rule};

    fn policy() -> Policy {
        Policy::from_file(PolicyFile::default()).unwrap()
    }

    #[test]
    fn a_retention_period_or_a_role_is_staff_facing_a_purpose_is_not() {
        let roles = Policies::default();
        let base = fingerprint(&policy(), &roles);
        assert_eq!(
            diff(&base, &fingerprint(&policy(), &roles)),
            (vec![], false)
        );

        let mut p = policy();
        let mut r = default_rule(Category::Identity);
        r.retention_days += 30;
        p.rules.insert(Category::Identity, r);
        assert_eq!(
            diff(&base, &fingerprint(&p, &roles)),
            (vec!["identity".to_string()], true)
        );

        let mut p = policy();
        let mut r = default_rule(Category::Notes);
        r.purpose_en = "Something else".into();
        p.rules.insert(Category::Notes, r);
        assert_eq!(
            diff(&base, &fingerprint(&p, &roles)),
            (vec!["notes".to_string()], false)
        );

        let mut p = policy();
        p.shop = "Toko Lain".into();
        assert_eq!(
            diff(&base, &fingerprint(&p, &roles)),
            (vec!["shop".to_string()], false)
        );
    }
}
