//! Honeytokens (Acra's "poison records"): decoy customers, API keys and staff accounts that no
//! legitimate work touches. They are made through the same paths as real ones (the customer
//! writer with the import's actor, the API-key maker, a staff row like an enrolled member's),
//! encrypted the same way; which records are decoys is kept apart in `ids_honeytoken` and in
//! memory, never in a row or a response. Any read, lookup hit, reveal or export of a decoy
//! customer, any use of a decoy key and any sign-in attempt on a decoy account fires the
//! `honeytoken` rule.

use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::{Caller, Scope};
use crate::model::{Address, NewCustomer};
use crate::store::{HoneytokenRow, StaffRow};
use crate::vault::Vault;
use rand::Rng;
use rand::seq::SliceRandom;
use secrecy::ExposeSecret;
use serde::Serialize;
use std::collections::BTreeSet;

/// One planted decoy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Planted {
    /// Customer id, API key id or staff id.
    pub id: String,
    /// What to plant as bait: the customer code, the whole API key, or the staff e-mail.
    pub code: String,
    /// `customer`, `api_key` or `staff`.
    pub kind: String,
}

const GIVEN: &[&str] = &[
    "Agus", "Budi", "Dewi", "Siti", "Rina", "Andi", "Putri", "Wahyu", "Fitri", "Hendra", "Indah",
    "Joko", "Kartika", "Lestari", "Maya", "Nur", "Oki", "Rizky", "Sri", "Teguh", "Yuni", "Bayu",
    "Dian", "Eko", "Fajar", "Gita", "Hadi", "Intan", "Lina", "Mega",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Pratama",
    "Kusuma",
    "Setiawan",
    "Nugroho",
    "Wibowo",
    "Siregar",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Gunawan",
    "Halim",
    "Susanto",
    "Rahmawati",
    "Purnomo",
    "Utami",
    "Hakim",
];
const MAIL: &[&str] = &[
    "gmail.com",
    "yahoo.co.id",
    "gmail.com",
    "outlook.com",
    "ymail.com",
];
/// (province, city, NIK province code, regency code, postal prefix)
const PLACES: &[(&str, &str, u32, u32, &str)] = &[
    ("DKI Jakarta", "Jakarta Selatan", 31, 74, "12"),
    ("DKI Jakarta", "Jakarta Timur", 31, 75, "13"),
    ("Jawa Barat", "Bandung", 32, 73, "40"),
    ("Jawa Barat", "Bekasi", 32, 75, "17"),
    ("Jawa Tengah", "Semarang", 33, 74, "50"),
    ("Jawa Timur", "Surabaya", 35, 78, "60"),
    ("Banten", "Tangerang", 36, 71, "15"),
    ("Bali", "Denpasar", 51, 71, "80"),
    ("DI Yogyakarta", "Yogyakarta", 34, 71, "55"),
];
const STREETS: &[&str] = &[
    "Jl. Melati",
    "Jl. Kenanga",
    "Jl. Merdeka",
    "Jl. Sudirman",
    "Jl. Diponegoro",
    "Jl. Mawar",
    "Jl. Anggrek",
    "Jl. Gajah Mada",
    "Jl. Pahlawan",
    "Jl. Cempaka",
];
const KEY_NAMES: &[&str] = &["shop-sync", "erp-export", "crm-backup", "reporting"];

/// Marker kind of a pending `ids.honeytoken.create` notice (its `created_at` is when it is due).
pub(crate) const NOTICE: &str = "notice";
/// Marker kind of a notice written.
pub(crate) const NOTICE_DONE: &str = "notice_done";

