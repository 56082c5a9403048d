//! The analyzer's answer: indicator codes with points and an explanation in either language, a
//! score (0–100) and a verdict.

use jaga_i18n::{Lang, M, fill};
use serde::Serialize;

/// Score from which a mail is rated medium.
pub const MEDIUM_FROM: u8 = 25;
/// Score from which a mail is rated high.
pub const HIGH_FROM: u8 = 50;
/// The least score of a mail that asks to pay into new or changed bank details.
pub const BANK_CHANGE_FLOOR: u8 = 35;

/// How risky a mail is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing or little found.
    Low,
    /// Check before acting.
    Medium,
    /// Do not act on it.
    High,
}

impl Verdict {
    /// From a score.
    pub fn from_score(score: u8) -> Verdict {
        if score >= HIGH_FROM {
            Verdict::High
        } else if score >= MEDIUM_FROM {
            Verdict::Medium
        } else {
            Verdict::Low
        }
    }

    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Low => "low",
            Verdict::Medium => "medium",
            Verdict::High => "high",
        }
    }

    fn message(self) -> M {
        match self {
            Verdict::Low => M::MailVerdictLow,
            Verdict::Medium => M::MailVerdictMedium,
            Verdict::High => M::MailVerdictHigh,
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $code:literal,)*) => {
        /// An indicator's stable code (as written in the JSON output).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $(
            #[doc = $code]
            $variant,
        )* }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in the output, e.g. `BANK_DETAILS_CHANGE`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }
        }
    };
}

codes! {
    LookalikeDomain => "LOOKALIKE_DOMAIN",
    IdnDomain => "IDN_DOMAIN",
    DisplayNameImpersonation => "DISPLAY_NAME_IMPERSONATION",
    ExecutiveFreemail => "EXECUTIVE_FREEMAIL",
    ReplyToMismatch => "REPLY_TO_MISMATCH",
    ReturnPathMismatch => "RETURN_PATH_MISMATCH",
    SpfFail => "SPF_FAIL",
    DkimFail => "DKIM_FAIL",
    DmarcFail => "DMARC_FAIL",
    AuthPass => "AUTH_PASS",
    AuthUntrusted => "AUTH_RESULTS_UNTRUSTED",
    DkimVerified => "DKIM_VERIFIED",
    LinkTextMismatch => "LINK_TEXT_MISMATCH",
    LookalikeLink => "LOOKALIKE_LINK",
    SuspiciousLink => "SUSPICIOUS_LINK",
    CredentialLink => "CREDENTIAL_LINK",
    AttachmentExecutable => "ATTACHMENT_EXECUTABLE",
    AttachmentDisguised => "ATTACHMENT_DISGUISED",
    AttachmentMacro => "ATTACHMENT_MACRO",
    AttachmentHtml => "ATTACHMENT_HTML",
    AttachmentPdfScript => "ATTACHMENT_PDF_SCRIPT",
    ArchiveExecutable => "ARCHIVE_EXECUTABLE",
    ArchiveEncrypted => "ARCHIVE_ENCRYPTED",
    ArchiveBomb => "ARCHIVE_BOMB",
    ArchiveOpaque => "ARCHIVE_UNINSPECTED",
    BankDetailsChange => "BANK_DETAILS_CHANGE",
    Urgency => "URGENCY",
    Secrecy => "SECRECY",
    ThreadHijack => "THREAD_HIJACK",
    StructureAnomaly => "STRUCTURE_ANOMALY",
}

