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
//!
//! Every attempt is *reserved* before it is verified: one atomic statement per counter counts
//! it as a failure and returns the new count, or refuses it when the counter owes a delay (see
//! [`crate::store::StaffStore::throttle_reserve`]). A burst of concurrent guesses therefore
//! gets distinct counts and only as many as the rule allows are ever verified; a success gives
//! the reservation back.
//!
//! Second factors have two more caps (NIST SP 800-63B 5.2.2): a pending login ends after
//! [`PENDING_MAX_FAILURES`] wrong codes, and an account refuses every second-factor code after
//! [`SECOND_FACTOR_MAX_FAILURES`] consecutive failures until an admin resets its second factor.
//!
//! Addresses are grouped for the per-address rules: an IPv6 address by its /64 prefix (one
//! subscriber usually holds a whole /64), an IPv4-mapped IPv6 address as the IPv4 address.

use sha2_free::email_key;

/// One throttle rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub name: &'static str,
    pub threshold: i64,
    pub base_ms: i64,
    pub cap_ms: i64,
    /// A counter restarts after this long without a failure.
    pub window_ms: i64,
}

pub(crate) const ACCOUNT_ADDR: Rule = Rule {
    name: "account_address",
    threshold: 3,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
    window_ms: WINDOW_MS,
};
pub(crate) const ACCOUNT: Rule = Rule {
    name: "account",
    threshold: 10,
    base_ms: 1_000,
    cap_ms: 60_000,
    window_ms: WINDOW_MS,
};
pub(crate) const ADDRESS: Rule = Rule {
    name: "address",
    threshold: 30,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
    window_ms: WINDOW_MS,
};

/// Counters restart after this long without a failure.
pub(crate) const WINDOW_MS: i64 = 6 * 3_600_000;

/// Wrong second-factor codes a pending login may send before it is ended.
pub const PENDING_MAX_FAILURES: i64 = 5;
/// Consecutive wrong second-factor codes (TOTP, recovery code, step-up) after which an
/// account's second factor is locked until an admin resets it (NIST SP 800-63B: at most 100).
pub const SECOND_FACTOR_MAX_FAILURES: i64 = 100;

/// A delay long enough to mean "until reset": about 50 days (a power of two so the doubling in
/// the store's statement cannot overflow).
const LOCKED_MS: i64 = 1 << 32;
/// A window that never restarts a counter in practice.
const FOREVER_MS: i64 = 1 << 50;

/// The rule of a pending login's counter.
pub(crate) const PENDING: Rule = Rule {
    name: "pending_login",
    threshold: PENDING_MAX_FAILURES,
    base_ms: LOCKED_MS,
    cap_ms: LOCKED_MS,
    window_ms: FOREVER_MS,
};
/// The rule of an account's consecutive second-factor failures.
pub(crate) const SECOND_FACTOR: Rule = Rule {
    name: "second_factor",
    threshold: SECOND_FACTOR_MAX_FAILURES,
    base_ms: LOCKED_MS,
    cap_ms: LOCKED_MS,
    window_ms: FOREVER_MS,
};

impl Rule {
    /// The rule as the store's reservation checks it.
    pub(crate) fn limit(&self) -> crate::store::ThrottleLimit {
        crate::store::ThrottleLimit {
            threshold: self.threshold,
            base_ms: self.base_ms,
            cap_ms: self.cap_ms,
        }
    }

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
    let ip = address_group(ip);
    [
        (ACCOUNT_ADDR, format!("acct_ip:{a}|{ip}")),
        (ACCOUNT, format!("acct:{a}")),
        (ADDRESS, format!("ip:{ip}")),
    ]
}

/// Wrong invitation tokens from one address (inspect or accept). Tokens carry 256 random bits,
/// so this is defence in depth: it keeps a client from hammering the lookup.
pub(crate) const INVITATION: Rule = Rule {
    name: "invitation",
    threshold: 10,
    base_ms: 1_000,
    cap_ms: 15 * 60_000,
    window_ms: WINDOW_MS,
};

/// The key of an address's invitation-token counter.
pub(crate) fn invitation_key(ip: &str) -> (Rule, String) {
    (INVITATION, format!("invite_ip:{}", address_group(ip)))
}

/// The key of a pending login's counter (by its session handle).
pub(crate) fn pending_key(handle: &uuid::Uuid) -> (Rule, String) {
    (PENDING, format!("pending:{handle}"))
}

/// The key of an account's consecutive second-factor failures.
pub(crate) fn second_factor_key(email: &str) -> (Rule, String) {
    (SECOND_FACTOR, format!("mfa:{}", email_key(email)))
}

/// The throttling group of a client address: an IPv6 address by its /64 network (written
/// `2001:db8:1:2::/64`), an IPv4-mapped IPv6 address as its IPv4 form, an IPv4 address as
/// itself. Anything unparsable is kept as given (it came from the server, not the client).
pub fn address_group(ip: &str) -> String {
    use std::net::{IpAddr, Ipv6Addr};
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4.to_string();
            }
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
        Err(_) => ip.to_string(),
    }
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
    fn ipv6_addresses_are_grouped_by_64() {
        assert_eq!(address_group("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_group("2001:db8:1:2:ffff:eeee:dddd:cccc"),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            address_group("2001:db8:1:3::1"),
            address_group("2001:db8:1:2::1")
        );
        assert_eq!(address_group("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(address_group("10.0.0.1"), "10.0.0.1");
        let a = keys("dewi@shop.id", "2001:db8:1:2::1");
        let b = keys("dewi@shop.id", "2001:db8:1:2:abcd::9");
        assert_eq!(a[0].1, b[0].1);
        assert_eq!(a[2].1, b[2].1);
    }

    #[test]
    fn second_factor_caps_lock_until_reset() {
        assert_eq!(PENDING.delay_ms(PENDING_MAX_FAILURES - 1), 0);
        assert!(PENDING.delay_ms(PENDING_MAX_FAILURES) > 40 * 86_400_000);
        assert_eq!(SECOND_FACTOR.delay_ms(99), 0);
        assert!(SECOND_FACTOR.delay_ms(100) > 40 * 86_400_000);
        assert_eq!(SECOND_FACTOR.delay_ms(10_000), LOCKED_MS);
    }

    #[test]
    fn keys_hide_the_email() {
        let k = keys("Dewi@Shop.ID", "10.0.0.1");
        assert!(!k.iter().any(|(_, s)| s.contains("dewi")));
        assert_eq!(keys("dewi@shop.id", "10.0.0.1")[1].1, k[1].1);
    }
}
