//! Incidents: opened from an alert or by hand, with a timeline, the customers the suspect actor
//! touched (computed from the audit log), the data categories involved, the containment taken,
//! and the 3 × 24-hour deadline of UU PDP Art. 46 counted from discovery; and the report: the
//! notice to the authority, the letters to affected customers and a CSV of their codes.

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;
use crate::store::{EventFilter, IncidentRow};
use crate::vault::Vault;
use jaga_i18n::{Lang, M, Tr};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// UU PDP Art. 46: notify within 3 × 24 hours of discovery.
pub const DEADLINE_MS: i64 = 72 * 3_600_000;
/// The window examined before an alert when an incident is opened from it.
pub const DEFAULT_LOOKBACK_MS: i64 = 7 * 24 * 3_600_000;

/// One timeline entry (no personal data).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When, RFC 3339.
    pub at: String,
    /// `opened`, `alert`, `containment`, `note`, `closed`, `report`.
    pub kind: String,
    /// What happened.
    pub text: String,
}

/// One affected customer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Affected {
    /// Customer code (pseudonym).
    pub code: String,
    /// Accesses by the suspect in the window.
    pub accesses: u64,
    /// Data categories involved (field names, `masked_record`, `orders`).
    pub categories: Vec<String>,
}

/// An incident as shown in the console and by `jaga incident show`.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    /// Id (`inc-…`).
    pub id: String,
    /// Title.
    pub title: String,
    /// `open` or `closed`.
    pub status: String,
    /// Opened, RFC 3339.
    pub opened_at: String,
    /// Discovered, RFC 3339 (the Art. 46 clock starts here).
    pub discovered_at: String,
    /// Notification deadline (discovery + 72 h), RFC 3339.
    pub deadline: String,
    /// Hours left until the deadline (negative when passed); for a closed incident, the
    /// hours that were left when it was closed (the countdown stops).
    pub hours_left: i64,
    /// The deadline, ms since the epoch (for showing it in the shop's time zone).
    #[serde(skip)]
    pub deadline_ms: i64,
    /// The discovery, ms since the epoch.
    #[serde(skip)]
    pub discovered_ms: i64,
    /// Suspect actor (`api_key:<id>`, `staff:<id>`), if known.
    pub suspect: Option<String>,
    /// Window examined, RFC 3339.
    pub window_from: String,
    /// End of the window, RFC 3339 (now while open).
    pub window_to: String,
    /// The alert it was opened from.
    pub alert_id: Option<String>,
    /// Timeline, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Customers the suspect touched in the window.
    pub affected: Vec<Affected>,
    /// Every data category involved.
    pub categories: Vec<String>,
}

/// The incident report: notice to the authority, letters, CSV of affected codes.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The incident.
    pub incident_id: String,
    /// Language, `id` or `en`.
    pub lang: String,
    /// The notice to the authority.
    pub notice: String,
    /// One letter per affected customer: `(code, text)`.
    pub letters: Vec<(String, String)>,
    /// `customer_code` CSV of the affected customers.
    pub csv: String,
}

fn access(action: &str) -> Option<&'static str> {
    Some(match action {
        "customer.read" | "customer.lookup" => "masked_record",
        "order.list" => "orders",
        "token.resolve" => "tokens",
        "customer.update" => "record_changed",
        "customer.erase" => "record_erased",
        "customer.reveal" => "",
        a if a.contains("export") => "export",
        _ => return None,
    })
}

/// A data category in the reader's language: a revealed field's name, or what an access
/// without a field list involved (`masked_record`, `orders`, …).
pub fn category_label(category: &str, tr: Tr) -> String {
    let m = match category {
        "masked_record" => M::IdsCatMasked,
        "orders" => M::IdsCatOrders,
        "tokens" => M::IdsCatTokens,
        "record_changed" => M::IdsCatChanged,
        "record_erased" => M::IdsCatErased,
        "export" => M::IdsCatExport,
        field => return crate::letter::field_label(field, tr),
    };
    tr.t(m).to_string()
}

