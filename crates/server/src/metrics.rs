//! Prometheus counters. Labels are fixed strings: never ids, codes or values.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// A monotonically increasing counter.
#[derive(Default, Debug)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The server's metrics.
#[derive(Default, Debug)]
pub struct Metrics {
    /// Responses with a 2xx status.
    pub responses_2xx: Counter,
    /// Responses with a 4xx status.
    pub responses_4xx: Counter,
    /// Responses with a 5xx status.
    pub responses_5xx: Counter,
    /// Failed authentications.
    pub auth_failures: Counter,
    /// Requests refused for containing a card number.
    pub card_rejections: Counter,
}

impl Metrics {
    /// Counts a response by status class.
    pub fn response(&self, status: u16) {
        match status {
            200..=299 => self.responses_2xx.inc(),
            400..=499 => self.responses_4xx.inc(),
            500..=599 => self.responses_5xx.inc(),
            _ => {}
        }
    }

    /// Prometheus text exposition.
    pub fn render(&self, sealed: bool, audit_size: Option<u64>) -> String {
        let mut s = String::new();
        let mut counter = |name: &str, help: &str, lines: &[(&str, u64)]| {
            let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} counter");
            for (labels, v) in lines {
                let _ = writeln!(s, "{name}{labels} {v}");
            }
        };
        counter(
            "jaga_http_responses_total",
            "HTTP responses by status class.",
            &[
                ("{class=\"2xx\"}", self.responses_2xx.get()),
                ("{class=\"4xx\"}", self.responses_4xx.get()),
                ("{class=\"5xx\"}", self.responses_5xx.get()),
            ],
        );
        counter(
            "jaga_auth_failures_total",
            "Requests with a missing, unknown, revoked or expired API key.",
            &[("", self.auth_failures.get())],
        );
        counter(
            "jaga_card_number_rejections_total",
            "Requests refused because they contained a payment card number.",
            &[("", self.card_rejections.get())],
        );
        let _ = writeln!(
            s,
            "# HELP jaga_sealed Whether the vault is sealed.\n# TYPE jaga_sealed gauge\njaga_sealed {}",
            u8::from(sealed)
        );
        if let Some(n) = audit_size {
            let _ = writeln!(
                s,
                "# HELP jaga_audit_events Events in the audit log.\n# TYPE jaga_audit_events gauge\njaga_audit_events {n}"
            );
        }
        s
    }
}
