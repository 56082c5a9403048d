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

impl Vault {
    /// Plants `customers` decoy customers in `segment`, `api_keys` decoy API keys and `staff`
    /// decoy staff accounts (operator only; the vault must be unsealed). Audited as
    /// `ids.honeytoken.create` with the counts only; each decoy's own creation is audited as
    /// the real thing would be.
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
            let writer = self.writer(caller).await?;
            for _ in 0..customers {
                let mut input = fake_customer(&mut rng);
                input.segment = segment.map(String::from);
                let created = writer.create(&input).await?;
                self.mark(&created.id.to_string(), "customer", now).await?;
                out.push(Planted {
                    id: created.id.to_string(),
                    code: created.code,
                    kind: "customer".into(),
                });
            }
        }
        for _ in 0..api_keys {
            let scopes: BTreeSet<Scope> = [Scope::CustomersRead, Scope::CustomersReveal].into();
            let name = KEY_NAMES.choose(&mut rng).expect("list");
            let key = self.apikey_create(caller, name, &scopes, None).await?;
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
                let mut pw = [0u8; 32];
                rng.fill(&mut pw);
                let hash = jaga_crypto::password::hash(&pw, Default::default())?;
                let id = uuid::Uuid::new_v4();
                let row = StaffRow {
                    id,
                    email: email.clone(),
                    name: format!("{given} {family}"),
                    role: "cs_staff".into(),
                    segments: String::new(),
                    password_hash: hash,
                    totp_secret: None,
                    totp_confirmed: true,
                    totp_last_step: None,
                    agreement_version: None,
                    agreement_accepted_at: None,
                    disabled_at: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                self.mark(&id.to_string(), "staff", now).await?;
                let actor = Caller::staff_actor(&id.to_string(), None);
                self.store()
                    .staff_insert(
                        row,
                        AuditRecord::new(&actor, AuditAction::StaffInvitationAccept),
                    )
                    .await?;
                out.push(Planted {
                    id: id.to_string(),
                    code: email,
                    kind: "staff".into(),
                });
            }
        }
        self.store()
            .audit_append(
                AuditRecord::new(caller, AuditAction::IdsHoneytokenCreate)
                    .fields([format!("count:{}", out.len())]),
            )
            .await?;
        self.ids_refresh().await?;
        Ok(out)
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
        let mut d = self.ids().decoys.write().expect("decoys");
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
                _ => c.2 += 1,
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
