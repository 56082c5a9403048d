//! `jaga doctor [--json] [--lang id|en]`: a security self-check of this installation. Each
//! check says pass, warn or fail, why, how to fix it, and which controls it supports (ISO/IEC
//! 27001:2022 Annex A, ISO/IEC 27701, PCI DSS v4 SAQ A, UU PDP articles), rendered in Bahasa
//! Indonesia or English for an auditor. Exit 1 when a check fails.

use crate::config::{self, Config, Flags};
use crate::datadir::{self, UnsealInput};
use anyhow::Result;
use jaga_core::auth::{Caller, OperatorTask};
use jaga_core::ids::doctor::Facts;
use jaga_core::report::Lang;
use jaga_i18n::{M, Tr};
use serde::Serialize;
use std::process::ExitCode;

mod advisories {
    include!(concat!(env!("OUT_DIR"), "/advisories.rs"));
}

/// `jaga doctor` options.
#[derive(clap::Args)]
pub struct DoctorArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Language of the texts: `id` (default) or `en`.
    #[arg(long, default_value = "id")]
    lang: String,
}

/// A check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Worth fixing.
    Warn,
    /// Fix now.
    Fail,
}

/// The controls a check supports.
#[derive(Debug, Clone, Serialize)]
pub struct Controls {
    /// ISO/IEC 27001:2022 Annex A.
    pub iso27001: &'static [&'static str],
    /// ISO/IEC 27701:2019.
    pub iso27701: &'static [&'static str],
    /// PCI DSS v4.0 SAQ A.
    pub pci_dss_saq_a: &'static [&'static str],
    /// UU No. 27/2022 (PDP).
    pub uu_pdp: &'static [&'static str],
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable id.
    pub id: &'static str,
    /// Result.
    pub status: Status,
    /// Title in the chosen language.
    pub title: String,
    /// Why.
    pub reason: String,
    /// How to fix it (empty when it passes).
    pub fix: String,
    /// Controls it supports.
    pub controls: Controls,
}

const fn controls(
    iso27001: &'static [&'static str],
    iso27701: &'static [&'static str],
    pci_dss_saq_a: &'static [&'static str],
    uu_pdp: &'static [&'static str],
) -> Controls {
    Controls {
        iso27001,
        iso27701,
        pci_dss_saq_a,
        uu_pdp,
    }
}

struct Ctx<'a> {
    tr: Tr,
    out: Vec<Check>,
    _cfg: &'a Config,
}

impl Ctx<'_> {
    fn add(
        &mut self,
        id: &'static str,
        title: M,
        status: Status,
        reason: String,
        fix: Option<String>,
        c: Controls,
    ) {
        self.out.push(Check {
            id,
            status,
            title: self.tr.t(title).to_string(),
            reason,
            fix: fix.unwrap_or_else(|| self.tr.t(M::DocNothing).to_string()),
            controls: c,
        });
    }
    fn f(&self, m: M, args: &[(&str, &str)]) -> String {
        self.tr.f(m, args)
    }
    fn t(&self, m: M) -> String {
        self.tr.t(m).to_string()
    }
}

const DAY: i64 = 86_400_000;

fn date(ms: i64) -> String {
    let s = jaga_core::format_ms(ms);
    s.get(..10).unwrap_or(&s).to_string()
}

