//! Which payee an e-mail comes from: the mail analyzer's known domains, and the payee a
//! bank-change finding links to (its change and call-back form).

use super::Payees;
use super::views::Contacts;
use crate::CoreError;
use jaga_mail::domain::Host;
use serde::Serialize;

/// The payee the sender of a mail matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderPayee {
    /// The payee's id.
    pub id: String,
    /// The payee's name.
    pub name: String,
    /// `email` (the sender is the contact address on file) or `domain` (the same registrable
    /// domain as that address; never for free-mail, where a domain says nothing).
    pub matched_by: &'static str,
}

/// The registrable domain of an address's domain part, unless it is free-mail.
fn business_domain(address: &str) -> Option<String> {
    let host = Host::parse(address.rsplit_once('@')?.1)?;
    (!host.is_freemail()).then_some(host.registrable)
}

impl Payees<'_> {
    /// The domains of the payees' e-mail addresses (the mail analyzer's known domains by
    /// default), free-mail left out: a payee writing from gmail.com does not make gmail.com a
    /// partner's domain. Not audited separately: the analysis is.
    pub(crate) async fn domains(&self) -> Result<Vec<String>, CoreError> {
        let mut out: Vec<String> = Vec::new();
        for r in self.vault.store().payee_list().await? {
            let c: Contacts = self.open("payees", &r.id, "contacts", &r.contacts)?;
            if let Some(d) = c.email.as_deref().and_then(business_domain)
                && !out.contains(&d)
            {
                out.push(d);
            }
        }
        Ok(out)
    }

    /// The payee whose contact address is `address`, or else (not for free-mail) the first
    /// whose address has the same registrable domain.
    pub(crate) async fn sender_payee(
        &self,
        address: &str,
    ) -> Result<Option<SenderPayee>, CoreError> {
        let address = address.trim().to_lowercase();
        let domain = business_domain(&address);
        let mut by_domain = None;
        for r in self.vault.store().payee_list().await? {
            let c: Contacts = self.open("payees", &r.id, "contacts", &r.contacts)?;
            let Some(email) = c.email.as_deref().map(|e| e.trim().to_lowercase()) else {
                continue;
            };
            if email == address {
                let name: String = self.open("payees", &r.id, "name", &r.name)?;
                return Ok(Some(SenderPayee {
                    id: r.id,
                    name,
                    matched_by: "email",
                }));
            }
            if by_domain.is_none() && domain.is_some() && business_domain(&email) == domain {
                by_domain = Some(r);
            }
        }
        let Some(r) = by_domain else {
            return Ok(None);
        };
        let name: String = self.open("payees", &r.id, "name", &r.name)?;
        Ok(Some(SenderPayee {
            id: r.id,
            name,
            matched_by: "domain",
        }))
    }
}