/// `c` with only the fields a real create recorded (`None`: all of them); notes and
/// preferences are added when the real one had them.
fn shaped(mut c: NewCustomer, fields: Option<&BTreeSet<String>>) -> NewCustomer {
    let Some(f) = fields else {
        return c;
    };
    let has = |n: &str| f.iter().any(|x| x == n || x.starts_with(&format!("{n}:")));
    if !has("email") {
        c.email = None;
    }
    if !has("phone") {
        c.phone = None;
    }
    if !has("address") {
        c.address = None;
    }
    if !has("national_id") {
        c.national_id = None;
    }
    if !has("birth_date") {
        c.birth_date = None;
    }
    let mut rng = rand::rngs::OsRng;
    if has("notes") {
        c.notes = Some(NOTES.choose(&mut rng).expect("list").to_string());
    }
    if has("preferences") {
        c.preferences = Some(serde_json::json!({"newsletter": "ya"}));
    }
    c
}

/// A realistic Indonesian customer (made-up values that pass every validation).
pub(crate) fn fake_customer(rng: &mut impl Rng) -> NewCustomer {
    let given = *GIVEN.choose(rng).expect("list");
    let family = *FAMILY.choose(rng).expect("list");
    let (province, city, p, r, zip) = *PLACES.choose(rng).expect("list");
    let female = rng.gen_bool(0.5);
    let (year, month) = (rng.gen_range(1965..2004), rng.gen_range(1..=12u32));
    let day = rng.gen_range(1..=28u32);
    let nik = format!(
        "{p:02}{r:02}{:02}{:02}{month:02}{:02}{:04}",
        rng.gen_range(1..=30),
        day + if female { 40 } else { 0 },
        year % 100,
        rng.gen_range(1..=9999)
    );
    let local = match rng.gen_range(0..3) {
        0 => format!("{}.{}", given, family),
        1 => format!("{}{}", given, rng.gen_range(10..999)),
        _ => format!("{}_{}{}", given, family, year % 100),
    }
    .to_lowercase();
    NewCustomer {
        full_name: format!("{given} {family}"),
        email: Some(format!("{local}@{}", MAIL.choose(rng).expect("list"))),
        phone: Some(format!(
            "+628{}{:08}",
            rng.gen_range(11..=59),
            rng.gen_range(0..100_000_000u32)
        )),
        address: Some(Address {
            street: Some(format!(
                "{} No. {}, RT {:03}/RW {:03}",
                STREETS.choose(rng).expect("list"),
                rng.gen_range(1..200),
                rng.gen_range(1..15),
                rng.gen_range(1..12)
            )),
            city: Some(city.into()),
            province: Some(province.into()),
            postal_code: Some(format!("{zip}{:03}", rng.gen_range(110..999))),
        }),
        national_id: Some(nik),
        birth_date: Some(format!("{year}-{month:02}-{day:02}")),
        preferences: None,
        notes: None,
        marketing_consent: rng.gen_bool(0.4),
        segment: None,
    }
}

/// How far back the planting looks for the shop's normal way of creating customers.
const TEMPLATE_SCAN: u64 = 5_000;
/// Bland notes and preferences for a decoy whose template carried them.
const NOTES: &[&str] = &[
    "pelanggan tetap",
    "minta kirim sore hari",
    "sudah konfirmasi via WA",
    "suka produk baru",
];

/// How the shop creates its customers, as its own log shows.
struct Template {
    /// Who wrote the newest real `customer.create`: an API key still in force, or the import.
    api_key: Option<String>,
    /// The fields that create recorded (`None`: no real create yet, a full record).
    fields: Option<BTreeSet<String>>,
}

