//! The rules of BEC-safe payouts, as pure functions: who may verify a change of a payee's bank
//! details and how, which details a payout may use, how many approvals a payout needs and from
//! whom, and the bank bulk-transfer export that only ever carries verified details.
//!
//! The capability that applies them after the scope, staff-session and step-up checks, seals
//! the data and audits each step is `Vault::payees` (`vault/payees/`).
//!
//! - Bank details are versions, never overwritten: a change is a new version in
//!   [`BankStatus::PendingVerification`].
//! - A change is verified by a `finance` or `admin` member who did not request it, calling the
//!   number **already on file** ([`verify_change`] refuses any other number), recording what
//!   was confirmed and a reference code read out.
//! - A payout uses the last verified version ([`payable_details`]); with none it is refused.
//! - Approvals: one by default, two above [`PayoutPolicy::two_approvals_above`] (default
//!   Rp 10.000.000), one more with a warning when the details changed within
//!   [`PayoutPolicy::recent_change_days`] (default 14); nobody approves their own request or
//!   twice ([`approve`]).

use crate::roles::Role;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// The shop's payout settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayoutPolicy {
    /// Amounts (rupiah) above this need two approvals.
    pub two_approvals_above: i64,
    /// A payout to details changed within this many days needs one more approval.
    pub recent_change_days: i64,
}

impl Default for PayoutPolicy {
    fn default() -> Self {
        PayoutPolicy {
            two_approvals_above: 10_000_000,
            recent_change_days: 14,
        }
    }
}

/// The state of one version of a payee's bank details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankStatus {
    /// Requested, not yet verified by call-back: never paid to.
    PendingVerification,
    /// Verified by call-back.
    Verified,
    /// Refused at call-back.
    Rejected,
}

/// One version of a payee's bank details (stored encrypted; plaintext only in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankDetails {
    /// 1 for the first details, +1 per change.
    pub version: u32,
    /// Bank name or code, e.g. `BCA`.
    pub bank: String,
    /// Account number (digits).
    pub account_number: String,
    /// Account holder's name as the bank shows it.
    pub holder: String,
    /// State.
    pub status: BankStatus,
    /// Who asked for this version.
    pub requested_by: String,
    /// When it was asked for (ms since epoch).
    pub requested_at: i64,
    /// The call-back, once made.
    pub call: Option<CallBack>,
}

/// A recorded call-back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallBack {
    /// Who called.
    pub by: String,
    /// When (ms since epoch).
    pub at: i64,
    /// The number dialled (must be the number on file).
    pub number_called: String,
    /// What the person reached confirmed (e.g. last four digits and holder name).
    pub confirmed: String,
    /// The reference code read out.
    pub reference: String,
    /// Approved or rejected.
    pub approved: bool,
}

/// A member acting on payees or payouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Staff id.
    pub id: String,
    /// Role.
    pub role: Role,
}

/// Why a step is refused (each message names what to do instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayoutError {
    /// Only finance or admin members verify and approve.
    #[error("only a finance or admin member may do this")]
    Role,
    /// The requester cannot verify or approve their own request.
    #[error("you requested this yourself: another finance or admin member must do it")]
    SelfApproval,
    /// The call went to another number than the one on file.
    #[error("call the number already on file for this payee, not a number from the request")]
    WrongNumber,
    /// The payee has no number on file.
    #[error("the payee has no phone number on file: add one (verified another way) first")]
    NoNumberOnFile,
    /// What was confirmed or the reference code is missing.
    #[error("record what was confirmed on the call and the reference code read out")]
    IncompleteCall,
    /// The version is not waiting for verification.
    #[error("these bank details are not waiting for verification")]
    NotPending,
    /// No verified bank details.
    #[error("the payee has no verified bank details: verify them by call-back first")]
    NoVerifiedDetails,
    /// Amount zero or negative.
    #[error("the amount must be more than zero")]
    Amount,
    /// Already approved by this member.
    #[error("you have already approved this payout")]
    AlreadyApproved,
    /// The payout is not waiting for approval.
    #[error("this payout is not waiting for approval")]
    NotPendingApproval,
    /// An export line is not approved or its details are not verified.
    #[error("only approved payouts to verified bank details can be exported")]
    NotExportable,
    /// A line's bank has no known bank code (the Mandiri file names the receiving bank by it).
    #[error(
        "a payee's bank has no known bank code for the Mandiri file: write the bank as BCA, Mandiri, BNI, BRI, BSI, CIMB Niaga, … or as its three-digit code (see docs/bank-export.md)"
    )]
    UnknownBankCode,
    /// A line pays a bank other than BCA in a BCA file (BCA-to-BCA transfers only).
    #[error(
        "the BCA file pays BCA accounts only: some approved payouts go to other banks; export them in the Mandiri format instead"
    )]
    NotBca,
}