/// A parameter of an explanation: plain text, or a message in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as is (a domain, a file name, the words found).
    Text(String),
    /// A message with its own parameters.
    Msg(M, Vec<(&'static str, String)>),
    /// Messages joined with commas.
    List(Vec<M>),
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// The code.
    pub code: Code,
    /// Points added to the score (negative for a reassuring finding).
    pub points: i32,
    msg: M,
    args: Vec<(&'static str, Arg)>,
}

impl Indicator {
    /// A finding explained by `msg` filled with `args`.
    pub fn new(code: Code, points: i32, msg: M, args: Vec<(&'static str, Arg)>) -> Indicator {
        Indicator {
            code,
            points,
            msg,
            args,
        }
    }

    /// The explanation in `lang`.
    pub fn detail(&self, lang: Lang) -> String {
        let rendered: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, a)| {
                let v = match a {
                    Arg::Text(t) => t.clone(),
                    Arg::Msg(m, args) => {
                        let args: Vec<(&str, &str)> =
                            args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        fill(m.text(lang), &args)
                    }
                    Arg::List(ms) => ms
                        .iter()
                        .map(|m| m.text(lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                (*k, v)
            })
            .collect();
        let args: Vec<(&str, &str)> = rendered.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(self.msg.text(lang), &args)
    }
}

/// The analysis of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Risk band.
    pub verdict: Verdict,
    /// 0–100.
    pub score: u8,
    /// Findings, strongest first.
    pub indicators: Vec<Indicator>,
}

/// A finding as written in JSON.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IndicatorView {
    /// The code, e.g. `LOOKALIKE_DOMAIN`.
    pub code: &'static str,
    /// The explanation in the chosen language.
    pub detail: String,
}

/// A report as written in JSON (`verdict`, `score`, `indicators`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReportView {
    /// `low`, `medium` or `high`.
    pub verdict: Verdict,
    /// 0–100.
    pub score: u8,
    /// Findings, strongest first.
    pub indicators: Vec<IndicatorView>,
}

impl Report {
    /// Scores the findings: keeps the strongest of each code, sums, caps to 0–100, and never
    /// lets a bank-detail change fall below [`BANK_CHANGE_FLOOR`].
    pub fn from_indicators(mut found: Vec<Indicator>) -> Report {
        found.sort_by(|a, b| a.code.cmp(&b.code).then(b.points.cmp(&a.points)));
        found.dedup_by(|later, first| later.code == first.code);
        found.sort_by(|a, b| b.points.cmp(&a.points).then(a.code.cmp(&b.code)));
        let sum: i32 = found.iter().map(|i| i.points).sum();
        let mut score = sum.clamp(0, 100) as u8;
        if found.iter().any(|i| i.code == Code::BankDetailsChange) {
            score = score.max(BANK_CHANGE_FLOOR);
        }
        Report {
            verdict: Verdict::from_score(score),
            score,
            indicators: found,
        }
    }

    /// Whether the mail asks to pay into new or changed bank details.
    pub fn bank_details_change(&self) -> bool {
        self.has(Code::BankDetailsChange)
    }

    /// Whether a finding with `code` is present.
    pub fn has(&self, code: Code) -> bool {
        self.indicators.iter().any(|i| i.code == code)
    }

    /// The JSON shape, explanations in `lang`.
    pub fn view(&self, lang: Lang) -> ReportView {
        ReportView {
            verdict: self.verdict,
            score: self.score,
            indicators: self
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    code: i.code.as_str(),
                    detail: i.detail(lang),
                })
                .collect(),
        }
    }

    /// The explanation a person reads (the CLI without `--jsonl`, and the console).
    pub fn explain(&self, lang: Lang) -> String {
        let mut out = format!(
            "{} ({})\n",
            self.verdict.message().text(lang),
            fill(
                M::MailScore.text(lang),
                &[("score", &self.score.to_string())]
            )
        );
        if self.indicators.is_empty() {
            out.push_str("  ");
            out.push_str(M::MailNoIndicators.text(lang));
            out.push('\n');
        }
        for i in &self.indicators {
            out.push_str(&format!("  - [{}] {}\n", i.code.as_str(), i.detail(lang)));
        }
        if let Some(advice) = self.advice(lang) {
            out.push_str("  ");
            out.push_str(advice);
            out.push('\n');
        }
        out
    }

    /// What to do about a bank-detail change (call the number on file, start a payee
    /// verification), in the words the CLI's [`Report::explain`] and the console both show;
    /// `None` when the mail asks for none.
    pub fn advice(&self, lang: Lang) -> Option<&'static str> {
        self.bank_details_change()
            .then(|| M::MailVerifyPayee.text(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(code: Code, points: i32) -> Indicator {
        Indicator::new(code, points, M::MailThreadHijack, vec![])
    }

    #[test]
    fn scoring_keeps_the_strongest_per_code_caps_and_floors() {
        let r = Report::from_indicators(vec![ind(Code::Urgency, 10), ind(Code::Urgency, 20)]);
        assert_eq!(
            (r.score, r.verdict, r.indicators.len()),
            (20, Verdict::Low, 1)
        );
        let r = Report::from_indicators(vec![
            ind(Code::BankDetailsChange, 35),
            ind(Code::AuthPass, -10),
        ]);
        assert_eq!((r.score, r.verdict), (35, Verdict::Medium));
        let r = Report::from_indicators(
            (0..5)
                .map(|_| ind(Code::LookalikeDomain, 40))
                .chain([
                    ind(Code::DmarcFail, 35),
                    ind(Code::AttachmentExecutable, 30),
                ])
                .collect(),
        );
        assert_eq!((r.score, r.verdict), (100, Verdict::High));
        let r = Report::from_indicators(vec![]);
        assert_eq!((r.score, r.verdict), (0, Verdict::Low));
    }

    #[test]
    fn codes_are_unique_and_screaming_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()));
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch == '_')
            );
        }
    }
}
