//! What the payees capability takes and returns, and the shapes sealed in the store.

use super::status_name;
use crate::payouts::{BankDetails, BankStatus};
use crate::store::PayeeRow;
use serde::{Deserialize, Serialize};

/// Contacts as sealed in `payees.contacts`: the verified ones in use, and every requested
/// change (versions, never overwritten).
#[derive(Serialize, Deserialize, Clone)]
pub(super) struct Contacts {
    /// The number on file: the only number a call-back may go to (E.164).
    pub phone: String,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    /// The version in use (1 for the first; 0 in records from before contact versions).
    #[serde(default)]
    pub version: u32,
    /// Every requested change, oldest first.
    #[serde(default)]
    pub changes: Vec<ContactChange>,
}

/// A requested change of a payee's contacts, as sealed inside [`Contacts`].
#[derive(Serialize, Deserialize, Clone)]
pub(super) struct ContactChange {
    pub version: u32,
    pub phone: String,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub status: String,
    pub requested_by: String,
    pub requested_at: i64,
    /// The e-mail address on file when the change was asked for (the notice goes there).
    pub previous_email: Option<String>,
    pub call: Option<ContactCall>,
}

/// The call-back on a contact change, as sealed.
#[derive(Serialize, Deserialize, Clone)]
pub(super) struct ContactCall {
    pub by: String,
    pub at: i64,
    pub number_called: String,
    pub confirmed: String,
    pub reference: String,
    pub approved: bool,
}

/// Bank details as sealed in `payee_bank.details`.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredDetails {
    pub bank: String,
    pub account_number: String,
    pub holder: String,
}

/// A call record as sealed in `payee_bank.call_record`.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredCall {
    pub number_called: String,
    pub confirmed: String,
    pub reference: String,
    pub approved: bool,
}

/// Bank details as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BankInput {
    /// Bank name or code, e.g. `BCA`.
    pub bank: String,
    /// Account number (digits; spaces and dashes are ignored).
    pub account_number: String,
    /// Account holder's name as the bank shows it.
    pub holder: String,
}

/// New contacts for a payee (a change waits for a call-back to the number already on file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The new phone number (used for call-backs once verified).
    pub phone: String,
    /// The new e-mail address (none: no address).
    pub email: Option<String>,
    /// The new contact person.
    pub contact_name: Option<String>,
}

/// One requested change of a payee's contacts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactChangeView {
    /// 2 for the first change, +1 per change.
    pub version: u32,
    /// The requested phone number.
    pub phone: String,
    /// The requested e-mail address.
    pub email: Option<String>,
    /// The requested contact person.
    pub contact_name: Option<String>,
    /// `pending_verification`, `verified` or `rejected`.
    pub status: String,
    /// Who asked for it.
    pub requested_by: String,
    /// When, ms since epoch.
    pub requested_at: i64,
    /// The call-back to the number that was on file, once made.
    pub call: Option<CallView>,
}

/// A new payee.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPayee {
    /// `supplier` (default), `reseller` or `refund`.
    pub kind: Option<String>,
    /// Company or person name.
    pub name: String,
    /// The phone number on file, used for every call-back (get it from a source you trust,
    /// not from an e-mail asking for a change).
    pub phone: String,
    /// E-mail address (its domain becomes a known domain of the mail analyzer).
    pub email: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// The first bank details (pending verification until a call-back).
    pub bank: BankInput,
}

/// The record of a call-back.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    /// The number dialled: must be the number on file, never one from the change request.
    pub number_called: String,
    /// What the person reached confirmed (e.g. last digits and holder name).
    pub confirmed: String,
    /// The reference code read out on the call.
    pub reference: String,
    /// `true` verifies the details, `false` rejects them.
    pub approved: bool,
}

/// A recorded call-back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallView {
    /// Who called (staff id).
    pub by: String,
    /// When, ms since epoch.
    pub at: i64,
    /// The number dialled (the number on file).
    pub number_called: String,
    /// What was confirmed.
    pub confirmed: String,
    /// The reference code read out.
    pub reference: String,
    /// Verified (`true`) or rejected.
    pub approved: bool,
}

/// One version of a payee's bank details.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BankVersionView {
    /// 1 for the first details, +1 per change.
    pub version: u32,
    /// Bank.
    pub bank: String,
    /// Account number.
    pub account_number: String,
    /// Account holder.
    pub holder: String,
    /// `pending_verification`, `verified` or `rejected`.
    pub status: String,
    /// Who asked for it.
    pub requested_by: String,
    /// When, ms since epoch.
    pub requested_at: i64,
    /// The call-back, once made.
    pub call: Option<CallView>,
}