/// Categories joined for a text, translated, without empty or repeated labels.
fn categories_text<'a>(cats: impl IntoIterator<Item = &'a String>, tr: Tr) -> String {
    let mut seen = Vec::new();
    for c in cats {
        let l = category_label(c, tr);
        if !l.is_empty() && !seen.contains(&l) {
            seen.push(l);
        }
    }
    if seen.is_empty() {
        tr.t(M::IdsNone).to_string()
    } else {
        seen.join(", ")
    }
}

impl Vault {
    /// Opens an incident (operator or admin), from `alert` or by hand with `suspect`
    /// (`api_key:<id>` or `staff:<id>`) and a window starting at `from_ms`. Audited.
    pub async fn incident_open(
        &self,
        caller: &Caller,
        alert: Option<&str>,
        title: Option<&str>,
        suspect: Option<&str>,
        from_ms: Option<i64>,
    ) -> Result<IncidentView, CoreError> {
        self.require_security(caller, AuditAction::IdsIncidentOpen)
            .await?;
        let now = crate::now_ms();
        let alert_row = match alert {
            Some(a) => Some(
                self.store()
                    .alert_get(a.trim())
                    .await?
                    .ok_or(CoreError::NotFound)?,
            ),
            None => None,
        };
        let (kind, actor) = match (&alert_row, suspect) {
            (_, Some(s)) => {
                let (k, id) = s.split_once(':').ok_or_else(|| {
                    CoreError::invalid(
                        "suspect",
                        "invalid_suspect",
                        "write api_key:<id> or staff:<id>",
                    )
                })?;
                if !matches!(k, "api_key" | "staff") || id.trim().is_empty() {
                    return Err(CoreError::invalid(
                        "suspect",
                        "invalid_suspect",
                        "write api_key:<id> or staff:<id>",
                    ));
                }
                (Some(k.to_string()), Some(id.trim().to_string()))
            }
            (Some(a), None) if a.actor_kind != "system" => {
                (Some(a.actor_kind.clone()), Some(a.actor_id.clone()))
            }
            _ => (None, None),
        };
        let discovered = alert_row.as_ref().map_or(now, |a| a.created_at);
        let title = match (title, &alert_row) {
            (Some(t), _) => screen_text("title", t, 200)?,
            (None, Some(a)) => format!("{} ({})", a.rule, a.id),
            (None, None) => "incident".to_string(),
        };
        let id = format!("inc-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut timeline = vec![TimelineEntry {
            at: crate::format_ms(now),
            kind: "opened".into(),
            text: match &alert_row {
                Some(a) => format!("opened from alert {} (rule {})", a.id, a.rule),
                None => "opened by hand".into(),
            },
        }];
        if let Some(a) = &alert_row {
            timeline.insert(
                0,
                TimelineEntry {
                    at: crate::format_ms(a.created_at),
                    kind: "alert".into(),
                    text: format!("{} alert {} raised ({} times)", a.severity, a.rule, a.hits),
                },
            );
            let d: serde_json::Value = serde_json::from_str(&a.detail).unwrap_or_default();
            if let Some(c) = d.get("containment").and_then(|c| c.as_str())
                && c != "alert"
            {
                timeline.insert(
                    1,
                    TimelineEntry {
                        at: crate::format_ms(a.created_at),
                        kind: "containment".into(),
                        text: format!("containment applied automatically: {c}"),
                    },
                );
            }
        }
        let row = IncidentRow {
            id: id.clone(),
            opened_at: now,
            discovered_at: discovered,
            title,
            actor_kind: kind,
            actor_id: actor,
            window_from: from_ms.unwrap_or(discovered - DEFAULT_LOOKBACK_MS),
            window_to: None,
            status: "open".into(),
            alert_id: alert_row.as_ref().map(|a| a.id.clone()),
            timeline: serde_json::to_string(&timeline).unwrap_or_else(|_| "[]".into()),
        };
        let audit = AuditRecord::new(caller, AuditAction::IdsIncidentOpen)
            .fields([format!("incident:{id}")]);
        self.store().incident_insert(row, audit).await?;
        if let Some(a) = &alert_row {
            self.store().alert_link(&a.id, &id).await?;
        }
        self.incident(caller, &id).await
    }

    /// Every incident, newest first (without the affected customers).
    pub async fn incidents(&self, caller: &Caller) -> Result<Vec<IncidentRow>, CoreError> {
        self.require_security(caller, AuditAction::IdsIncidentOpen)
            .await?;
        Ok(self.store().incident_list().await?)
    }

    /// One incident with its affected customers computed from the audit log.
    pub async fn incident(&self, caller: &Caller, id: &str) -> Result<IncidentView, CoreError> {
        self.require_security(caller, AuditAction::IdsIncidentOpen)
            .await?;
        let row = self
            .store()
            .incident_get(id.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        let now = crate::now_ms();
        let to = row.window_to.unwrap_or(now);
        let mut affected: BTreeMap<uuid::Uuid, (u64, BTreeSet<String>)> = BTreeMap::new();
        if let (Some(_), Some(actor)) = (&row.actor_kind, &row.actor_id) {
            let filter = EventFilter {
                actor_id: Some(actor.clone()),
                from_ms: Some(row.window_from),
                to_ms: Some(to + 1),
                ..Default::default()
            };
            for e in crate::report::matching(self.store().as_ref(), &filter).await? {
                if e.outcome != "ok" {
                    continue;
                }
                let (Some(cid), Some(cat)) = (e.customer_id.as_deref(), access(&e.action)) else {
                    continue;
                };
                let Ok(cid) = uuid::Uuid::parse_str(cid) else {
                    continue;
                };
                let entry = affected.entry(cid).or_default();
                entry.0 += 1;
                if cat.is_empty() {
                    entry.1.extend(e.fields.iter().cloned());
                } else {
                    entry.1.insert(cat.to_string());
                }
            }
        }
        // Decoys are nobody's data: a honeytoken the suspect touched is evidence, not an
        // affected customer to notify.
        let decoys: BTreeSet<String> = self
            .store()
            .honeytoken_list()
            .await?
            .into_iter()
            .filter(|h| h.kind == "customer")
            .map(|h| h.ref_id)
            .collect();
        let mut list = Vec::new();
        let mut categories = BTreeSet::new();
        for (cid, (n, cats)) in affected {
            if decoys.contains(&cid.to_string()) {
                continue;
            }
            let code = match self.store().customer_load(cid).await? {
                Some(c) => c.row.code,
                None => continue,
            };
            categories.extend(cats.iter().cloned());
            list.push(Affected {
                code,
                accesses: n,
                categories: cats.into_iter().collect(),
            });
        }
        list.sort_by(|a, b| a.code.cmp(&b.code));
        let deadline = row.discovered_at + DEADLINE_MS;
        Ok(IncidentView {
            title: row.title.clone(),
            status: row.status.clone(),
            opened_at: crate::format_ms(row.opened_at),
            discovered_at: crate::format_ms(row.discovered_at),
            deadline: crate::format_ms(deadline),
            hours_left: (deadline
                - row
                    .window_to
                    .filter(|_| row.status == "closed")
                    .unwrap_or(now))
            .div_euclid(3_600_000),
            deadline_ms: deadline,
            discovered_ms: row.discovered_at,
            suspect: row
                .actor_kind
                .as_ref()
                .zip(row.actor_id.as_ref())
                .map(|(k, i)| format!("{k}:{i}")),
            window_from: crate::format_ms(row.window_from),
            window_to: crate::format_ms(to),
            alert_id: row.alert_id.clone(),
            timeline: serde_json::from_str(&row.timeline).unwrap_or_default(),
            affected: list,
            categories: categories.into_iter().collect(),
            id: row.id,
        })
    }

    /// Adds a note to the timeline, or closes the incident (`close`). Audited.
    pub async fn incident_note(
        &self,
        caller: &Caller,
        id: &str,
        note: Option<&str>,
        close: bool,
    ) -> Result<(), CoreError> {
        self.require_security(caller, AuditAction::IdsIncidentUpdate)
            .await?;
        let mut row = self
            .store()
            .incident_get(id.trim())
            .await?
            .ok_or(CoreError::NotFound)?;
        let mut tl: Vec<TimelineEntry> = serde_json::from_str(&row.timeline).unwrap_or_default();
        let now = crate::now_ms();
        if let Some(n) = note {
            tl.push(TimelineEntry {
                at: crate::format_ms(now),
                kind: "note".into(),
                text: screen_text("note", n, 1000)?,
            });
        }
        if close && row.status != "closed" {
            row.status = "closed".into();
            row.window_to = Some(now);
            tl.push(TimelineEntry {
                at: crate::format_ms(now),
                kind: "closed".into(),
                text: "closed".into(),
            });
        }
        row.timeline = serde_json::to_string(&tl).unwrap_or_else(|_| "[]".into());
        self.store()
            .audit_append(
                AuditRecord::new(caller, AuditAction::IdsIncidentUpdate)
                    .fields([format!("incident:{}", row.id), format!("close:{close}")]),
            )
            .await?;
        self.store().incident_update(row).await?;
        Ok(())
    }

    /// The incident report in `lang` (operator or admin). Audited as `ids.incident.report`.
    pub async fn incident_report(
        &self,
        caller: &Caller,
        id: &str,
        lang: Lang,
        shop: &str,
        contact: &str,
    ) -> Result<Report, CoreError> {
        let contact = screen_text("contact", contact, 200)?;
        if !contact.chars().any(char::is_alphanumeric) {
            return Err(CoreError::invalid(
                "contact",
                "invalid_contact",
                "give the e-mail or phone customers can reach the shop at",
            ));
        }
        let contact = contact.as_str();
        let v = self.incident(caller, id).await?;
        self.store()
            .audit_append(
                AuditRecord::new(caller, AuditAction::IdsIncidentReport)
                    .fields([format!("incident:{}", v.id), format!("lang:{}", lang.tag())]),
            )
            .await?;
        let tr = Tr(lang);
        let cats = categories_text(&v.categories, tr);
        let steps: Vec<String> = v
            .timeline
            .iter()
            .filter(|e| e.kind != "alert")
            .map(|e| format!("- {} {}: {}", e.at, e.kind, e.text))
            .collect();
        let n = v.affected.len().to_string();
        let notice = tr.f(
            M::IdsNotice,
            &[
                ("shop", shop),
                ("id", &v.id),
                ("title", &v.title),
                ("discovered", &v.discovered_at),
                ("deadline", &v.deadline),
                ("suspect", v.suspect.as_deref().unwrap_or("-")),
                ("from", &v.window_from),
                ("to", &v.window_to),
                ("n", &n),
                ("categories", &cats),
                ("steps", &steps.join("\n")),
                ("contact", contact),
            ],
        );
        let letters = v
            .affected
            .iter()
            .map(|a| {
                let c = categories_text(&a.categories, tr);
                let text = tr.f(
                    M::IdsLetter,
                    &[
                        ("shop", shop),
                        ("code", &a.code),
                        ("from", &v.window_from),
                        ("to", &v.window_to),
                        ("categories", &c),
                        ("steps", &steps.join("\n")),
                        ("contact", contact),
                    ],
                );
                (a.code.clone(), text)
            })
            .collect();
        let mut csv = String::from("customer_code\n");
        for a in &v.affected {
            csv.push_str(&a.code);
            csv.push('\n');
        }
        Ok(Report {
            incident_id: v.id,
            lang: lang.tag().into(),
            notice,
            letters,
            csv,
        })
    }
}

/// A free-text field of an incident: one line or a paragraph, bounded, never a card number.
fn screen_text(field: &str, text: &str, max: usize) -> Result<String, CoreError> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            "invalid_text",
            format!("must be 1 to {max} characters"),
        ));
    }
    if crate::guard::text_has_card_number(t) || crate::guard::check_note(t).is_err() {
        return Err(CoreError::CardInText {
            field: field.to_string(),
        });
    }
    Ok(t.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect())
}