/// Runs the self-check.
pub async fn run(flags: &Flags, input: &UnsealInput, args: DoctorArgs) -> Result<ExitCode> {
    let cfg = config::load(flags)?;
    let Some(lang) = Lang::parse(&args.lang) else {
        anyhow::bail!("--lang must be id or en");
    };
    let unseal = datadir::unseal_config(&cfg.data_dir)?;
    let store = datadir::open_cfg_store(&cfg).await?;
    let vault = jaga_core::vault::Vault::new(store, unseal.clone());
    let _ = input;
    let caller = Caller::operator(OperatorTask::Security);
    let facts = vault.doctor_facts(&caller).await?;
    let key = jaga_jobs::checkpoint::SignerFiles::open(&cfg.data_dir)
        .ok()
        .map(|f| f.verifier().clone());
    let bad = vault.verify_and_watch(key.as_ref()).await?;
    let _ = vault.ids_drain().await;
    let checks = evaluate(&cfg, lang, unseal.method(), &facts, bad);
    let n = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let (pass, warn, fail) = (n(Status::Pass), n(Status::Warn), n(Status::Fail));
    let tr = Tr(lang);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "generated_at": jaga_core::format_ms(jaga_core::now_ms()),
                "lang": lang.tag(),
                "summary": {"pass": pass, "warn": warn, "fail": fail},
                "checks": checks,
            }))?
        );
    } else {
        println!("{}", tr.t(M::DocHeading));
        println!(
            "{}\n",
            tr.f(
                M::DocSummary,
                &[
                    ("pass", &pass.to_string()),
                    ("warn", &warn.to_string()),
                    ("fail", &fail.to_string())
                ]
            )
        );
        for c in &checks {
            let s = match c.status {
                Status::Pass => tr.t(M::DocPass),
                Status::Warn => tr.t(M::DocWarn),
                Status::Fail => tr.t(M::DocFail),
            };
            println!("[{s}] {}", c.title);
            println!("  {}: {}", tr.t(M::DocReason), c.reason);
            if c.status != Status::Pass {
                println!("  {}: {}", tr.t(M::DocFix), c.fix);
            }
            println!(
                "  {}: ISO 27001 {}; ISO 27701 {}; PCI DSS SAQ A {}; UU PDP {}",
                tr.t(M::DocControls),
                c.controls.iso27001.join(", "),
                c.controls.iso27701.join(", "),
                c.controls.pci_dss_saq_a.join(", "),
                c.controls.uu_pdp.join(", ")
            );
        }
    }
    Ok(if fail > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every check over the facts.
pub fn evaluate(
    cfg: &Config,
    lang: Lang,
    unseal_method: &str,
    facts: &Facts,
    audit_bad: Option<u64>,
) -> Vec<Check> {
    let now = jaga_core::now_ms();
    let mut x = Ctx {
        tr: Tr(lang),
        out: Vec::new(),
        _cfg: cfg,
    };
    // TLS.
    let tls_c = controls(
        &["A.8.24", "A.8.20"],
        &["6.7.1.1"],
        &["4.2.1"],
        &["Pasal 35", "Pasal 39"],
    );
    match std::fs::read(&cfg.tls_cert)
        .ok()
        .and_then(|pem| cert_facts(&pem))
    {
        None => {
            let r = x.f(
                M::DocTlsMissing,
                &[("path", &cfg.tls_cert.display().to_string())],
            );
            x.add(
                "tls_certificate",
                M::DocTlsTitle,
                Status::Fail,
                r,
                Some(x.t(M::DocTlsFix)),
                tls_c,
            );
        }
        Some((not_after, self_signed)) => {
            let days = (not_after - now).div_euclid(DAY);
            let d = date(not_after);
            let (status, r) = if not_after <= now {
                (Status::Fail, x.f(M::DocTlsExpired, &[("date", &d)]))
            } else if days < 14 {
                (
                    Status::Warn,
                    x.f(M::DocTlsSoon, &[("days", &days.to_string()), ("date", &d)]),
                )
            } else if self_signed {
                (Status::Warn, x.f(M::DocTlsSelfSigned, &[("date", &d)]))
            } else {
                (
                    Status::Pass,
                    x.f(M::DocTlsOk, &[("date", &d), ("days", &days.to_string())]),
                )
            };
            let fix = (status != Status::Pass).then(|| x.t(M::DocTlsFix));
            x.add("tls_certificate", M::DocTlsTitle, status, r, fix, tls_c);
        }
    }
    // Unseal method.
    let c = controls(
        &["A.8.24", "A.5.17"],
        &["6.7.1.2"],
        &["3.7.1"],
        &["Pasal 35"],
    );
    if unseal_method == "keyfile" {
        let (r, f) = (x.t(M::DocUnsealKeyfile), x.t(M::DocUnsealKeyfileFix));
        x.add(
            "unseal_method",
            M::DocUnsealTitle,
            Status::Warn,
            r,
            Some(f),
            c,
        );
    } else {
        let r = x.f(M::DocUnsealOk, &[("method", unseal_method)]);
        x.add("unseal_method", M::DocUnsealTitle, Status::Pass, r, None, c);
    }
    let enabled: Vec<_> = facts.staff.iter().filter(|s| !s.disabled).collect();
    // MFA.
    let c = controls(
        &["A.8.5", "A.5.17"],
        &["6.6.2.1"],
        &["8.3.1", "8.4.1"],
        &["Pasal 39"],
    );
    let no_mfa = enabled.iter().filter(|s| !s.mfa).count();
    if no_mfa > 0 {
        let r = x.f(M::DocMfaMissing, &[("n", &no_mfa.to_string())]);
        x.add(
            "staff_mfa",
            M::DocMfaTitle,
            Status::Fail,
            r,
            Some(x.t(M::DocMfaMissingFix)),
            c,
        );
    } else {
        let r = x.f(M::DocMfaOk, &[("n", &enabled.len().to_string())]);
        x.add("staff_mfa", M::DocMfaTitle, Status::Pass, r, None, c);
    }
    // Admins.
    let c = controls(
        &["A.8.2", "A.5.15"],
        &["6.6.2.3"],
        &["7.2.1"],
        &["Pasal 39"],
    );
    let admins = enabled.iter().filter(|s| s.role == "admin").count();
    let (status, r, f) = match admins {
        0 => (
            Status::Warn,
            x.t(M::DocAdminsNone),
            Some(x.t(M::DocAdminsNoneFix)),
        ),
        1 => (
            Status::Warn,
            x.t(M::DocAdminsOne),
            Some(x.t(M::DocAdminsOneFix)),
        ),
        2 | 3 => (
            Status::Pass,
            x.f(M::DocAdminsOk, &[("n", &admins.to_string())]),
            None,
        ),
        n => (
            Status::Warn,
            x.f(M::DocAdminsMany, &[("n", &n.to_string())]),
            Some(x.t(M::DocAdminsManyFix)),
        ),
    };
    x.add("admins", M::DocAdminsTitle, status, r, f, c);
    // Dormant accounts.
    let c = controls(
        &["A.5.18", "A.8.2"],
        &["6.6.2.5"],
        &["8.2.6"],
        &["Pasal 39"],
    );
    let dormant = enabled
        .iter()
        .filter(|s| s.last_login.is_none() && now - s.created_at > 90 * DAY)
        .count();
    if dormant > 0 {
        let r = x.f(M::DocDormant, &[("n", &dormant.to_string())]);
        x.add(
            "dormant_accounts",
            M::DocDormantTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocDormantFix)),
            c,
        );
    } else {
        let r = x.t(M::DocDormantOk);
        x.add(
            "dormant_accounts",
            M::DocDormantTitle,
            Status::Pass,
            r,
            None,
            c,
        );
    }
    // API keys.
    let c = controls(
        &["A.5.15", "A.8.2", "A.5.17"],
        &["6.6.2.2"],
        &["8.2.2", "8.6.1"],
        &["Pasal 39"],
    );
    let noexp = facts.keys.iter().filter(|k| k.expires_at.is_none()).count();
    let broad = facts
        .keys
        .iter()
        .filter(|k| {
            let strong = [
                "customers:reveal",
                "customers:erase",
                "tokens:resolve",
                "audit:read",
            ];
            k.scopes
                .iter()
                .filter(|s| strong.contains(&s.as_str()))
                .count()
                >= 2
                || k.scopes.len() >= 6
        })
        .count();
    if noexp + broad > 0 {
        let r = x.f(
            M::DocKeysProblems,
            &[("noexp", &noexp.to_string()), ("broad", &broad.to_string())],
        );
        x.add(
            "api_keys",
            M::DocKeysTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocKeysFix)),
            c,
        );
    } else {
        let r = x.f(M::DocKeysOk, &[("n", &facts.keys.len().to_string())]);
        x.add("api_keys", M::DocKeysTitle, Status::Pass, r, None, c);
    }
    // Audit log verified.
    let c = controls(
        &["A.8.15", "A.5.28"],
        &["6.9.4.2"],
        &["10.3.2"],
        &["Pasal 35", "Pasal 46"],
    );
    match audit_bad {
        Some(pos) => {
            let r = x.f(M::DocAuditBad, &[("pos", &pos.to_string())]);
            x.add(
                "audit_verified",
                M::DocAuditTitle,
                Status::Fail,
                r,
                Some(x.t(M::DocAuditBadFix)),
                c,
            );
        }
        None => {
            let last = facts
                .jobs
                .get("audit-verify")
                .and_then(|j| j.last_ok_at)
                .map_or_else(|| "-".into(), date);
            let r = x.f(
                M::DocAuditOk,
                &[("n", &facts.audit_size.to_string()), ("last", &last)],
            );
            x.add("audit_verified", M::DocAuditTitle, Status::Pass, r, None, c);
        }
    }
    // Checkpoints delivered recently.
    let c = controls(
        &["A.8.15", "A.8.17"],
        &["6.9.4.2"],
        &["10.3.3"],
        &["Pasal 35"],
    );
    let witnesses = cfg.audit.witness.len();
    let behind = facts.audit_size - facts.checkpoint.map_or(0, |c| c.0).min(facts.audit_size);
    let when = facts
        .checkpoint
        .map_or_else(|| "-".into(), |c| jaga_core::format_ms(c.1));
    let stale = behind > 0 && facts.checkpoint.is_none_or(|c| now - c.1 > DAY);
    if stale {
        let r = x.f(
            M::DocCheckpointsStale,
            &[("when", &when), ("n", &behind.to_string())],
        );
        x.add(
            "checkpoints",
            M::DocCheckpointsTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocCheckpointsStaleFix)),
            c,
        );
    } else if witnesses == 0 {
        let r = x.t(M::DocCheckpointsNoWitness);
        x.add(
            "checkpoints",
            M::DocCheckpointsTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocCheckpointsNoWitnessFix)),
            c,
        );
    } else {
        let r = x.f(
            M::DocCheckpointsOk,
            &[("when", &when), ("n", &witnesses.to_string())],
        );
        x.add(
            "checkpoints",
            M::DocCheckpointsTitle,
            Status::Pass,
            r,
            None,
            c,
        );
    }
    // Backups and drills, retention: read from the job table (another part builds them).
    let c = controls(
        &["A.8.13", "A.5.30"],
        &["6.9.3.1"],
        &["12.10.1"],
        &["Pasal 35", "Pasal 40"],
    );
    job_check(
        &mut x,
        facts,
        now,
        "backups",
        M::DocBackupsTitle,
        &[("backup", 2), ("backup-drill", 35)],
        M::DocBackupsFix,
        c,
    );
    let c = controls(
        &["A.5.33", "A.8.10"],
        &["7.4.7", "7.4.4"],
        &["3.2.1"],
        &["Pasal 43", "Pasal 44"],
    );
    job_check(
        &mut x,
        facts,
        now,
        "retention",
        M::DocRetentionTitle,
        &[("retention", 2)],
        M::DocRetentionFix,
        c,
    );
    // Dependencies with known advisories (snapshot bundled at build time).
    let c = controls(&["A.8.8"], &["6.9.6.1"], &["6.3.1", "6.3.3"], &["Pasal 35"]);
    let (info, vuln): (Vec<_>, Vec<_>) = advisories::FINDINGS.iter().partition(|f| !f.4.is_empty());
    let list = |v: &[&(&str, &str, &str, &str, &str)]| {
        v.iter()
            .map(|f| format!("{} {} ({})", f.0, f.1, f.2))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !vuln.is_empty() {
        let r = x.f(
            M::DocAdvisoriesFound,
            &[("n", &vuln.len().to_string()), ("list", &list(&vuln))],
        );
        x.add(
            "advisories",
            M::DocAdvisoriesTitle,
            Status::Fail,
            r,
            Some(x.t(M::DocAdvisoriesFix)),
            c,
        );
    } else if !info.is_empty() {
        let r = x.f(
            M::DocAdvisoriesInfo,
            &[("n", &info.len().to_string()), ("list", &list(&info))],
        );
        x.add(
            "advisories",
            M::DocAdvisoriesTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocAdvisoriesFix)),
            c,
        );
    } else {
        let r = x.f(
            M::DocAdvisoriesOk,
            &[("n", &advisories::CHECKED.to_string())],
        );
        x.add(
            "advisories",
            M::DocAdvisoriesTitle,
            Status::Pass,
            r,
            None,
            c,
        );
    }
    // Honeytokens.
    let c = controls(
        &["A.8.16", "A.5.25"],
        &["6.13.1.1"],
        &["11.5.1"],
        &["Pasal 39", "Pasal 46"],
    );
    let (hc, hk, hs) = facts.honeytokens;
    if hc == 0 {
        let r = x.t(M::DocHoneytokensNone);
        x.add(
            "honeytokens",
            M::DocHoneytokensTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocHoneytokensFix)),
            c,
        );
    } else {
        let r = x.f(
            M::DocHoneytokensOk,
            &[
                ("customers", &hc.to_string()),
                ("keys", &hk.to_string()),
                ("staff", &hs.to_string()),
            ],
        );
        x.add(
            "honeytokens",
            M::DocHoneytokensTitle,
            Status::Pass,
            r,
            None,
            c,
        );
    }
    // Alert channels and open alerts.
    let c = controls(
        &["A.5.24", "A.5.26", "A.6.8"],
        &["6.13.1.1"],
        &["12.10.1"],
        &["Pasal 46"],
    );
    let outside = cfg.alerts.targets().len();
    if facts.open_alerts > 0 {
        let r = x.f(M::DocAlertsOpen, &[("n", &facts.open_alerts.to_string())]);
        x.add(
            "alerts",
            M::DocAlertsTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocAlertsOpenFix)),
            c,
        );
    } else if outside == 0 {
        let r = x.t(M::DocAlertsConsoleOnly);
        x.add(
            "alerts",
            M::DocAlertsTitle,
            Status::Warn,
            r,
            Some(x.t(M::DocAlertsFix)),
            c,
        );
    } else {
        let r = x.f(M::DocAlertsOk, &[("n", &outside.to_string())]);
        x.add("alerts", M::DocAlertsTitle, Status::Pass, r, None, c);
    }
    x.out
}