impl BankVersionView {
    pub(super) fn of(v: &BankDetails) -> Self {
        Self {
            version: v.version,
            bank: v.bank.clone(),
            account_number: v.account_number.clone(),
            holder: v.holder.clone(),
            status: status_name(v.status).into(),
            requested_by: v.requested_by.clone(),
            requested_at: v.requested_at,
            call: v.call.as_ref().map(|c| CallView {
                by: c.by.clone(),
                at: c.at,
                number_called: c.number_called.clone(),
                confirmed: c.confirmed.clone(),
                reference: c.reference.clone(),
                approved: c.approved,
            }),
        }
    }
}

/// A payee with its bank-detail versions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayeeView {
    /// Id.
    pub id: String,
    /// `supplier`, `reseller` or `refund`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// The number on file (the call-back number).
    pub phone: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Who created it.
    pub created_by: String,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// The version payouts use now (the last verified one); none: payouts are held.
    pub payable_version: Option<u32>,
    /// A version waiting for its call-back.
    pub pending_version: Option<u32>,
    /// Every version, oldest first.
    pub versions: Vec<BankVersionView>,
    /// The version of the contacts in use (1 until a change is verified).
    pub contact_version: u32,
    /// A contact change waiting for its call-back (to the number on file, the old one).
    pub pending_contact_version: Option<u32>,
    /// Every requested contact change, oldest first.
    pub contact_changes: Vec<ContactChangeView>,
}

pub(super) fn payee_view(
    row: PayeeRow,
    name: String,
    contacts: Contacts,
    versions: &[BankDetails],
) -> PayeeView {
    let contact_changes: Vec<ContactChangeView> = contacts
        .changes
        .iter()
        .map(|c| ContactChangeView {
            version: c.version,
            phone: c.phone.clone(),
            email: c.email.clone(),
            contact_name: c.contact_name.clone(),
            status: c.status.clone(),
            requested_by: c.requested_by.clone(),
            requested_at: c.requested_at,
            call: c.call.as_ref().map(|k| CallView {
                by: k.by.clone(),
                at: k.at,
                number_called: k.number_called.clone(),
                confirmed: k.confirmed.clone(),
                reference: k.reference.clone(),
                approved: k.approved,
            }),
        })
        .collect();
    PayeeView {
        contact_version: contacts.version.max(1),
        pending_contact_version: contacts
            .changes
            .iter()
            .find(|c| c.status == "pending_verification")
            .map(|c| c.version),
        contact_changes,
        id: row.id,
        kind: row.kind,
        name,
        phone: contacts.phone,
        email: contacts.email,
        contact_name: contacts.contact_name,
        created_by: row.created_by,
        created_at: row.created_at,
        payable_version: crate::payouts::payable_details(versions).map(|v| v.version),
        pending_version: versions
            .iter()
            .find(|v| v.status == BankStatus::PendingVerification)
            .map(|v| v.version),
        versions: versions.iter().map(BankVersionView::of).collect(),
    }
}

/// One decision on a payout: an approval, or the rejection that ends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalView {
    /// Who decided (staff id).
    pub by: String,
    /// When, ms since epoch.
    pub at: i64,
    /// `approve` or `reject`.
    #[serde(default = "approve_word")]
    pub decision: String,
}

fn approve_word() -> String {
    "approve".into()
}

/// A payout with its whole chain: the details it pays to (with their request and call-back),
/// who created it and each approval.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayoutView {
    /// Id.
    pub id: String,
    /// The payee.
    pub payee_id: String,
    /// The payee's name.
    pub payee_name: String,
    /// Amount in whole rupiah (not sen): Rp 12.500.000 is `12500000`.
    pub amount: i64,
    /// Remark (invoice number).
    pub remark: Option<String>,
    /// `pending_approval`, `approved`, `rejected` or `exported`.
    pub status: String,
    /// Approvals needed.
    pub required_approvals: u32,
    /// The bank details changed recently: one more approval is needed; check the call-back.
    pub recent_change_warning: bool,
    /// Who created it.
    pub created_by: String,
    /// Created, ms since epoch.
    pub created_at: i64,
    /// Approvals so far, in order (and the rejection, if any).
    pub approvals: Vec<ApprovalView>,
    /// The bank details it pays to.
    pub details: BankVersionView,
    /// The payee's details changed since (a newer version is verified or pending): this payout
    /// is held from export; create it again if the new details are right.
    pub details_superseded: bool,
}