impl Vault {
    /// Plants `customers` decoy customers in `segment`, `api_keys` decoy API keys and `staff`
    /// decoy staff accounts (operator only; the vault must be unsealed).
    ///
    /// Each decoy is written through the path, under the actor and with the event shape a
    /// real record of its kind has, so nobody reading the audit log can tell it apart:
    /// customers like the newest real `customer.create` in the log (by the same API key if
    /// one wrote it and is still in force, with the same set of fields; otherwise as a
    /// `jaga import` batch by `cli-import`); keys by `cli` like `jaga apikey create`; staff
    /// accounts through an invitation by `cli`, its acceptance, TOTP enrolment and recovery
    /// codes. That decoys exist is recorded as `ids.honeytoken.create` (no count, no ids)
    /// one to six hours later by the next detection refresh ([`Vault::ids_refresh`]), so its
    /// position in the log does not point at the decoys.
    pub async fn honeytokens_plant(
        &self,
        caller: &Caller,
        customers: u32,
        api_keys: u32,
        staff: u32,
        segment: Option<&str>,
    ) -> Result<Vec<Planted>, CoreError> {
        self.require_operator(caller, AuditAction::IdsHoneytokenCreate)
            .await?;
        if customers + api_keys + staff == 0 || customers > 1000 || api_keys > 20 || staff > 20 {
            return Err(CoreError::invalid(
                "count",
                "invalid_count",
                "plant 1 to 1000 customers, at most 20 keys and 20 accounts",
            ));
        }
        self.keys()?;
        let mut out = Vec::new();
        let now = crate::now_ms();
        let mut rng = rand::rngs::OsRng;
        if customers > 0 {
            let template = self.customer_template().await?;
            let inputs: Vec<NewCustomer> = (0..customers)
                .map(|_| {
                    let mut input = shaped(fake_customer(&mut rng), template.fields.as_ref());
                    input.segment = segment.map(String::from);
                    input
                })
                .collect();
            let created: Vec<(String, String)> = match &template.api_key {
                Some(key) => {
                    let mut v = Vec::new();
                    for input in &inputs {
                        // One request each, as the shop's backend would send them.
                        let as_key = Caller::api_key_writer(key);
                        let c = self.writer(&as_key).await?.create(input).await?;
                        v.push((c.id.to_string(), c.code));
                    }
                    v
                }
                None => {
                    let import = Caller::operator_task(crate::auth::OperatorTask::Import);
                    let done = self.writer(&import).await?.import_batch(&inputs).await?;
                    if let Some((_, es)) = done.rejected.first() {
                        return Err(CoreError::Invalid(es.clone()));
                    }
                    done.created
                        .into_iter()
                        .map(|(_, c)| (c.id.to_string(), c.code))
                        .collect()
                }
            };
            for (id, code) in created {
                self.mark(&id, "customer", now).await?;
                out.push(Planted {
                    id,
                    code,
                    kind: "customer".into(),
                });
            }
        }
        let cli = Caller::operator_task(crate::auth::OperatorTask::ApiKeys);
        for _ in 0..api_keys {
            let scopes: BTreeSet<Scope> = [Scope::CustomersRead, Scope::CustomersReveal].into();
            let name = KEY_NAMES.choose(&mut rng).expect("list");
            let key = self.apikey_create(&cli, name, &scopes, None).await?;
            self.mark(&key.id, "api_key", now).await?;
            out.push(Planted {
                id: key.id,
                code: key.token.expose_secret().to_string(),
                kind: "api_key".into(),
            });
        }
        if staff > 0 {
            let domain = self
                .store()
                .staff_list()
                .await?
                .iter()
                .find_map(|s| s.email.split_once('@').map(|(_, d)| d.to_string()))
                .unwrap_or_else(|| "example.com".into());
            for _ in 0..staff {
                let given = GIVEN.choose(&mut rng).expect("list");
                let family = FAMILY.choose(&mut rng).expect("list");
                let email = format!("{}.{}@{domain}", given, family).to_lowercase();
                if self.store().staff_by_email(&email).await?.is_some() {
                    continue;
                }
                let id = self
                    .plant_staff(&cli, &email, &format!("{given} {family}"))
                    .await?;
                out.push(Planted {
                    id: id.to_string(),
                    code: email,
                    kind: "staff".into(),
                });
            }
        }
        // The notice that decoys exist, due later (see above).
        let due = now + rng.gen_range(3_600_000..6 * 3_600_000);
        self.store()
            .honeytoken_insert(HoneytokenRow {
                ref_id: format!("notice-{}", uuid::Uuid::new_v4().simple()),
                kind: NOTICE.into(),
                created_at: due,
            })
            .await?;
        self.ids_refresh().await?;
        Ok(out)
    }

