//! Entities and their pseudonymous keys.
//!
//! The engine never keeps an e-mail address, phone number, IP address or card fingerprint:
//! each is normalised and turned into a 64-bit key by a [`Keyer`]. The server's keyer is a
//! keyed hash (the vault's blind-index key), so keys are stable across restarts and nodes and
//! useless without the key; [`RandomKeyer`] is for offline runs (`jaga fraud score`).

use crate::event::Event;
use std::hash::{BuildHasher, Hasher};

/// What a velocity feature or a list entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    /// Card fingerprint.
    Card,
    /// E-mail address (lower-cased).
    Email,
    /// The shop's customer reference.
    Customer,
    /// Device identifier.
    Device,
    /// IP address.
    Ip,
    /// Shipping address hash.
    Address,
    /// Card BIN.
    Bin,
    /// Promotion code.
    Promo,
    /// Phone number (only for "changed phone" and lists).
    Phone,
}

/// The entities that have velocity features, in feature-table order.
pub const VELOCITY: [Entity; 8] = [
    Entity::Card,
    Entity::Email,
    Entity::Customer,
    Entity::Device,
    Entity::Ip,
    Entity::Address,
    Entity::Bin,
    Entity::Promo,
];

impl Entity {
    /// The prefix used in feature names and list APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Card => "card",
            Entity::Email => "email",
            Entity::Customer => "customer",
            Entity::Device => "device",
            Entity::Ip => "ip",
            Entity::Address => "address",
            Entity::Bin => "bin",
            Entity::Promo => "promo",
            Entity::Phone => "phone",
        }
    }

    /// Parses [`Entity::as_str`].
    pub fn parse(s: &str) -> Option<Entity> {
        [
            Entity::Card,
            Entity::Email,
            Entity::Customer,
            Entity::Device,
            Entity::Ip,
            Entity::Address,
            Entity::Bin,
            Entity::Promo,
            Entity::Phone,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }

    /// Index into [`EventKeys::keys`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Normalises a value before it is keyed, so `Siti@Example.com ` and `siti@example.com` are
/// the same e-mail, `0812-3456-789` and `+62 812 3456 789` the same phone.
pub fn normalize(entity: Entity, raw: &str) -> String {
    let t = raw.trim();
    if t.starts_with("k:") {
        // Already keyed by the server (`k:` + hex, an e-mail keeps `@domain`).
        return t.to_string();
    }
    match entity {
        Entity::Email => t.to_lowercase(),
        Entity::Phone => {
            let digits: String = t.chars().filter(char::is_ascii_digit).collect();
            match digits.strip_prefix('0') {
                Some(rest) => format!("62{rest}"),
                None => digits,
            }
        }
        Entity::Ip => t
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.to_string())
            .unwrap_or_else(|_| t.to_lowercase()),
        Entity::Promo => t.to_uppercase(),
        _ => t.to_string(),
    }
}

/// Turns a normalised value into a key. Implementations must be deterministic for the life of
/// the engine (and, for the server, across nodes).
pub trait Keyer: Send + Sync {
    /// The key of `normalized` as an `entity`.
    fn key(&self, entity: Entity, normalized: &str) -> u64;
}

/// A keyer with a random per-process key (SipHash): for offline scoring, where keys never
/// leave memory.
pub struct RandomKeyer(std::collections::hash_map::RandomState);

impl RandomKeyer {
    /// A fresh random key.
    pub fn new() -> Self {
        RandomKeyer(std::collections::hash_map::RandomState::new())
    }
}

impl Default for RandomKeyer {
    fn default() -> Self {
        Self::new()
    }
}

impl Keyer for RandomKeyer {
    fn key(&self, entity: Entity, normalized: &str) -> u64 {
        let mut h = self.0.build_hasher();
        h.write_u8(entity as u8);
        h.write(normalized.as_bytes());
        h.finish()
    }
}

/// The keys of one event's entities (`None` where the event has no such value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventKeys {
    /// Indexed by [`Entity::index`].
    pub keys: [Option<u64>; 9],
}

impl EventKeys {
    /// Derives the keys of `ev` with `keyer`. The customer falls back to the e-mail address
    /// when the event has no `customer_ref`, so guest checkouts still have a history.
    pub fn derive(ev: &Event, keyer: &dyn Keyer) -> Self {
        let mut k = EventKeys::default();
        let mut set = |e: Entity, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                k.keys[e.index()] = Some(keyer.key(e, &normalize(e, v)));
            }
        };
        let p = ev.payment.as_ref();
        set(Entity::Card, p.and_then(|p| p.card_fingerprint.as_deref()));
        set(Entity::Email, ev.email.as_deref());
        set(Entity::Customer, ev.customer_ref.as_deref());
        set(Entity::Device, ev.device_id.as_deref());
        set(Entity::Ip, ev.ip.as_deref());
        set(
            Entity::Address,
            ev.shipping.as_ref().and_then(|s| s.address_hash.as_deref()),
        );
        set(Entity::Bin, p.and_then(|p| p.card_bin.as_deref()));
        set(Entity::Promo, ev.promo_code.as_deref());
        set(Entity::Phone, ev.phone.as_deref());
        if k.keys[Entity::Customer.index()].is_none()
            && let Some(email) = k.keys[Entity::Email.index()]
        {
            k.keys[Entity::Customer.index()] =
                Some(keyer.key(Entity::Customer, &format!("email:{email:016x}")));
        }
        k
    }

    /// The key of `e`, if the event has one.
    pub fn get(&self, e: Entity) -> Option<u64> {
        self.keys[e.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_merges_spellings() {
        assert_eq!(
            normalize(Entity::Email, " Siti@Example.COM "),
            "siti@example.com"
        );
        assert_eq!(normalize(Entity::Phone, "0812-3456-789"), "628123456789");
        assert_eq!(normalize(Entity::Phone, "+62 812 3456 789"), "628123456789");
        assert_eq!(normalize(Entity::Ip, "2001:DB8::1"), "2001:db8::1");
        let k = RandomKeyer::new();
        assert_eq!(k.key(Entity::Email, "a"), k.key(Entity::Email, "a"));
        assert_ne!(k.key(Entity::Email, "a"), k.key(Entity::Device, "a"));
    }
}
