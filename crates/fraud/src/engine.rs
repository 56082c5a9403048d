//! Scoring: features, lists and rules, in Stripe Radar's order.
//!
//! 1. allow lists, then allow rules: `allow`, score 0;
//! 2. block lists, then block rules: `block`;
//! 3. review rules: `review`;
//! 4. otherwise the score decides: `block` from `block_at`, `review` from `review_at`.
//!
//! The score is the sum of the points of every matching block, review and score rule, capped at
//! 100 and raised to the decision's threshold (a blocked event never shows a low score). Every
//! event is recorded in the feature state whatever the decision, so velocity features see
//! blocked attempts too.

use crate::event::Event;
use crate::features::{FeatureStore, Features, Needs};
use crate::keys::{Entity, EventKeys, Keyer};
use crate::lists::{ListKind, Lists};
use crate::rules::{Action, RuleSet, Vars, env, eval};
use cel::Context;
use jaga_i18n::Lang;
use serde::Serialize;
use std::sync::Arc;

/// The decision on an event.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Let it through.
    Allow,
    /// Hold it for a person.
    Review,
    /// Refuse it.
    Block,
}

impl Decision {
    /// `allow`, `review` or `block`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Review => "review",
            Decision::Block => "block",
        }
    }

    /// Whether a person or the shop should act (review or block).
    pub fn flagged(self) -> bool {
        self != Decision::Allow
    }
}

/// Why: a matching rule and its text in the engine's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reason {
    /// The rule id (`allow_list`, `block_list` for list hits).
    pub rule: String,
    /// Human-readable reason.
    pub text: String,
}

/// A rule that failed on an event (reported, skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleFailure {
    /// The rule id.
    pub rule: String,
    /// The error, without event values.
    pub message: String,
}

/// The result of scoring one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The event id.
    pub id: String,
    /// allow, review or block.
    pub decision: Decision,
    /// 0-100.
    pub score: u8,
    /// Every matching rule (or the list hit).
    pub reasons: Vec<Reason>,
    /// Indexes (into the rule set) of the matching rules.
    #[serde(skip)]
    pub hits: Vec<usize>,
    /// Rules that failed on this event.
    #[serde(skip)]
    pub failures: Vec<RuleFailure>,
}

/// A scoring engine: one shop's feature state, lists and rules.
pub struct Engine {
    rules: Arc<RuleSet>,
    needs: Needs,
    store: FeatureStore,
    lists: Lists,
    keyer: Arc<dyn Keyer>,
    lang: Lang,
    scratch: Features,
}

fn list_text(list: ListKind, entity: Entity, lang: Lang) -> String {
    let what = match (entity, lang) {
        (Entity::Email, Lang::Id) => "E-mail",
        (Entity::Email, Lang::En) => "E-mail address",
        (Entity::Card, Lang::Id) => "Kartu",
        (Entity::Card, Lang::En) => "Card",
        (Entity::Device, Lang::Id) => "Perangkat",
        (Entity::Device, Lang::En) => "Device",
        (Entity::Ip, Lang::Id) => "Alamat IP",
        (Entity::Ip, Lang::En) => "IP address",
        (Entity::Address, Lang::Id) => "Alamat kirim",
        (Entity::Address, Lang::En) => "Shipping address",
        (Entity::Customer, Lang::Id) => "Pelanggan",
        (Entity::Customer, Lang::En) => "Customer",
        (_, Lang::Id) => "Nomor telepon",
        (_, Lang::En) => "Phone number",
    };
    match (list, lang) {
        (ListKind::Allow, Lang::Id) => format!("{what} ada di daftar izin"),
        (ListKind::Allow, Lang::En) => format!("{what} is on the allow list"),
        (ListKind::Block, Lang::Id) => format!("{what} ada di daftar blokir"),
        (ListKind::Block, Lang::En) => format!("{what} is on the block list"),
    }
}

