//! Shipped domain lists and the shop's allow and block lists.

use crate::keys::{Entity, EventKeys, Keyer, normalize};
use std::collections::HashSet;
use std::sync::OnceLock;

const DISPOSABLE: &str = include_str!("disposable_domains.txt");

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.id",
    "ymail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
    "zoho.com",
];

/// Whether `domain` (lower case) is on the shipped disposable-domain list.
pub fn is_disposable(domain: &str) -> bool {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        DISPOSABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
    .contains(domain)
}

/// Whether `domain` (lower case) is a free webmail provider.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.contains(&domain)
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// Always allow (checked first, as in Stripe Radar).
    Allow,
    /// Always block.
    Block,
}

impl ListKind {
    /// `allow` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Allow => "allow",
            ListKind::Block => "block",
        }
    }

    /// Parses [`ListKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(ListKind::Allow),
            "block" => Some(ListKind::Block),
            _ => None,
        }
    }
}

/// The entities a list entry can name.
pub const LIST_ENTITIES: [Entity; 7] = [
    Entity::Email,
    Entity::Card,
    Entity::Device,
    Entity::Ip,
    Entity::Address,
    Entity::Customer,
    Entity::Phone,
];

/// Allow and block lists, held as keys (never the values).
#[derive(Debug, Clone, Default)]
pub struct Lists {
    entries: HashSet<(ListKind, Entity, u64)>,
}

impl Lists {
    /// Empty lists.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the key of an already normalised and keyed value.
    pub fn insert_key(&mut self, list: ListKind, entity: Entity, key: u64) {
        self.entries.insert((list, entity, key));
    }

    /// Adds a raw value (normalised and keyed here).
    pub fn insert(&mut self, list: ListKind, entity: Entity, value: &str, keyer: &dyn Keyer) {
        let key = keyer.key(entity, &normalize(entity, value));
        self.insert_key(list, entity, key);
    }

    /// Removes a key.
    pub fn remove_key(&mut self, list: ListKind, entity: Entity, key: u64) -> bool {
        self.entries.remove(&(list, entity, key))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first entity of the event on `list`, if any.
    pub fn hit(&self, list: ListKind, keys: &EventKeys) -> Option<Entity> {
        if self.entries.is_empty() {
            return None;
        }
        LIST_ENTITIES.into_iter().find(|e| {
            keys.get(*e)
                .is_some_and(|k| self.entries.contains(&(list, *e, k)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists() {
        assert!(is_disposable("mailinator.com"));
        assert!(!is_disposable("gmail.com"));
        assert!(!is_disposable("# disposable"));
        assert!(is_free_mail("yahoo.co.id"));
    }
}
