//! The `[ids]` table of `jaga.toml`: rule thresholds, working hours and containment per rule.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to do, besides alerting, when a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Containment {
    /// Alert only.
    Alert,
    /// Suspend the staff account or API key: its next request is refused.
    Suspend,
    /// Staff: end the member's sessions, so they must sign in again with their second factor
    /// (an API key cannot step up: suspended instead).
    StepUp,
    /// Seal the vault (every request that needs key material fails until it is unsealed).
    Seal,
}

impl Containment {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Containment::Alert => "alert",
            Containment::Suspend => "suspend",
            Containment::StepUp => "step_up",
            Containment::Seal => "seal",
        }
    }
}

/// The rules, by stable name (alerts, audit events, configuration keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A honeytoken customer was read, found by a lookup, revealed or exported; a decoy API key
    /// or staff account was used.
    Honeytoken,
    /// Reveals by one actor above the hourly threshold or a multiple of its own baseline.
    BulkReveal,
    /// Reads by one actor above the hourly threshold (off unless configured).
    BulkRead,
    /// A staff member worked with customer data outside working hours.
    OffHours,
    /// A staff member read outside their usual (or permitted) segments.
    OutsideSegment,
    /// Customer data was exported.
    Export,
    /// A burst of failed sign-ins.
    FailedLogins,
    /// An admin signed in from an address not seen before for them.
    AdminNewAddress,
    /// An API key was used from an address not seen before for it.
    ApiKeyNewAddress,
    /// The audit log failed verification.
    AuditVerifyFailed,
    /// Repeated requests carrying card numbers.
    CardRefusals,
    /// Wrong unseal passphrases or shares in a row: someone may be guessing.
    UnsealFailures,
}

impl Rule {
    /// Every rule.
    pub const ALL: &'static [Rule] = &[
        Rule::Honeytoken,
        Rule::BulkReveal,
        Rule::BulkRead,
        Rule::OffHours,
        Rule::OutsideSegment,
        Rule::Export,
        Rule::FailedLogins,
        Rule::AdminNewAddress,
        Rule::ApiKeyNewAddress,
        Rule::AuditVerifyFailed,
        Rule::CardRefusals,
        Rule::UnsealFailures,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Honeytoken => "honeytoken",
            Rule::BulkReveal => "bulk_reveal",
            Rule::BulkRead => "bulk_read",
            Rule::OffHours => "off_hours",
            Rule::OutsideSegment => "outside_segment",
            Rule::Export => "export",
            Rule::FailedLogins => "failed_logins",
            Rule::AdminNewAddress => "admin_new_address",
            Rule::ApiKeyNewAddress => "api_key_new_address",
            Rule::AuditVerifyFailed => "audit_verify_failed",
            Rule::CardRefusals => "card_refusals",
            Rule::UnsealFailures => "unseal_failures",
        }
    }

    /// The rule named `name`.
    pub fn parse(name: &str) -> Option<Rule> {
        Self::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// How serious a firing is.
    pub fn severity(self) -> &'static str {
        match self {
            Rule::Honeytoken | Rule::AuditVerifyFailed => "critical",
            Rule::BulkReveal
            | Rule::BulkRead
            | Rule::AdminNewAddress
            | Rule::Export
            | Rule::UnsealFailures => "high",
            _ => "warning",
        }
    }
}

/// The `[ids]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdsConfig {
    /// Detection on (default) or off.
    pub enabled: bool,
    /// Reveals per actor in any hour above which `bulk_reveal` fires (default 20).
    pub reveals_per_hour: u32,
    /// …or this multiple of the actor's usual hourly reveals (default 5).
    pub baseline_multiple: f64,
    /// Hours with reveals an actor needs in the last week before the multiple applies
    /// (default 8): a new actor has no "usual" yet.
    pub baseline_min_hours: u32,
    /// Reveals in the hour below which the multiple never fires (default 10).
    pub baseline_min_reveals: u32,
    /// Reads per actor in any hour above which `bulk_read` fires (default 0 = off).
    pub reads_per_hour: u32,
    /// Working hours, local time, `HH:MM-HH:MM` (default `07:00-21:00`).
    pub working_hours: String,
    /// Working days (default Monday to Saturday).
    pub working_days: Vec<String>,
    /// The shop's offset from UTC, `+07:00` (WIB, default), `+08:00` (WITA), `+09:00` (WIT).
    pub utc_offset: String,
    /// Reads a staff member makes before their usual segments are known (default 50).
    pub segment_learning_reads: u32,
    /// Refused reads of another segment's customer within an hour that fire (default 3).
    pub segment_denials: u32,
    /// Failed sign-ins within 10 minutes that fire (default 10).
    pub failed_logins: u32,
    /// Refused card numbers by one actor within 10 minutes that fire (default 5).
    pub card_refusals: u32,
    /// Containment per rule name, overriding the defaults (`bulk_reveal`: suspend an API key,
    /// step-up for staff; every other rule: alert only).
    pub containment: BTreeMap<String, Containment>,
}