impl Engine {
    /// A fresh engine (empty state and lists).
    pub fn new(rules: Arc<RuleSet>, keyer: Arc<dyn Keyer>, lang: Lang) -> Self {
        Engine {
            needs: rules.needs(),
            rules,
            store: FeatureStore::new(),
            lists: Lists::new(),
            keyer,
            lang,
            scratch: Features::default(),
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Swaps the rule set (reload without restart); the feature state is kept.
    pub fn set_rules(&mut self, rules: Arc<RuleSet>) {
        self.needs = rules.needs();
        self.rules = rules;
    }

    /// Changes the language of the reasons.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The allow and block lists.
    pub fn lists(&self) -> &Lists {
        &self.lists
    }

    /// The allow and block lists, to change.
    pub fn lists_mut(&mut self) -> &mut Lists {
        &mut self.lists
    }

    /// The keyer (to key list entries the same way as events).
    pub fn keyer(&self) -> &Arc<dyn Keyer> {
        &self.keyer
    }

    /// The feature state (for its size).
    pub fn store(&self) -> &FeatureStore {
        &self.store
    }

    /// Records an event without scoring it (an event scored elsewhere, e.g. by another node).
    pub fn observe(&mut self, ev: &Event) {
        let keys = EventKeys::derive(ev, self.keyer.as_ref());
        let mut f = std::mem::take(&mut self.scratch);
        self.store.observe_for(ev, &keys, &Needs::none(), &mut f);
        self.scratch = f;
    }

    /// Scores an event as of its own time and records it.
    pub fn score(&mut self, ev: &Event) -> Outcome {
        let keys = EventKeys::derive(ev, self.keyer.as_ref());
        let mut f = std::mem::take(&mut self.scratch);
        self.store.observe_for(ev, &keys, &self.needs, &mut f);
        let out = self.decide(ev, &keys, &f);
        self.scratch = f;
        out
    }

    fn decide(&self, ev: &Event, keys: &EventKeys, f: &Features) -> Outcome {
        let rules = &self.rules;
        let mut out = Outcome {
            id: ev.id.clone(),
            decision: Decision::Allow,
            score: 0,
            reasons: Vec::new(),
            hits: Vec::new(),
            failures: Vec::new(),
        };
        let vars = Vars { ev, f };
        // A CEL context only when some rule is not evaluated directly.
        let ctx = rules.needs_interpreter().then(|| {
            let mut ctx = Context::with_env(Arc::clone(env()));
            ctx.set_variable_resolver(&vars);
            ctx
        });
        for (i, rule) in rules.rules.iter().enumerate() {
            match eval(rule, ev, f, ctx.as_ref()) {
                Ok(true) => out.hits.push(i),
                Ok(false) => {}
                Err(message) => out.failures.push(RuleFailure {
                    rule: rule.id.clone(),
                    message,
                }),
            }
        }
        let text = |i: &usize| {
            let r = &rules.rules[*i];
            Reason {
                rule: r.id.clone(),
                text: match self.lang {
                    Lang::Id => r.reason_id.clone(),
                    Lang::En => r.reason_en.clone(),
                },
            }
        };
        let matched = |a: Action| {
            out.hits
                .iter()
                .filter(move |i| rules.rules[**i].action == a)
        };
        if let Some(e) = self.lists.hit(ListKind::Allow, keys) {
            out.reasons.push(Reason {
                rule: "allow_list".into(),
                text: list_text(ListKind::Allow, e, self.lang),
            });
            return out;
        }
        let allow: Vec<Reason> = matched(Action::Allow).map(text).collect();
        if !allow.is_empty() {
            out.reasons = allow;
            return out;
        }
        let points: u32 = out
            .hits
            .iter()
            .map(|i| u32::from(rules.rules[*i].score))
            .sum();
        let mut score = points.min(100) as u8;
        let mut reasons: Vec<Reason> = Vec::new();
        let list_block = self.lists.hit(ListKind::Block, keys);
        if let Some(e) = list_block {
            reasons.push(Reason {
                rule: "block_list".into(),
                text: list_text(ListKind::Block, e, self.lang),
            });
        }
        // Block reasons first, then review, then score-only signals.
        for a in [Action::Block, Action::Review, Action::Score] {
            reasons.extend(matched(a).map(text));
        }
        let decision = if list_block.is_some() || matched(Action::Block).next().is_some() {
            score = score.max(rules.block_at);
            Decision::Block
        } else if score >= rules.block_at {
            Decision::Block
        } else if matched(Action::Review).next().is_some() {
            score = score.max(rules.review_at);
            Decision::Review
        } else if score >= rules.review_at {
            Decision::Review
        } else {
            Decision::Allow
        };
        out.decision = decision;
        out.score = score;
        out.reasons = reasons;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::RandomKeyer;
    use crate::simulate::{Params, Shape, generate};

    /// The shipped rules plus score rules over every entity and window (so partial feature
    /// computation is exercised where it matters).
    fn wide_rules() -> RuleSet {
        let mut sources: Vec<(String, String)> = crate::rules::DEFAULT_SOURCES
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let mut extra = String::new();
        for (i, (e, w, m)) in [
            ("promo", "24h", "customers"),
            ("bin", "7d", "count"),
            ("email", "1h", "devices"),
            ("address", "10m", "sum"),
        ]
        .iter()
        .enumerate()
        {
            extra.push_str(&format!(
                "[[rule]]\nid = \"w{i}\"\naction = \"score\"\nscore = 7\nwhen = \"{e}_{m}_{w} >= 2\"\nreason = {{ id = \"x\", en = \"x\" }}\n"
            ));
        }
        sources.push(("99.toml".into(), extra));
        RuleSet::from_sources(sources).unwrap()
    }

    #[test]
    fn computing_only_the_features_the_rules_read_changes_no_outcome() {
        for shape in [Shape::Shop, Shape::Guest] {
            let set = Arc::new(wide_rules());
            assert_ne!(set.needs(), Needs::all());
            let keyer: Arc<dyn Keyer> = Arc::new(RandomKeyer::new());
            let mut lean = Engine::new(Arc::clone(&set), Arc::clone(&keyer), Lang::En);
            let mut full = Engine::new(set, keyer, Lang::En);
            full.needs = Needs::all();
            let mut p = Params::new(3);
            p.events = 6_000;
            p.shape = shape;
            let mut flagged = 0;
            for ev in generate(&p) {
                let a = lean.score(&ev);
                let b = full.score(&ev);
                assert_eq!(a, b, "{}", ev.id);
                assert_eq!(a.hits, b.hits);
                flagged += usize::from(a.decision.flagged());
            }
            assert!(flagged > 50, "{flagged}");
        }
    }
}
