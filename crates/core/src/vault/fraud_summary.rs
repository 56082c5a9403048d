//! The owner's daily fraud summary: counts only (events by decision, events still waiting for
//! review, the rules that fired most, the amount held per currency). No event ids, no
//! customers, no values.

use super::Vault;
use crate::audit::AuditAction;
use crate::auth::{Caller, Scope};
use crate::error::CoreError;
use std::collections::BTreeMap;

fn utc() -> jaga_i18n::Zone {
    jaga_i18n::Zone::parse("UTC").expect("UTC is a zone")
}

/// Counts of one period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FraudSummary {
    /// Start of the period, ms since epoch (event time).
    pub from_ms: i64,
    /// End of the period (exclusive).
    pub to_ms: i64,
    /// Events scored.
    pub events: u64,
    /// Allowed.
    pub allowed: u64,
    /// Held for review.
    pub review: u64,
    /// Blocked.
    pub blocked: u64,
    /// Held events of the period nobody has decided yet.
    pub waiting: u64,
    /// The rules that fired most: (rule id, events), most first, at most ten.
    pub top_rules: Vec<(String, u64)>,
    /// Amount held (review or block), minor units per currency.
    pub held: BTreeMap<String, i64>,
}

impl FraudSummary {
    /// The period's first day, `YYYY-MM-DD` (UTC).
    pub fn date(&self) -> String {
        self.date_in(&utc())
    }

    /// The period's first day, `YYYY-MM-DD`, in `zone` (the shop's).
    pub fn date_in(&self, zone: &jaga_i18n::Zone) -> String {
        zone.date_ms(self.from_ms)
    }

    /// The summary as text, in Bahasa Indonesia and English, its day in UTC.
    pub fn text(&self, shop: &str) -> String {
        self.text_in(shop, &utc())
    }

    /// The summary as text, in Bahasa Indonesia and English, its day in `zone` (named).
    pub fn text_in(&self, shop: &str, zone: &jaga_i18n::Zone) -> String {
        let mut out = format!(
            "{shop} — ringkasan pemantauan penipuan / fraud monitoring summary\n{} ({})\n\n",
            self.date_in(zone),
            zone.label
        );
        out.push_str(&format!(
            "Peristiwa / events: {}\n  diizinkan / allowed: {}\n  ditahan untuk ditinjau / held for review: {}\n  diblokir / blocked: {}\nMenunggu keputusan / waiting for a decision: {}\n",
            self.events, self.allowed, self.review, self.blocked, self.waiting
        ));
        if self.held.is_empty() {
            out.push_str("Jumlah ditahan / amount held: 0\n");
        } else {
            for (cur, minor) in &self.held {
                out.push_str(&format!(
                    "Jumlah ditahan / amount held: {cur} {} (minor units / satuan terkecil)\n",
                    minor
                ));
            }
        }
        if !self.top_rules.is_empty() {
            out.push_str("\nAturan teratas / top rules:\n");
            for (r, n) in &self.top_rules {
                out.push_str(&format!("  {r}: {n}\n"));
            }
        }
        out
    }
}

impl Vault {
    /// Counts of the events with event time in `[from_ms, to_ms)`. Needs `fraud:review`.
    pub async fn fraud_summary(
        &self,
        caller: &Caller,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<FraudSummary, CoreError> {
        self.require(caller, Scope::FraudReview, AuditAction::FraudReviewRead)
            .await?;
        let mut s = FraudSummary {
            from_ms,
            to_ms,
            ..Default::default()
        };
        let waiting: std::collections::HashSet<String> = self
            .store
            .fraud_review_queue(100_000)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let mut rules: BTreeMap<String, u64> = BTreeMap::new();
        let mut after = 0;
        loop {
            let rows = self
                .store
                .fraud_events_in(from_ms, to_ms, after, 2_000)
                .await?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                break;
            };
            for r in &rows {
                s.events += 1;
                match r.decision.as_str() {
                    "block" => s.blocked += 1,
                    "review" => s.review += 1,
                    _ => s.allowed += 1,
                }
                if waiting.contains(&r.id) {
                    s.waiting += 1;
                }
                let reasons: Vec<jaga_fraud::Reason> =
                    serde_json::from_str(&r.reasons).unwrap_or_default();
                for x in reasons {
                    *rules.entry(x.rule).or_default() += 1;
                }
                if r.decision != "allow"
                    && let Ok(ev) = jaga_fraud::parse_event(&r.event)
                    && let (Some(a), Some(c)) = (ev.amount, ev.currency)
                {
                    *s.held.entry(c).or_default() += a;
                }
            }
            after = last;
        }
        let mut top: Vec<(String, u64)> = rules.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(10);
        s.top_rules = top;
        Ok(s)
    }
}
