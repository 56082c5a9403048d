//! Notices to a payee's contact on file when its bank details are changed: the change request
//! may come from a compromised or lookalike mailbox, so the contact already on file hears of it
//! (and can say "that was not us") before anyone pays. The store queues one notice per change in
//! the change's transaction; the `payee-notice` job (in `jaga-jobs`) sends them through the
//! delivery component and reports back here, where each one is audited (`payee.notify`).

use super::Vault;
use super::views::{Contacts, StoredDetails};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord};
use crate::auth::Caller;

/// One notice to send.
#[derive(Debug, Clone)]
pub struct PayeeNotice {
    /// The payee.
    pub payee_id: String,
    /// The new version the notice is about.
    pub version: i64,
    /// The e-mail address on file, if any.
    pub to: Option<String>,
    /// Subject (both languages).
    pub subject: String,
    /// Body (both languages): the bank and the last four digits of the new account, never the
    /// whole number.
    pub body: String,
}

fn last4(account: &str) -> &str {
    &account[account.len().saturating_sub(4)..]
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .map(|t| {
            let t = t.to_offset(time::macros::offset!(+7));
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} WIB",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

impl Vault {
    /// Up to `limit` notices not yet sent, with their text (decrypts the contact and the new
    /// details; for the notice job only).
    pub async fn payee_notices_pending(&self, limit: u32) -> Result<Vec<PayeeNotice>, CoreError> {
        let caller = Caller::system("payee-notice");
        let p = self.payees(&caller)?;
        let mut out = Vec::new();
        for n in self.store().payee_notices_pending(limit).await? {
            let Some(row) = self.store().payee_get(&n.payee_id).await? else {
                continue;
            };
            let name: String = p.open("payees", &row.id, "name", &row.name)?;
            let contacts: Contacts = p.open("payees", &row.id, "contacts", &row.contacts)?;
            if n.version < 0 {
                // A contact change: to the address on file when it was asked for.
                let Some(c) = contacts
                    .changes
                    .iter()
                    .find(|c| -i64::from(c.version) == n.version)
                else {
                    continue;
                };
                let when = date(c.requested_at);
                let tail = last4(&c.phone);
                out.push(PayeeNotice {
                    payee_id: n.payee_id,
                    version: n.version,
                    to: c.previous_email.clone(),
                    subject: format!("Perubahan kontak {name} / Contact details change for {name}"),
                    body: format!(
                        "Kami menerima permintaan mengganti nomor telepon kontak {name} menjadi \
                         nomor berakhiran {tail} ({when}). Kami akan memastikannya dengan menelepon \
                         nomor lama yang terdaftar pada kami. Jika Anda tidak meminta perubahan \
                         ini, segera hubungi kami melalui nomor yang biasa Anda gunakan.\n\n\
                         We received a request to change {name}'s contact phone number to one \
                         ending {tail} ({when}). We will confirm it by calling the old number we \
                         have on file. If you did not ask for this change, contact us right away \
                         through the number you usually use.\n"
                    ),
                });
                continue;
            }
            let versions = self.store().bank_versions(&row.id).await?;
            let Some(v) = versions.iter().find(|v| v.version == n.version) else {
                continue;
            };
            let d: StoredDetails = p.open(
                "payee_bank",
                &format!("{}/{}", row.id, v.version),
                "details",
                &v.details,
            )?;
            let when = date(v.requested_at);
            let (bank, tail) = (d.bank.as_str(), last4(&d.account_number));
            out.push(PayeeNotice {
                payee_id: n.payee_id,
                version: n.version,
                to: contacts.email,
                subject: format!("Perubahan rekening bank {name} / Bank details change for {name}"),
                body: format!(
                    "Kami menerima permintaan mengganti rekening bank {name} menjadi {bank} \
                     berakhiran {tail} ({when}). Sebelum ada pembayaran, kami akan menelepon \
                     nomor yang terdaftar pada kami. Jika Anda tidak meminta perubahan ini, \
                     segera hubungi kami melalui nomor yang biasa Anda gunakan, bukan dengan \
                     membalas e-mail yang meminta perubahan.\n\n\
                     We received a request to change {name}'s bank details to {bank} ending \
                     {tail} ({when}). Before any payment we will call the number we have on \
                     file. If you did not ask for this change, contact us right away through \
                     the number you usually use, not by replying to the e-mail that asked for \
                     it.\n"
                ),
            });
        }
        Ok(out)
    }

    /// Records that `notice` was handled: `sent` through a channel, or not (no e-mail address
    /// on file, no mail channel configured); audited as `payee.notify` with that word.
    pub async fn payee_notice_done(
        &self,
        notice: &PayeeNotice,
        how: &str,
    ) -> Result<(), CoreError> {
        self.store()
            .payee_notice_delivered(&notice.payee_id, notice.version, crate::now_ms())
            .await?;
        self.audit(
            AuditRecord::new(&Caller::system("payee-notice"), AuditAction::PayeeNotify).fields([
                format!("payee:{}", notice.payee_id),
                format!("version:{}", notice.version),
                how.to_string(),
            ]),
        )
        .await?;
        Ok(())
    }
}