    /// The newest real `customer.create` in the last [`TEMPLATE_SCAN`] events.
    async fn customer_template(&self) -> Result<Template, CoreError> {
        let decoys: BTreeSet<String> = self
            .store()
            .honeytoken_list()
            .await?
            .into_iter()
            .map(|h| h.ref_id)
            .collect();
        let head = self.store().audit_head().await?.size;
        let floor = head.saturating_sub(TEMPLATE_SCAN);
        let mut to = head;
        while to > floor {
            let from = to.saturating_sub(500).max(floor);
            let events = self.store().audit_events(from, (to - from) as u32).await?;
            for e in events.iter().rev() {
                let Ok(ev) = jaga_audit::event::decode(&e.leaf) else {
                    continue;
                };
                if ev.action != "customer.create"
                    || ev.outcome != "ok"
                    || ev.customer_id.as_ref().is_some_and(|c| decoys.contains(c))
                {
                    continue;
                }
                let fields = Some(ev.fields.iter().cloned().collect());
                let api_key = match ev.actor_kind {
                    jaga_audit::event::ActorKind::ApiKey => self
                        .store()
                        .api_key_get(&ev.actor_id)
                        .await?
                        .filter(|k| {
                            k.revoked_at.is_none()
                                && k.expires_at.is_none_or(|x| x > crate::now_ms())
                                && k.scopes.split(',').any(|s| s == "customers:write")
                        })
                        .map(|k| k.id),
                    _ => None,
                };
                return Ok(Template { api_key, fields });
            }
            to = from;
        }
        Ok(Template {
            api_key: None,
            fields: None,
        })
    }

    /// A decoy staff account made the way a real one is: invited by `cli`, the invitation
    /// accepted, TOTP enrolled and recovery codes issued (each audited as for a real member).
    /// Its password is random and never known; any sign-in attempt raises the alert.
    async fn plant_staff(
        &self,
        cli: &Caller,
        email: &str,
        name: &str,
    ) -> Result<uuid::Uuid, CoreError> {
        let store = self.store();
        let mut rng = rand::rngs::OsRng;
        let now = crate::now_ms();
        let token = jaga_crypto::otp::token();
        let inv = crate::store::InvitationRow {
            digest: jaga_crypto::otp::token_digest(&token),
            id: uuid::Uuid::new_v4(),
            email: Some(email.to_string()),
            role: "cs_staff".into(),
            segments: String::new(),
            created_by: format!("{}:{}", cli.kind().name(), cli.id()),
            created_at: now,
            expires_at: now + 72 * 3_600_000,
            used_at: None,
        };
        let role = crate::roles::Role::parse("cs_staff").ok_or(CoreError::Integrity)?;
        store
            .invitation_insert(
                inv.clone(),
                AuditRecord::new(cli, AuditAction::StaffInvite).fields([format!("role:{role}")]),
            )
            .await?;
        let mut pw = [0u8; 32];
        rng.fill(&mut pw);
        let hash = jaga_crypto::password::hash(&pw, Default::default())?;
        let id = uuid::Uuid::new_v4();
        let mut row = StaffRow {
            id,
            email: email.to_string(),
            name: name.to_string(),
            role: role.name().into(),
            segments: String::new(),
            password_hash: hash,
            totp_secret: None,
            totp_confirmed: false,
            totp_last_step: None,
            agreement_version: None,
            agreement_accepted_at: None,
            disabled_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        // Marked before the account exists, so it is watched from its first moment.
        self.mark(&id.to_string(), "staff", now).await?;
        let actor = Caller::staff_actor(&id.to_string(), Some(uuid::Uuid::new_v4().to_string()));
        let accept = AuditRecord::new(&actor, AuditAction::StaffInvitationAccept)
            .fields([format!("role:{role}"), format!("invitation:{}", inv.id)]);
        if !store
            .invitation_accept(&inv.digest, now, row.clone(), accept)
            .await?
        {
            return Err(CoreError::Integrity);
        }
        let actor = Caller::staff_actor(&id.to_string(), Some(uuid::Uuid::new_v4().to_string()));
        row.totp_confirmed = true;
        row.version += 1;
        row.updated_at = crate::now_ms();
        store
            .staff_update(
                row,
                Some(AuditRecord::new(&actor, AuditAction::StaffTotpEnrol)),
            )
            .await?;
        let key = self.staff_recovery_key()?;
        let digests = (0..jaga_crypto::otp::RECOVERY_CODES)
            .map(|_| {
                let c = jaga_crypto::otp::recovery_code();
                let n = jaga_crypto::otp::normalize_recovery_code(&c)
                    .expect("generated codes are well formed");
                jaga_crypto::otp::recovery_digest(&key, &n)
            })
            .collect();
        store
            .recovery_codes_replace(
                id,
                digests,
                AuditRecord::new(&actor, AuditAction::StaffRecoveryIssue),
            )
            .await?;
        store
            .audit_append(
                AuditRecord::new(&actor, AuditAction::StaffLoginOk).fields(["factor:totp"]),
            )
            .await?;
        Ok(id)
    }

    /// Writes the `ids.honeytoken.create` notices that are due (one per planting, without
    /// counts or ids). The first node to claim a notice (a unique marker row) writes it.
    pub(crate) async fn honeytoken_notices(&self, rows: &[HoneytokenRow]) -> Result<(), CoreError> {
        let now = crate::now_ms();
        let done: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.kind == NOTICE_DONE)
            .map(|r| r.ref_id.as_str())
            .collect();
        for r in rows
            .iter()
            .filter(|r| r.kind == NOTICE && r.created_at <= now)
        {
            let claim = format!("{}-done", r.ref_id);
            if done.contains(claim.as_str()) {
                continue;
            }
            let claimed = self
                .store()
                .honeytoken_insert(HoneytokenRow {
                    ref_id: claim,
                    kind: NOTICE_DONE.into(),
                    created_at: now,
                })
                .await
                .is_ok();
            if claimed {
                let ids = Caller::component("ids", None);
                self.store()
                    .audit_append(AuditRecord::new(&ids, AuditAction::IdsHoneytokenCreate))
                    .await?;
            }
        }
        Ok(())
    }

