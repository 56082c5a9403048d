//! Backtests: replay labelled history through one or two rule sets and compare.
//!
//! An event counts as *flagged* when its decision is `review` or `block`. Against the labels:
//! precision = flagged fraud / flagged, recall = flagged fraud / fraud, false-positive rate =
//! flagged legitimate / legitimate. Events without a label are scored (they shape the features)
//! but left out of the metrics.

use crate::engine::Outcome;
use crate::rules::RuleSet;
use serde::Serialize;
use std::collections::BTreeMap;

/// Confusion matrix and derived rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Fraud, flagged.
    pub tp: u64,
    /// Legitimate, flagged.
    pub fp: u64,
    /// Legitimate, allowed.
    pub tn: u64,
    /// Fraud, allowed.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// fp / (fp + tn).
    pub false_positive_rate: f64,
}

impl Metrics {
    fn finish(&mut self) {
        let r = |a: u64, b: u64| {
            if a + b == 0 {
                0.0
            } else {
                a as f64 / (a + b) as f64
            }
        };
        self.precision = r(self.tp, self.fp);
        self.recall = r(self.tp, self.fn_);
        self.false_positive_rate = r(self.fp, self.tn);
    }
}

/// One rule's record on the labelled history.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RuleStats {
    /// The rule id.
    pub rule: String,
    /// Its action.
    pub action: String,
    /// Events it matched.
    pub hits: u64,
    /// Of which labelled fraud.
    pub fraud_hits: u64,
    /// Of which labelled legitimate.
    pub legit_hits: u64,
    /// fraud_hits / labelled hits.
    pub precision: f64,
    /// Events on which it failed at run time.
    pub failures: u64,
}

/// Counts for one rule set while replaying.
#[derive(Debug)]
pub struct Tally {
    version: String,
    metrics: Metrics,
    decisions: BTreeMap<&'static str, u64>,
    rules: Vec<RuleStats>,
    /// Decision per event, in replay order (for the diff).
    pub flagged: Vec<bool>,
    first_failure: BTreeMap<String, String>,
}

impl Tally {
    /// Empty counts for `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        Tally {
            version: rules.version.clone(),
            metrics: Metrics::default(),
            decisions: [("allow", 0), ("review", 0), ("block", 0)]
                .into_iter()
                .collect(),
            rules: rules
                .rules
                .iter()
                .map(|r| RuleStats {
                    rule: r.id.clone(),
                    action: r.action.as_str().to_string(),
                    ..RuleStats::default()
                })
                .collect(),
            flagged: Vec::new(),
            first_failure: BTreeMap::new(),
        }
    }

    /// Counts one outcome with its label (`None`: unlabelled).
    pub fn add(&mut self, out: &Outcome, label: Option<bool>) {
        let flagged = out.decision.flagged();
        self.flagged.push(flagged);
        *self.decisions.entry(out.decision.as_str()).or_default() += 1;
        match (label, flagged) {
            (Some(true), true) => self.metrics.tp += 1,
            (Some(true), false) => self.metrics.fn_ += 1,
            (Some(false), true) => self.metrics.fp += 1,
            (Some(false), false) => self.metrics.tn += 1,
            (None, _) => {}
        }
        for &i in &out.hits {
            let r = &mut self.rules[i];
            r.hits += 1;
            match label {
                Some(true) => r.fraud_hits += 1,
                Some(false) => r.legit_hits += 1,
                None => {}
            }
        }
        for f in &out.failures {
            if let Some(r) = self.rules.iter_mut().find(|r| r.rule == f.rule) {
                r.failures += 1;
            }
            self.first_failure
                .entry(f.rule.clone())
                .or_insert_with(|| f.message.clone());
        }
    }

    /// The final report for this rule set.
    pub fn finish(mut self, name: &str) -> SetReport {
        self.metrics.finish();
        for r in &mut self.rules {
            let l = r.fraud_hits + r.legit_hits;
            r.precision = if l == 0 {
                0.0
            } else {
                r.fraud_hits as f64 / l as f64
            };
        }
        SetReport {
            name: name.to_string(),
            version: self.version,
            metrics: self.metrics,
            decisions: self.decisions,
            rules: self.rules,
            rule_errors: self.first_failure,
        }
    }
}

/// The result of one rule set.
#[derive(Debug, Clone, Serialize)]
pub struct SetReport {
    /// Where the rules came from (a directory or `defaults`).
    pub name: String,
    /// The rule set's fingerprint.
    pub version: String,
    /// Confusion matrix and rates.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Events per decision.
    pub decisions: BTreeMap<&'static str, u64>,
    /// Per-rule hits and precision.
    pub rules: Vec<RuleStats>,
    /// Rules that failed at run time, with their first error.
    pub rule_errors: BTreeMap<String, String>,
}

/// Fraud and legitimate counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Split {
    /// Labelled fraud.
    pub fraud: u64,
    /// Labelled legitimate.
    pub legit: u64,
    /// Unlabelled.
    pub unlabelled: u64,
}

/// How the candidate (`--rules`) differs from the baseline (`--against`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    /// Events whose flagged/allowed outcome changed.
    pub changed: u64,
    /// Flagged by the candidate only.
    pub newly_flagged: Split,
    /// Flagged by the baseline only.
    pub no_longer_flagged: Split,
    /// Candidate precision minus baseline precision.
    pub precision_delta: f64,
    /// Candidate recall minus baseline recall.
    pub recall_delta: f64,
    /// Candidate false-positive rate minus baseline.
    pub false_positive_rate_delta: f64,
    /// Up to 20 ids of changed events.
    pub examples: Vec<String>,
}

/// A whole backtest.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Events replayed.
    pub events: u64,
    /// Of which labelled.
    pub labelled: u64,
    /// Labelled fraud.
    pub fraud: u64,
    /// The candidate rule set (`--rules`, or the defaults).
    pub rules: SetReport,
    /// The baseline (`--against`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<SetReport>,
    /// Candidate vs baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
}

/// Builds the diff of two tallies over the same events. `labels` and `ids` are in replay order.
pub fn diff(a: &Tally, b: &Tally, labels: &[Option<bool>], ids: &[String]) -> Diff {
    let mut d = Diff::default();
    for (i, (fa, fb)) in a.flagged.iter().zip(&b.flagged).enumerate() {
        if fa == fb {
            continue;
        }
        d.changed += 1;
        let split = if *fa {
            &mut d.newly_flagged
        } else {
            &mut d.no_longer_flagged
        };
        match labels.get(i).copied().flatten() {
            Some(true) => split.fraud += 1,
            Some(false) => split.legit += 1,
            None => split.unlabelled += 1,
        }
        if d.examples.len() < 20
            && let Some(id) = ids.get(i)
        {
            d.examples.push(id.clone());
        }
    }
    d
}

/// Fills the metric deltas of a diff from the two finished reports.
pub fn fill_deltas(d: &mut Diff, cand: &SetReport, base: &SetReport) {
    d.precision_delta = cand.metrics.precision - base.metrics.precision;
    d.recall_delta = cand.metrics.recall - base.metrics.recall;
    d.false_positive_rate_delta =
        cand.metrics.false_positive_rate - base.metrics.false_positive_rate;
}