fn may_act(m: &Member) -> Result<(), PayoutError> {
    match m.role {
        Role::Finance | Role::Admin => Ok(()),
        _ => Err(PayoutError::Role),
    }
}

/// Digits of a phone number in national form (`+62 812-3456` and `0812 3456` are the same).
pub fn phone_key(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    match d.strip_prefix("62") {
        Some(rest) if s.trim_start().starts_with('+') || d.len() > 11 => format!("0{rest}"),
        _ => d,
    }
}

/// The checks every call-back passes (bank details and contact changes alike): `verifier` is
/// finance or admin, the change is pending, `verifier` did not request it and made the call,
/// the number dialled is `number_on_file` (national form), and what was confirmed and the
/// reference code are recorded.
pub fn check_call_back(
    pending: bool,
    requested_by: &str,
    number_on_file: &str,
    verifier: &Member,
    call: &CallBack,
) -> Result<(), PayoutError> {
    may_act(verifier)?;
    if !pending {
        return Err(PayoutError::NotPending);
    }
    if verifier.id == requested_by || call.by != verifier.id {
        return Err(PayoutError::SelfApproval);
    }
    let on_file = phone_key(number_on_file);
    if on_file.len() < 6 {
        return Err(PayoutError::NoNumberOnFile);
    }
    if phone_key(&call.number_called) != on_file {
        return Err(PayoutError::WrongNumber);
    }
    if call.confirmed.trim().is_empty() || call.reference.trim().is_empty() {
        return Err(PayoutError::IncompleteCall);
    }
    Ok(())
}

/// Records the call-back on a pending version: verified when `call.approved`, rejected
/// otherwise. Refused unless `verifier` is finance/admin, did not request the change, and
/// called `number_on_file` ([`check_call_back`]).
pub fn verify_change(
    details: &BankDetails,
    number_on_file: &str,
    verifier: &Member,
    call: CallBack,
) -> Result<BankDetails, PayoutError> {
    let pending = details.status == BankStatus::PendingVerification;
    check_call_back(
        pending,
        &details.requested_by,
        number_on_file,
        verifier,
        &call,
    )?;
    let mut out = details.clone();
    out.status = if call.approved {
        BankStatus::Verified
    } else {
        BankStatus::Rejected
    };
    out.call = Some(call);
    Ok(out)
}

/// The details a payout may use: the last verified version (a pending change is not used).
pub fn payable_details(versions: &[BankDetails]) -> Option<&BankDetails> {
    versions
        .iter()
        .filter(|v| v.status == BankStatus::Verified)
        .max_by_key(|v| v.version)
}

/// How many approvals a payout needs, and whether it carries the recent-change warning.
pub fn required_approvals(
    policy: &PayoutPolicy,
    amount: i64,
    details: &BankDetails,
    now: i64,
) -> (usize, bool) {
    let mut n = if amount > policy.two_approvals_above {
        2
    } else {
        1
    };
    let changed_at = details.call.as_ref().map_or(details.requested_at, |c| c.at);
    let recent = details.version > 1 && now - changed_at < policy.recent_change_days * DAY_MS;
    if recent {
        n += 1;
    }
    (n, recent)
}

