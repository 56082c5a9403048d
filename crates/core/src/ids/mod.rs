//! Intrusion detection: honeytokens, behaviour rules over the audit stream, containment,
//! alerts and incidents.
//!
//! - [`config`]: the `[ids]` table (thresholds, working hours, containment per rule).
//! - [`detect`]: the rule engine, pure and in memory, fed with each committed audit event.
//! - `watch`: the vault's hook. Vault capabilities call `Vault::observe` with the events they
//!   committed (after the store call returned, so it does not depend on how the store appends:
//!   single inserts or group commit). Containment takes effect at once, in memory (a suspended
//!   key's next request is refused, the vault seals); the alert, its audit event and the
//!   persisted containment are written by `Vault::run_ids` (a task of `jaga serve`) or
//!   `Vault::ids_drain` (CLI commands, tests).
//! - `honeytoken`: decoy customers, API keys and staff accounts.
//! - `alerts`: listing, acknowledging, lifting containment.
//! - [`doctor`]: the facts `jaga doctor` checks, and verification that raises an alert.
//! - [`incident`]: incidents, affected customers from the audit log, the Art. 46 clock, reports.

mod alerts;
pub mod config;
pub mod detect;
pub mod doctor;
mod honeytoken;
pub mod incident;
mod watch;

pub use alerts::AlertView;
pub use config::{Containment, IdsConfig, Rule};
pub use detect::{Detector, Firing, Seen};
pub use honeytoken::Planted;
pub use incident::{IncidentView, Report};
pub(crate) use watch::Watch;

#[cfg(test)]
mod detect_tests;