#[allow(clippy::too_many_arguments)]
fn job_check(
    x: &mut Ctx<'_>,
    facts: &Facts,
    now: i64,
    id: &'static str,
    title: M,
    jobs: &[(&str, i64)],
    fix: M,
    c: Controls,
) {
    for (job, days) in jobs {
        let Some(s) = facts.jobs.get(*job) else {
            let r = x.f(M::DocNotConfigured, &[("job", job)]);
            x.add(id, title, Status::Warn, r, Some(x.t(fix)), c);
            return;
        };
        if s.failures > 0 {
            let r = x.f(
                M::DocJobFailing,
                &[("job", job), ("n", &s.failures.to_string())],
            );
            x.add(
                id,
                title,
                Status::Fail,
                r,
                Some(x.f(M::DocJobFix, &[("job", job)])),
                c,
            );
            return;
        }
        if s.last_ok_at.is_none_or(|t| now - t > days * DAY) {
            let when = s.last_ok_at.map_or_else(|| "-".into(), date);
            let r = x.f(
                M::DocJobStale,
                &[("job", job), ("when", &when), ("days", &days.to_string())],
            );
            x.add(
                id,
                title,
                Status::Warn,
                r,
                Some(x.f(M::DocJobFix, &[("job", job)])),
                c,
            );
            return;
        }
    }
    let when = |j: &str| {
        facts
            .jobs
            .get(j)
            .and_then(|s| s.last_ok_at)
            .map_or_else(|| "-".into(), date)
    };
    let r = if id == "backups" {
        x.f(
            M::DocBackupsOk,
            &[
                ("backup", &when("backup")),
                ("drill", &when("backup-drill")),
            ],
        )
    } else {
        x.f(M::DocRetentionOk, &[("when", &when("retention"))])
    };
    x.add(id, title, Status::Pass, r, None, c);
}

