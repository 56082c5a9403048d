//! The unauthenticated unseal endpoint's gate: once unsealed, nothing is tried; while sealed,
//! every attempt is throttled (per client address, and passphrases also across all addresses,
//! with counters in the database) and audited.

use super::{SealStatus, Vault};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::Caller;
use crate::staff::throttle::{Rule, address_group};
use secrecy::{ExposeSecret, SecretString};

/// Per client address (IPv6 grouped by /64): 5 free attempts, then doubling delays up to
/// 15 minutes.
const UNSEAL_ADDRESS: Rule = Rule {
    name: "unseal_address",
    threshold: 5,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
    window_ms: 6 * 3_600_000,
};

/// Across all addresses, for passphrases: 20 free attempts, then doubling delays up to one minute (so an
/// attacker with many addresses cannot keep the real key holders out for long).
const UNSEAL_ALL: Rule = Rule {
    name: "unseal_all",
    threshold: 20,
    base_ms: 1_000,
    cap_ms: 60_000,
    window_ms: 6 * 3_600_000,
};

/// Wrong unseal attempts in a row (per address, or overall for passphrases) from which each
/// further one is a warning in the log.
const WARN_AFTER_WRONG: i64 = 3;

/// What an unseal request supplies.
pub enum UnsealMaterial {
    /// One Shamir share.
    Share(SecretString),
    /// The passphrase.
    Passphrase(SecretString),
}

impl UnsealMaterial {
    fn kind(&self) -> &'static str {
        match self {
            UnsealMaterial::Share(_) => "share",
            UnsealMaterial::Passphrase(_) => "passphrase",
        }
    }
}

impl Vault {
    /// One attempt through the unseal endpoint from client address `ip`.
    ///
    /// Once unsealed the material is not looked at: the seal status is returned, so the
    /// endpoint is no oracle for the passphrase or shares. While sealed, the attempt is reserved
    /// on the address and global counters before anything is tried (refused with
    /// [`CoreError::Throttled`] while a delay is owed), then audited as `sys.unseal` with the
    /// outcome (never the material). An accepted share or passphrase gives its reservation back.
    /// Callers serialise attempts (one derivation at a time).
    pub async fn unseal_attempt(
        &self,
        material: UnsealMaterial,
        ip: &str,
        request_id: Option<String>,
    ) -> Result<SealStatus, CoreError> {
        if !self.is_sealed() {
            return Ok(self.status());
        }
        let now = crate::now_ms();
        let mut keys = vec![(UNSEAL_ADDRESS, format!("unseal_ip:{}", address_group(ip)))];
        if matches!(material, UnsealMaterial::Passphrase(_)) {
            // Only a passphrase can be guessed; a share is a 256-bit secret checked against a
            // fingerprint at once, so a global limit on shares would only let many addresses
            // keep the real holders out.
            keys.push((UNSEAL_ALL, "unseal_all".to_string()));
        }
        let caller = Caller::component("unseal-endpoint", request_id);
        let mut reserved: Vec<(Rule, crate::store::ThrottleRow)> = Vec::new();
        for (rule, key) in &keys {
            match self
                .store
                .throttle_reserve(key, now, rule.window_ms, rule.limit())
                .await?
            {
                Some(row) => reserved.push((*rule, row)),
                None => {
                    for (rule, r) in &reserved {
                        self.store
                            .throttle_release(&r.key, now, rule.limit())
                            .await?;
                    }
                    let rows = self.store.throttle_get(std::slice::from_ref(key)).await?;
                    let until = rows
                        .first()
                        .map(|r| r.last_failure_at + rule.delay_ms(r.failures))
                        .unwrap_or(now);
                    self.store
                        .audit_append(
                            AuditRecord::new(&caller, AuditAction::SysUnseal)
                                .outcome(Outcome::Denied)
                                .fields([
                                    format!("material:{}", material.kind()),
                                    format!("reason:throttled_{}", rule.name),
                                ]),
                        )
                        .await?;
                    return Err(CoreError::Throttled {
                        retry_after_secs: (((until - now).max(1) + 999) / 1000) as u64,
                    });
                }
            }
        }
        let kind = material.kind();
        let result = match material {
            UnsealMaterial::Share(share) => self.submit_share(share.expose_secret()).await,
            UnsealMaterial::Passphrase(p) => self
                .unseal_with_passphrase(&p)
                .await
                .map(|()| self.status()),
        };
        let (outcome, reason) = match &result {
            Ok(st) if !st.sealed => (Outcome::Ok, "unsealed"),
            Ok(_) => (Outcome::Ok, "share_accepted"),
            Err(CoreError::Unseal(_)) => (Outcome::Denied, "wrong_material"),
            Err(_) => (Outcome::Denied, "error"),
        };
        if reason == "wrong_material" {
            // Several wrong passphrases or shares in a row: someone may be guessing. A warning
            // in the log (counts only, never the material or the address).
            let in_a_row = reserved.iter().map(|(_, r)| r.failures).max().unwrap_or(0);
            if in_a_row >= WARN_AFTER_WRONG {
                tracing::warn!(
                    material = kind,
                    wrong_in_a_row = in_a_row,
                    "several wrong unseal attempts in a row: if this is not you, someone is guessing (attempts are throttled and audited as sys.unseal)"
                );
            }
        }
        if outcome == Outcome::Ok {
            for (rule, r) in &reserved {
                self.store
                    .throttle_release(&r.key, now, rule.limit())
                    .await?;
            }
        }
        let record = AuditRecord::new(&caller, AuditAction::SysUnseal)
            .outcome(outcome)
            .fields([format!("material:{kind}"), format!("reason:{reason}")]);
        self.store.audit_append(record.clone()).await?;
        // Intrusion detection sees it too: wrong attempts in a row are an alert
        // (`unseal_failures`), not only a log line.
        self.observe_one(&record, None);
        result
    }
}