/// A payout's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutStatus {
    /// Waiting for approvals.
    PendingApproval,
    /// Approved by enough members: may be exported.
    Approved,
    /// Refused by a finance or admin member: never paid.
    Rejected,
}

/// A payout request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// Amount in whole rupiah (not sen).
    pub amount: i64,
    /// Who created it.
    pub created_by: String,
    /// The version of the payee's details it pays to.
    pub details_version: u32,
    /// Approvals needed.
    pub required: usize,
    /// The recent-change warning.
    pub recent_change_warning: bool,
    /// Who approved, in order.
    pub approvals: Vec<String>,
    /// State.
    pub status: PayoutStatus,
}

/// Creates a payout to the last verified details; refused without any.
pub fn create_payout(
    policy: &PayoutPolicy,
    creator: &Member,
    amount: i64,
    versions: &[BankDetails],
    now: i64,
) -> Result<Payout, PayoutError> {
    may_act(creator)?;
    if amount <= 0 {
        return Err(PayoutError::Amount);
    }
    let details = payable_details(versions).ok_or(PayoutError::NoVerifiedDetails)?;
    let (required, recent) = required_approvals(policy, amount, details, now);
    Ok(Payout {
        amount,
        created_by: creator.id.clone(),
        details_version: details.version,
        required,
        recent_change_warning: recent,
        approvals: Vec::new(),
        status: PayoutStatus::PendingApproval,
    })
}

/// Adds `approver`'s approval: never the creator's, never twice.
pub fn approve(payout: &Payout, approver: &Member) -> Result<Payout, PayoutError> {
    may_act(approver)?;
    if payout.status != PayoutStatus::PendingApproval {
        return Err(PayoutError::NotPendingApproval);
    }
    if approver.id == payout.created_by {
        return Err(PayoutError::SelfApproval);
    }
    if payout.approvals.contains(&approver.id) {
        return Err(PayoutError::AlreadyApproved);
    }
    let mut out = payout.clone();
    out.approvals.push(approver.id.clone());
    if out.approvals.len() >= out.required {
        out.status = PayoutStatus::Approved;
    }
    Ok(out)
}

/// Refuses a payout waiting for approval (a finance or admin member, the creator included:
/// withdrawing one's own request is not a risk).
pub fn reject(payout: &Payout, member: &Member) -> Result<Payout, PayoutError> {
    may_act(member)?;
    if payout.status != PayoutStatus::PendingApproval {
        return Err(PayoutError::NotPendingApproval);
    }
    Ok(Payout {
        status: PayoutStatus::Rejected,
        ..payout.clone()
    })
}

mod bank_codes;
pub use bank_codes::{bank_code, is_bca};

/// A bank's bulk-transfer file layout (documented examples in `docs/bank-export.md`: the column
/// sets of the BCA and Mandiri business-banking bulk uploads; check the current template of
/// your bank). BCA's is BCA-to-BCA (no bank column): lines to other banks are refused.
/// Mandiri's names the receiving bank by its three-digit code: an unknown bank is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFormat {
    /// `No,Account Number,Account Name,Amount,Remark`.
    Bca,
    /// `Account No,Account Name,Bank Code,Amount,Currency,Remark`.
    Mandiri,
}

/// One line of an export: an approved payout with the details it pays to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportLine<'a> {
    /// The payout.
    pub payout: &'a Payout,
    /// The details of `payout.details_version`.
    pub details: &'a BankDetails,
    /// Free-text remark (invoice number).
    pub remark: String,
}