impl Default for IdsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            reveals_per_hour: 20,
            baseline_multiple: 5.0,
            baseline_min_hours: 8,
            baseline_min_reveals: 10,
            reads_per_hour: 0,
            working_hours: "07:00-21:00".into(),
            working_days: ["mon", "tue", "wed", "thu", "fri", "sat"]
                .map(String::from)
                .into(),
            utc_offset: "+07:00".into(),
            segment_learning_reads: 50,
            segment_denials: 3,
            failed_logins: 10,
            card_refusals: 5,
            containment: BTreeMap::new(),
        }
    }
}

/// Working time, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WorkTime {
    /// Start, minutes after local midnight.
    pub start: u32,
    /// End, minutes after local midnight.
    pub end: u32,
    /// Bit per weekday, Monday = bit 0.
    pub days: u8,
    /// Offset from UTC, minutes.
    pub offset_min: i32,
}

impl WorkTime {
    /// Whether `ts_ms` (UTC) falls in working time.
    pub fn contains(&self, ts_ms: i64) -> bool {
        let local_min = ts_ms.div_euclid(60_000) + i64::from(self.offset_min);
        let day = local_min.div_euclid(1440);
        let minute = local_min.rem_euclid(1440) as u32;
        // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
        let weekday = (day + 3).rem_euclid(7) as u8;
        self.days & (1 << weekday) != 0 && minute >= self.start && minute < self.end
    }

    /// The local day number of `ts_ms` (for "once a day" de-duplication).
    pub fn local_day(&self, ts_ms: i64) -> i64 {
        (ts_ms.div_euclid(60_000) + i64::from(self.offset_min)).div_euclid(1440)
    }
}

impl IdsConfig {
    /// Checks the values; the error names the key.
    pub fn checked(self) -> Result<Self, String> {
        self.work_time()?;
        if self.baseline_multiple.is_nan() || self.baseline_multiple < 1.0 {
            return Err("ids.baseline_multiple must be at least 1".into());
        }
        for name in self.containment.keys() {
            if Rule::parse(name).is_none() {
                return Err(format!("ids.containment: unknown rule {name}"));
            }
        }
        Ok(self)
    }

    /// The containment for `rule` applied to an actor of kind `staff` (else an API key).
    pub fn containment_for(&self, rule: Rule, staff: bool) -> Containment {
        let c = self.containment.get(rule.name()).copied();
        let c = c.unwrap_or(match rule {
            Rule::BulkReveal if staff => Containment::StepUp,
            Rule::BulkReveal => Containment::Suspend,
            _ => Containment::Alert,
        });
        match c {
            Containment::StepUp if !staff => Containment::Suspend,
            c => c,
        }
    }

    pub(crate) fn work_time(&self) -> Result<WorkTime, String> {
        let hm = |s: &str| -> Option<u32> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
        };
        let (a, b) = self
            .working_hours
            .split_once('-')
            .ok_or("ids.working_hours must look like 07:00-21:00")?;
        let (start, end) = (hm(a), hm(b));
        let (Some(start), Some(end)) = (start, end) else {
            return Err("ids.working_hours must look like 07:00-21:00".into());
        };
        if start >= end {
            return Err("ids.working_hours must end after it starts".into());
        }
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut days = 0u8;
        for d in &self.working_days {
            let i = names
                .iter()
                .position(|n| d.trim().to_ascii_lowercase().starts_with(n))
                .ok_or_else(|| format!("ids.working_days: unknown day {d}"))?;
            days |= 1 << i;
        }
        let o = self.utc_offset.trim();
        let (sign, rest) = match o.as_bytes().first() {
            Some(b'+') => (1, &o[1..]),
            Some(b'-') => (-1, &o[1..]),
            _ => return Err("ids.utc_offset must look like +07:00".into()),
        };
        let offset = hm(rest)
            .filter(|m| *m <= 14 * 60)
            .ok_or("ids.utc_offset must look like +07:00")?;
        Ok(WorkTime {
            start,
            end,
            days,
            offset_min: sign * offset as i32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_time_is_local() {
        let w = IdsConfig::default().work_time().unwrap();
        // 2026-12-07 is a Monday. 01:00 UTC = 08:00 WIB: working time.
        let monday_8_wib = 1_796_605_200_000; // 2026-12-07T01:00:00Z
        assert!(w.contains(monday_8_wib));
        // 15:00 UTC = 22:00 WIB: off hours.
        assert!(!w.contains(monday_8_wib + 14 * 3_600_000));
        // Sunday 10:00 WIB: off (Sunday is not a working day by default).
        assert!(!w.contains(monday_8_wib - 22 * 3_600_000));
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        let c = IdsConfig {
            working_hours: "9-5".into(),
            ..Default::default()
        };
        assert!(c.checked().unwrap_err().contains("working_hours"));
        let mut c = IdsConfig::default();
        c.containment
            .insert("bulk_revael".into(), Containment::Seal);
        assert!(c.checked().unwrap_err().contains("bulk_revael"));
        let c: IdsConfig = toml_like();
        assert_eq!(
            c.containment_for(Rule::BulkReveal, false),
            Containment::Suspend
        );
        assert_eq!(
            c.containment_for(Rule::BulkReveal, true),
            Containment::StepUp
        );
        assert_eq!(c.containment_for(Rule::OffHours, true), Containment::Alert);
    }

    fn toml_like() -> IdsConfig {
        serde_json::from_str("{}").unwrap()
    }
}