    async fn mark(&self, id: &str, kind: &str, now: i64) -> Result<(), CoreError> {
        // Right after the record (for staff, before it). Running servers load the markers every
        // 250 ms; `jaga honeytoken create` prints the decoys only after that, so nobody can
        // know a decoy before every node watches it.
        self.store()
            .honeytoken_insert(HoneytokenRow {
                ref_id: id.into(),
                kind: kind.into(),
                created_at: now,
            })
            .await?;
        let mut d = self
            .ids()
            .decoys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match kind {
            "customer" => {
                if let Ok(u) = uuid::Uuid::parse_str(id) {
                    d.customers.insert(u);
                }
            }
            "api_key" => {
                d.api_keys.insert(id.into());
            }
            _ => {
                d.staff.insert(id.into());
            }
        }
        Ok(())
    }

    /// How many honeytokens of each kind are planted (for `jaga doctor`).
    pub async fn honeytoken_counts(&self) -> Result<(u64, u64, u64), CoreError> {
        let mut c = (0, 0, 0);
        for h in self.store().honeytoken_list().await? {
            match h.kind.as_str() {
                "customer" => c.0 += 1,
                "api_key" => c.1 += 1,
                "staff" => c.2 += 1,
                _ => {}
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_customers_pass_validation_and_the_card_guard() {
        let mut rng = rand::rngs::OsRng;
        for _ in 0..500 {
            let c = fake_customer(&mut rng);
            crate::validate::email(c.email.as_deref().unwrap()).unwrap();
            crate::validate::phone(c.phone.as_deref().unwrap()).unwrap();
            crate::validate::national_id(c.national_id.as_deref().unwrap()).unwrap();
            let v =
                serde_json::json!({"full_name": c.full_name, "email": c.email, "phone": c.phone});
            assert!(crate::guard::find_card_number(&v).is_none());
        }
    }
}
