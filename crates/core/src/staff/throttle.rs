//! Login throttling: growing delays per account, per client address and per (account, address),
//! with counters in the database so every node sees the same numbers.
//!
//! The delays double from 1 s after a threshold and are capped; they are never a permanent lock.
//! The per-(account, address) rule reacts first (after 3 failures) and caps at 15 minutes, so an
//! attacker at one address is slowed hard while the real user at another address is not. The
//! per-account rule (across all addresses, against distributed guessing) starts after 10 failures
//! and caps at 60 seconds, so even an attacker with many addresses can only make the real user
//! wait a minute between attempts, never lock them out. The per-address rule (credential
//! stuffing: many accounts from one address) starts after 30 failures and caps at 15 minutes.
//! Counters restart after 6 quiet hours and a successful login clears the account's counters.

use sha2_free::email_key;

/// One throttle rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub name: &'static str,
    pub threshold: i64,
    pub base_ms: i64,
    pub cap_ms: i64,
}

pub(crate) const ACCOUNT_ADDR: Rule = Rule {
    name: "account_address",
    threshold: 3,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
};
pub(crate) const ACCOUNT: Rule = Rule {
    name: "account",
    threshold: 10,
    base_ms: 1_000,
    cap_ms: 60_000,
};
pub(crate) const ADDRESS: Rule = Rule {
    name: "address",
    threshold: 30,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
};

/// Counters restart after this long without a failure.
pub(crate) const WINDOW_MS: i64 = 6 * 3_600_000;

impl Rule {
    /// The delay owed after `failures` failures.
    pub(crate) fn delay_ms(&self, failures: i64) -> i64 {
        if failures < self.threshold {
            return 0;
        }
        let doublings = (failures - self.threshold).min(30) as u32;
        self.base_ms
            .saturating_mul(1i64 << doublings)
            .min(self.cap_ms)
    }
}

/// The counter keys for an attempt on the account with login `email` from `ip`. The account
/// part is a digest of the e-mail, so unknown and known accounts are throttled alike.
pub(crate) fn keys(email: &str, ip: &str) -> [(Rule, String); 3] {
    let a = email_key(email);
    [
        (ACCOUNT_ADDR, format!("acct_ip:{a}|{ip}")),
        (ACCOUNT, format!("acct:{a}")),
        (ADDRESS, format!("ip:{ip}")),
    ]
}

mod sha2_free {
    /// A short, stable, non-reversible-in-practice key for an e-mail address (first 16 hex
    /// characters of SHA-256 of the lower-case address).
    pub(crate) fn email_key(email: &str) -> String {
        let d = jaga_crypto::otp::token_digest(&email.trim().to_lowercase());
        d.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(ACCOUNT_ADDR.delay_ms(2), 0);
        assert_eq!(ACCOUNT_ADDR.delay_ms(3), 1_000);
        assert_eq!(ACCOUNT_ADDR.delay_ms(4), 2_000);
        assert_eq!(ACCOUNT_ADDR.delay_ms(8), 32_000);
        assert_eq!(ACCOUNT_ADDR.delay_ms(1_000), 15 * 60_000);
        assert_eq!(ACCOUNT.delay_ms(9), 0);
        assert_eq!(ACCOUNT.delay_ms(1_000_000), 60_000);
        assert_eq!(ADDRESS.delay_ms(29), 0);
    }

    #[test]
    fn keys_hide_the_email() {
        let k = keys("Dewi@Shop.ID", "10.0.0.1");
        assert!(!k.iter().any(|(_, s)| s.contains("dewi")));
        assert_eq!(keys("dewi@shop.id", "10.0.0.1")[1].1, k[1].1);
    }
}