fn csv_field(s: &str) -> String {
    // Neutralise spreadsheet formulas and quote.
    let s = s.replace(['\r', '\n'], " ");
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The bulk-transfer CSV; refused if any line is not approved or its details not verified.
pub fn export_csv(format: BankFormat, lines: &[ExportLine<'_>]) -> Result<String, PayoutError> {
    for l in lines {
        if l.payout.status != PayoutStatus::Approved
            || l.details.status != BankStatus::Verified
            || l.details.version != l.payout.details_version
        {
            return Err(PayoutError::NotExportable);
        }
        match format {
            BankFormat::Bca if !is_bca(&l.details.bank) => return Err(PayoutError::NotBca),
            BankFormat::Mandiri if bank_code(&l.details.bank).is_none() => {
                return Err(PayoutError::UnknownBankCode);
            }
            _ => {}
        }
    }
    let mut out = String::from(match format {
        BankFormat::Bca => "No,Account Number,Account Name,Amount,Remark\r\n",
        BankFormat::Mandiri => "Account No,Account Name,Bank Code,Amount,Currency,Remark\r\n",
    });
    for (i, l) in lines.iter().enumerate() {
        let d = l.details;
        let row = match format {
            BankFormat::Bca => format!(
                "{},{},{},{},{}\r\n",
                i + 1,
                csv_field(&d.account_number),
                csv_field(&d.holder),
                l.payout.amount,
                csv_field(&l.remark)
            ),
            BankFormat::Mandiri => format!(
                "{},{},{},{},IDR,{}\r\n",
                csv_field(&d.account_number),
                csv_field(&d.holder),
                bank_code(&d.bank).unwrap_or_default(),
                l.payout.amount,
                csv_field(&l.remark)
            ),
        };
        out.push_str(&row);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn member(id: &str, role: Role) -> Member {
        Member {
            id: id.into(),
            role,
        }
    }

    fn version(v: u32, status: BankStatus, by: &str, at: i64) -> BankDetails {
        BankDetails {
            version: v,
            bank: "BCA".into(),
            account_number: format!("28301994{v:02}"),
            holder: "PT Glow Beauty".into(),
            status,
            requested_by: by.into(),
            requested_at: at,
            call: None,
        }
    }

    fn call(by: &str, number: &str) -> CallBack {
        CallBack {
            by: by.into(),
            at: NOW,
            number_called: number.into(),
            confirmed: "last four 9402, holder PT Glow Beauty".into(),
            reference: "K7Q2".into(),
            approved: true,
        }
    }

    #[test]
    fn call_back_by_another_member_to_the_number_on_file() {
        let pending = version(2, BankStatus::PendingVerification, "fina", NOW - 1000);
        let dewi = member("dewi", Role::Finance);
        let ok = verify_change(
            &pending,
            "+62 812-3456-7890",
            &dewi,
            call("dewi", "0812 3456 7890"),
        )
        .unwrap();
        assert_eq!(ok.status, BankStatus::Verified);
        // The requester, a number from the request, a CS member, an incomplete record.
        let fina = member("fina", Role::Finance);
        assert_eq!(
            verify_change(
                &pending,
                "081234567890",
                &fina,
                call("fina", "081234567890")
            ),
            Err(PayoutError::SelfApproval)
        );
        assert_eq!(
            verify_change(
                &pending,
                "081234567890",
                &dewi,
                call("dewi", "081399998888")
            ),
            Err(PayoutError::WrongNumber)
        );
        assert_eq!(
            verify_change(
                &pending,
                "081234567890",
                &member("cs", Role::CsManager),
                call("cs", "081234567890")
            ),
            Err(PayoutError::Role)
        );
        assert_eq!(
            verify_change(&pending, "", &dewi, call("dewi", "")),
            Err(PayoutError::NoNumberOnFile)
        );
        let mut c = call("dewi", "081234567890");
        c.reference = " ".into();
        assert_eq!(
            verify_change(&pending, "081234567890", &dewi, c),
            Err(PayoutError::IncompleteCall)
        );
        assert_eq!(
            verify_change(&ok, "081234567890", &dewi, call("dewi", "081234567890")),
            Err(PayoutError::NotPending)
        );
        let mut no = call("dewi", "081234567890");
        no.approved = false;
        assert_eq!(
            verify_change(&pending, "081234567890", &dewi, no)
                .unwrap()
                .status,
            BankStatus::Rejected
        );
    }

    #[test]
    fn payouts_use_the_last_verified_details_or_are_refused() {
        let v1 = version(1, BankStatus::Verified, "fina", NOW - 90 * DAY_MS);
        let v2 = version(2, BankStatus::PendingVerification, "fina", NOW - DAY_MS);
        let fina = member("fina", Role::Finance);
        let p = create_payout(
            &PayoutPolicy::default(),
            &fina,
            5_000_000,
            &[v1.clone(), v2.clone()],
            NOW,
        )
        .unwrap();
        assert_eq!(
            (p.details_version, p.required, p.recent_change_warning),
            (1, 1, false)
        );
        assert_eq!(
            create_payout(&PayoutPolicy::default(), &fina, 5_000_000, &[v2], NOW),
            Err(PayoutError::NoVerifiedDetails)
        );
        assert_eq!(
            create_payout(&PayoutPolicy::default(), &fina, 0, &[v1], NOW),
            Err(PayoutError::Amount)
        );
    }

    #[test]
    fn a_pending_payout_is_rejected_once_and_never_approved_after() {
        let old = version(1, BankStatus::Verified, "fina", NOW - 90 * DAY_MS);
        let fina = member("fina", Role::Finance);
        let p = create_payout(&PayoutPolicy::default(), &fina, 500, &[old], NOW).unwrap();
        let cs = member("cs", Role::CsManager);
        assert_eq!(reject(&p, &cs), Err(PayoutError::Role));
        let r = reject(&p, &fina).unwrap();
        assert_eq!(r.status, PayoutStatus::Rejected);
        let dewi = member("dewi", Role::Finance);
        assert_eq!(approve(&r, &dewi), Err(PayoutError::NotPendingApproval));
        assert_eq!(reject(&r, &dewi), Err(PayoutError::NotPendingApproval));
    }

    #[test]
    fn four_eyes_thresholds_and_recent_changes() {
        let policy = PayoutPolicy::default();
        let fina = member("fina", Role::Finance);
        let dewi = member("dewi", Role::Finance);
        let ayu = member("ayu", Role::Admin);
        let old = version(1, BankStatus::Verified, "fina", NOW - 90 * DAY_MS);
        // At the threshold: one approval; above: two.
        let p = create_payout(&policy, &fina, 10_000_000, std::slice::from_ref(&old), NOW).unwrap();
        assert_eq!(p.required, 1);
        let p = create_payout(&policy, &fina, 10_000_001, std::slice::from_ref(&old), NOW).unwrap();
        assert_eq!(p.required, 2);
        assert_eq!(approve(&p, &fina), Err(PayoutError::SelfApproval));
        let p = approve(&p, &dewi).unwrap();
        assert_eq!(p.status, PayoutStatus::PendingApproval);
        assert_eq!(approve(&p, &dewi), Err(PayoutError::AlreadyApproved));
        let p = approve(&p, &ayu).unwrap();
        assert_eq!(p.status, PayoutStatus::Approved);
        assert_eq!(
            approve(&p, &member("x", Role::Admin)),
            Err(PayoutError::NotPendingApproval)
        );
        // Details changed five days ago: one more approval and the warning.
        let mut changed = version(2, BankStatus::Verified, "fina", NOW - 6 * DAY_MS);
        changed.call = Some(CallBack {
            at: NOW - 5 * DAY_MS,
            ..call("dewi", "081234567890")
        });
        let p = create_payout(
            &policy,
            &fina,
            2_000_000,
            &[old.clone(), changed.clone()],
            NOW,
        )
        .unwrap();
        assert_eq!((p.required, p.recent_change_warning), (2, true));
        changed.call.as_mut().unwrap().at = NOW - 15 * DAY_MS;
        let p = create_payout(&policy, &fina, 2_000_000, &[old, changed], NOW).unwrap();
        assert_eq!((p.required, p.recent_change_warning), (1, false));
    }

    #[test]
    fn export_only_approved_payouts_to_verified_details() {
        let fina = member("fina", Role::Finance);
        let dewi = member("dewi", Role::Finance);
        let v1 = version(1, BankStatus::Verified, "fina", NOW - 90 * DAY_MS);
        let p = create_payout(
            &PayoutPolicy::default(),
            &fina,
            1_500_000,
            std::slice::from_ref(&v1),
            NOW,
        )
        .unwrap();
        let line = |p: &'_ Payout, d: &'_ BankDetails| -> String {
            export_csv(
                BankFormat::Bca,
                &[ExportLine {
                    payout: p,
                    details: d,
                    remark: "=INV 7".into(),
                }],
            )
            .unwrap_or_else(|e| e.to_string())
        };
        assert_eq!(line(&p, &v1), PayoutError::NotExportable.to_string());
        let approved = approve(&p, &dewi).unwrap();
        let csv = line(&approved, &v1);
        assert_eq!(
            csv,
            "No,Account Number,Account Name,Amount,Remark\r\n1,\"2830199401\",\"PT Glow Beauty\",1500000,\"'=INV 7\"\r\n"
        );
        let mandiri = export_csv(
            BankFormat::Mandiri,
            &[ExportLine {
                payout: &approved,
                details: &v1,
                remark: "INV 7".into(),
            }],
        )
        .unwrap();
        assert!(
            mandiri.ends_with("\"2830199401\",\"PT Glow Beauty\",014,1500000,IDR,\"INV 7\"\r\n"),
            "{mandiri}"
        );
        // Unverified details (or another version than the payout's) are never exported.
        let pending = version(1, BankStatus::PendingVerification, "fina", NOW);
        assert_eq!(
            line(&approved, &pending),
            PayoutError::NotExportable.to_string()
        );
        let other = version(2, BankStatus::Verified, "fina", NOW);
        assert_eq!(
            line(&approved, &other),
            PayoutError::NotExportable.to_string()
        );
    }

    #[test]
    fn bca_files_pay_bca_only_and_mandiri_files_need_a_known_bank_code() {
        let fina = member("fina", Role::Finance);
        let dewi = member("dewi", Role::Finance);
        let mut v1 = version(1, BankStatus::Verified, "fina", NOW - 90 * DAY_MS);
        let p = create_payout(
            &PayoutPolicy::default(),
            &fina,
            900_000,
            std::slice::from_ref(&v1),
            NOW,
        )
        .unwrap();
        let approved = approve(&p, &dewi).unwrap();
        let export = |format, d: &BankDetails| {
            export_csv(
                format,
                &[ExportLine {
                    payout: &approved,
                    details: d,
                    remark: "INV 8".into(),
                }],
            )
        };
        v1.bank = "Bank Negara Indonesia".into();
        assert_eq!(export(BankFormat::Bca, &v1), Err(PayoutError::NotBca));
        let mandiri = export(BankFormat::Mandiri, &v1).unwrap();
        assert!(mandiri.contains(",009,900000,IDR,"), "{mandiri}");
        v1.bank = "Bank Antah Berantah".into();
        assert_eq!(
            export(BankFormat::Mandiri, &v1),
            Err(PayoutError::UnknownBankCode)
        );
        assert!(
            PayoutError::UnknownBankCode
                .to_string()
                .contains("bank code")
        );
        v1.bank = "PT Bank Central Asia Tbk".into();
        assert!(export(BankFormat::Bca, &v1).is_ok());
    }

    #[test]
    fn phone_numbers_compare_in_national_form() {
        assert_eq!(phone_key("+62 812-3456-7890"), "081234567890");
        assert_eq!(phone_key("0812 3456 7890"), "081234567890");
        assert_eq!(phone_key("6281234567890"), "081234567890");
    }
}