/// `(notAfter ms, self-signed)` of the first certificate in `pem`.
pub fn cert_facts(pem: &[u8]) -> Option<(i64, bool)> {
    use base64::Engine;
    let text = std::str::from_utf8(pem).ok()?;
    let b64: String = text
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)?
        .split("-----END CERTIFICATE-----")
        .next()?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let (_, cert, _) = tlv(&der)?;
    let (_, tbs, _) = tlv(cert)?;
    let mut rest = tbs;
    let mut fields = Vec::new();
    while !rest.is_empty() && fields.len() < 7 {
        let (tag, content, next) = tlv(rest)?;
        fields.push((tag, content));
        rest = next;
    }
    // [0] version is optional.
    let skip = usize::from(fields.first()?.0 == 0xA0);
    let issuer = fields.get(skip + 2)?.1;
    let validity = fields.get(skip + 3)?.1;
    let subject = fields.get(skip + 4)?.1;
    let (_, _, after) = tlv(validity)?;
    let (tag, t, _) = tlv(after)?;
    Some((parse_time(tag, t)?, issuer == subject))
}

fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((tag, b.get(hdr..end)?, b.get(end..)?))
}

fn parse_time(tag: u8, t: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(t).ok()?;
    let digits = s.trim_end_matches('Z');
    let (year, rest) = match tag {
        0x17 => {
            let y: i32 = digits.get(..2)?.parse().ok()?;
            (if y >= 50 { 1900 + y } else { 2000 + y }, digits.get(2..)?)
        }
        0x18 => (digits.get(..4)?.parse().ok()?, digits.get(4..)?),
        _ => return None,
    };
    let n = |i: usize| -> Option<u8> { rest.get(i..i + 2)?.parse().ok() };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(n(0)?).ok()?, n(2)?).ok()?;
    let t = time::Time::from_hms(n(4)?, n(6)?, n(8).unwrap_or(0)).ok()?;
    Some(
        (time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp_nanos()
            / 1_000_000) as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_expiry_and_self_signature_of_a_certificate() {
        let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2031, 5, 17);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let (after, self_signed) = cert_facts(cert.pem().as_bytes()).unwrap();
        assert_eq!(date(after), "2031-05-17");
        assert!(self_signed);
        assert!(cert_facts(b"not a certificate").is_none());
    }
}
