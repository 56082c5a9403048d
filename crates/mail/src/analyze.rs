//! The analyzer: parses a message once and runs every check on it.

use crate::attach::{self, Finding};
use crate::auth::{self, Outcome};
use crate::dkim::{self, DkimKey};
use crate::domain::{self, Host, Likeness};
use crate::lexicon;
use crate::links::{self, Link};
use crate::report::{Arg, Code, Indicator, Report};
use crate::{Context, MailError};
use jaga_i18n::M;
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};

/// Largest message analysed (bytes).
pub const MAX_MESSAGE: usize = 25 * 1024 * 1024;
/// Most MIME parts looked at.
pub const MAX_PARTS: usize = 2000;
/// Forwarded messages (`message/rfc822` attachments) analysed this deep.
const MAX_NESTING: u8 = 2;

/// Commonly impersonated Indonesian and international brands: (name in a display name, domains).
/// Names of four letters or fewer must appear as a whole word.
const BRANDS: &[(&str, &[&str])] = &[
    ("bca", &["bca.co.id", "klikbca.com"]),
    ("bri", &["bri.co.id"]),
    ("bni", &["bni.co.id"]),
    ("bsi", &["bankbsi.co.id"]),
    ("bank mandiri", &["bankmandiri.co.id"]),
    ("cimb niaga", &["cimbniaga.co.id"]),
    ("shopee", &["shopee.co.id", "shopee.com", "shopeemail.com"]),
    ("tokopedia", &["tokopedia.com"]),
    ("lazada", &["lazada.co.id", "lazada.com"]),
    ("bukalapak", &["bukalapak.com"]),
    ("blibli", &["blibli.com"]),
    ("jne", &["jne.co.id"]),
    ("sicepat", &["sicepat.com"]),
    ("anteraja", &["anteraja.id"]),
    ("pos indonesia", &["posindonesia.co.id"]),
    ("gojek", &["gojek.com"]),
    ("paypal", &["paypal.com"]),
    ("dhl", &["dhl.com"]),
    ("fedex", &["fedex.com"]),
    ("microsoft", &["microsoft.com", "office.com", "outlook.com"]),
];

/// Services that send on someone's behalf with "Name via Service" display names.
const RELAYS: &[&str] = &[
    "google.com",
    "googlegroups.com",
    "facebookmail.com",
    "zendesk.com",
    "freshdesk.com",
    "linkedin.com",
    "docusign.net",
    "slack.com",
    "shopee.co.id",
    "tokopedia.com",
    "calendly.com",
];

const EXECUTIVE_TITLES: &[&str] = &[
    "ceo",
    "cfo",
    "direktur",
    "director",
    "owner",
    "pemilik",
    "founder",
    "presdir",
    "komisaris",
    "boss",
    "bos",
    "managing",
    "president",
];

const LEGAL_FORMS: &[&str] = &[
    "pt", "cv", "tbk", "ud", "ltd", "inc", "llc", "corp", "persero", "co",
];

/// A company or person the shop knows, with the domains it writes from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Party {
    /// Squashed, folded name.
    key: String,
    /// The name as shown.
    shown: String,
    domains: Vec<String>,
    whole_word: bool,
}

/// A reusable analyzer: the context is normalised once.
#[derive(Debug, Clone)]
pub struct Analyzer {
    known: Vec<Host>,
    own: Vec<Host>,
    brands: Vec<Host>,
    parties: Vec<Party>,
    trusted: Vec<String>,
    keys: Vec<DkimKey>,
    parser: MessageParser,
}

fn squash(s: &str) -> String {
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !LEGAL_FORMS.contains(&w.as_str()))
        .collect();
    domain::fold(&words.concat())
}

fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Analyzer {
    /// Normalises the context (invalid domains are skipped).
    pub fn new(ctx: &Context) -> Analyzer {
        let parse_all = |list: &[String]| -> Vec<Host> {
            let mut v: Vec<Host> = list.iter().filter_map(|d| Host::parse(d)).collect();
            v.sort_by(|a, b| a.registrable.cmp(&b.registrable));
            v.dedup_by(|a, b| a.registrable == b.registrable);
            v
        };
        // A free-mail domain is never "known" (a payee writing from gmail.com does not make every
        // gmail.com sender a partner: no AUTH_PASS credit, no exemption from lookalike checks).
        let not_free =
            |v: Vec<Host>| -> Vec<Host> { v.into_iter().filter(|h| !h.is_freemail()).collect() };
        let known = not_free(parse_all(&ctx.known_domains));
        let own = not_free(parse_all(&ctx.own_domains));
        let brands: Vec<Host> = BRANDS
            .iter()
            .flat_map(|(_, ds)| ds.iter())
            .filter_map(|d| Host::parse(d))
            .collect();
        let mut parties = Vec::new();
        for h in known.iter().chain(&own).filter(|h| !h.is_freemail()) {
            let key = domain::fold(&h.label);
            if key.chars().count() >= 4 {
                parties.push(Party {
                    key,
                    shown: h.unicode.clone(),
                    domains: vec![h.registrable.clone()],
                    whole_word: false,
                });
            }
        }
        for (name, domains) in &ctx.known_names {
            let key = squash(name);
            if key.chars().count() >= 4 {
                parties.push(Party {
                    key,
                    shown: name.clone(),
                    domains: domains
                        .iter()
                        .filter_map(|d| Host::parse(d))
                        .map(|h| h.registrable)
                        .collect(),
                    whole_word: false,
                });
            }
        }
        for (name, ds) in BRANDS {
            parties.push(Party {
                key: name.replace(' ', ""),
                shown: name.to_string(),
                domains: ds.iter().map(|d| d.to_string()).collect(),
                whole_word: name.len() <= 4,
            });
        }
        Analyzer {
            known,
            own,
            brands,
            parties,
            trusted: ctx
                .trusted_authserv
                .iter()
                .map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            keys: ctx.dkim_keys.clone(),
            parser: MessageParser::default(),
        }
    }

    /// Analyses one raw message (RFC 5322 bytes).
    pub fn analyze(&self, raw: &[u8]) -> Result<Report, MailError> {
        if raw.is_empty() {
            return Err(MailError::Empty);
        }
        if raw.len() > MAX_MESSAGE {
            return Err(MailError::TooLarge { max: MAX_MESSAGE });
        }
        if !starts_with_a_header(raw) {
            // The parser reads any bytes as some message (a binary file, an Outlook `.msg`
            // saved by mistake): without this check such a file got a verdict, "low risk".
            return Err(MailError::NotAMessage);
        }
        let msg = self.parser.parse(raw).ok_or(MailError::NotAMessage)?;
        if msg.headers().is_empty() {
            return Err(MailError::NotAMessage);
        }
        let mut found = Vec::new();
        self.check(&msg, raw, 0, &mut found);
        Ok(Report::from_indicators(found))
    }

    fn is_known(&self, h: &Host) -> bool {
        self.known
            .iter()
            .chain(&self.own)
            .any(|k| k.registrable == h.registrable)
    }

    fn is_brand(&self, h: &Host) -> bool {
        self.brands.iter().any(|k| k.registrable == h.registrable)
    }

    /// A lookalike of a known, own or brand domain.
    fn imitates(&self, h: &Host) -> Option<(Host, Likeness)> {
        if self.is_known(h) || self.is_brand(h) || h.is_freemail() {
            return None;
        }
        let all: Vec<Host> = self
            .known
            .iter()
            .chain(&self.own)
            .chain(&self.brands)
            .cloned()
            .collect();
        domain::lookalike(h, &all).map(|(k, l)| (k.clone(), l))
    }

    fn likeness_arg(known: &Host, seen: &Host, how: Likeness) -> Arg {
        match how {
            Likeness::Homoglyph => match domain::first_difference(&known.label, &seen.label) {
                Some((a, b)) => Arg::Msg(
                    M::MailHowReplaced,
                    vec![("a", a.to_string()), ("b", b.to_string())],
                ),
                None => Arg::Msg(M::MailHowHomoglyph, vec![]),
            },
            Likeness::Typo => Arg::Msg(M::MailHowTypo, vec![]),
            Likeness::TldSwap => Arg::Msg(M::MailHowTld, vec![]),
            Likeness::Extended => Arg::Msg(M::MailHowExtended, vec![]),
        }
    }

    fn check(&self, msg: &Message<'_>, raw: &[u8], depth: u8, out: &mut Vec<Indicator>) {
        let from_addr = msg.from().and_then(|a| a.first());
        let from_email = from_addr.and_then(|a| a.address()).unwrap_or("");
        let from_name = from_addr.and_then(|a| a.name()).unwrap_or("").trim();
        let from = domain::address_host(from_email);
        let list_mail = msg.header("List-Unsubscribe").is_some()
            || msg.header("List-Id").is_some()
            || msg.header_raw("Precedence").is_some_and(|p| {
                p.trim().eq_ignore_ascii_case("bulk") || p.trim().eq_ignore_ascii_case("list")
            });

        self.structure(msg, from_addr.is_some(), out);
        if let Some(from) = &from {
            self.sender(from, out);
            self.display_name(from_name, from, out);
        }
        let auth = self.authentication(msg, raw, from.as_ref(), out);
        let dmarc_pass = matches!(auth, Some(true));
        if let Some(from) = &from {
            self.reply_paths(msg, from, list_mail, dmarc_pass, out);
        }

        // Bodies: text for the language, HTML for links.
        let mut text = String::new();
        for i in 0..msg.text_body_count().min(8) {
            if let Some(t) = msg.body_text(i) {
                let mut end = t.len().min(lexicon::MAX_TEXT);
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                text.push_str(&t[..end]);
                text.push('\n');
            }
        }
        let mut all_links: Vec<Link> = Vec::new();
        for part in msg.html_bodies().take(8) {
            if let PartType::Html(h) = &part.body {
                let (l, _) = links::scan_html(h);
                all_links.extend(l);
            }
        }
        links::scan_text(&text, &mut all_links);
        self.links(&all_links, from.as_ref(), out);

        let subject = msg.subject().unwrap_or("");
        self.language(subject, &text, out);
        if subject.trim_start().to_ascii_lowercase().starts_with("re:")
            && msg.in_reply_to().is_empty()
            && msg.references().is_empty()
        {
            out.push(Indicator::new(
                Code::ThreadHijack,
                10,
                M::MailThreadHijack,
                vec![],
            ));
        }

        // Attachments, and forwarded messages as messages of their own.
        let mut findings = Vec::new();
        for part in msg.attachments().take(MAX_PARTS) {
            match &part.body {
                PartType::Message(inner) if depth < MAX_NESTING => {
                    let mut inner_found = Vec::new();
                    self.check(inner, inner.raw_message(), depth + 1, &mut inner_found);
                    out.extend(inner_found.into_iter().filter(|i| i.points > 0));
                }
                PartType::Message(_) => {}
                _ => {
                    let name = part.attachment_name().unwrap_or("");
                    attach::inspect(name, part.contents(), &mut findings);
                }
            }
        }
        for f in findings {
            out.push(attachment_indicator(f));
        }
    }

    fn structure(&self, msg: &Message<'_>, has_from: bool, out: &mut Vec<Indicator>) {
        let mut what = Vec::new();
        if !has_from {
            what.push(M::MailNoFrom);
        }
        if msg.from().is_some_and(|a| a.iter().count() > 1) || msg.header_values("From").count() > 1
        {
            what.push(M::MailMultipleFrom);
        }
        if msg.message_id().is_none() {
            what.push(M::MailNoMessageId);
        }
        if msg.date().is_none() {
            what.push(M::MailNoDate);
        }
        let mailer = msg
            .header_raw("X-Mailer")
            .unwrap_or("")
            .to_ascii_lowercase();
        if mailer.contains("phpmailer") || msg.header("X-PHP-Originating-Script").is_some() {
            what.push(M::MailBulkMailer);
        }
        if msg
            .parts
            .iter()
            .take(MAX_PARTS)
            .any(|p| p.is_encoding_problem)
        {
            what.push(M::MailBadEncoding);
        }
        if !what.is_empty() {
            let points = (5 * what.len() as i32).min(15);
            out.push(Indicator::new(
                Code::StructureAnomaly,
                points,
                M::MailStructure,
                vec![("what", Arg::List(what))],
            ));
        }
    }

    fn sender(&self, from: &Host, out: &mut Vec<Indicator>) {
        if let Some((known, how)) = self.imitates(from) {
            out.push(Indicator::new(
                Code::LookalikeDomain,
                40,
                M::MailLookalike,
                vec![
                    ("domain", Arg::Text(from.unicode.clone())),
                    ("known", Arg::Text(known.unicode.clone())),
                    ("how", Self::likeness_arg(&known, from, how)),
                ],
            ));
        }
        let idn = from.is_punycode() || !from.unicode.is_ascii();
        if idn && !self.is_known(from) {
            let mixed = from.unicode.split('.').any(domain::mixed_script);
            out.push(Indicator::new(
                Code::IdnDomain,
                if mixed { 25 } else { 10 },
                M::MailIdn,
                vec![
                    ("domain", Arg::Text(from.ascii.clone())),
                    ("unicode", Arg::Text(from.unicode.clone())),
                ],
            ));
        }
    }

    fn display_name(&self, name: &str, from: &Host, out: &mut Vec<Indicator>) {
        if name.is_empty() {
            return;
        }
        // An address written into the name: "billing@supplier.co.id" <x@elsewhere>.
        if let Some(tok) = name.split_whitespace().find(|t| t.contains('@')) {
            let tok =
                tok.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | ','));
            if let Some(h) = domain::address_host(tok)
                && h.registrable != from.registrable
            {
                out.push(self.impersonation(name, &h.unicode, from));
                return;
            }
        }
        let key = squash(name);
        let words = words_of(name);
        // "Toko Ayu (via Google Forms)", "Rina via Zendesk": a relay writing for someone.
        let relayed =
            words.iter().any(|w| w == "via") && RELAYS.contains(&from.registrable.as_str());
        for p in self.parties.iter().filter(|_| !relayed) {
            let claims = if p.whole_word {
                let pw = words_of(&p.shown);
                words.windows(pw.len()).any(|w| w == pw.as_slice())
            } else {
                key.contains(&p.key) || (key.chars().count() >= 6 && p.key.contains(&key))
            };
            if !claims {
                continue;
            }
            let theirs = p.domains.contains(&from.registrable)
                || (p.domains.is_empty() && !from.is_freemail());
            if !theirs {
                out.push(self.impersonation(name, &p.shown, from));
                return;
            }
        }
        if from.is_freemail() && words.iter().any(|w| EXECUTIVE_TITLES.contains(&w.as_str())) {
            out.push(Indicator::new(
                Code::ExecutiveFreemail,
                20,
                M::MailExecutiveFreemail,
                vec![
                    ("name", Arg::Text(name.to_string())),
                    ("domain", Arg::Text(from.unicode.clone())),
                ],
            ));
        }
    }

    fn impersonation(&self, name: &str, claimed: &str, from: &Host) -> Indicator {
        let free = from.is_freemail();
        Indicator::new(
            Code::DisplayNameImpersonation,
            if free { 50 } else { 30 },
            if free {
                M::MailDisplayNameFreemail
            } else {
                M::MailDisplayName
            },
            vec![
                ("name", Arg::Text(name.to_string())),
                ("claimed", Arg::Text(claimed.to_string())),
                ("domain", Arg::Text(from.unicode.clone())),
            ],
        )
    }

    /// Authentication results; `Some(true)` for a trusted DMARC pass.
    fn authentication(
        &self,
        msg: &Message<'_>,
        raw: &[u8],
        from: Option<&Host>,
        out: &mut Vec<Indicator>,
    ) -> Option<bool> {
        let values: Vec<&str> = msg
            .headers()
            .iter()
            .filter(|h| h.name().eq_ignore_ascii_case("Authentication-Results"))
            .filter_map(|h| match h.value() {
                HeaderValue::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let res = auth::evaluate(values.iter().copied(), &self.trusted);
        if res.untrusted > 0 {
            out.push(Indicator::new(
                Code::AuthUntrusted,
                0,
                if self.trusted.is_empty() {
                    M::MailAuthNoTrusted
                } else {
                    M::MailAuthUntrusted
                },
                vec![("n", Arg::Text(res.untrusted.to_string()))],
            ));
        }
        let host = res.authserv.clone().unwrap_or_default();
        let from_reg = from.map(|f| f.registrable.clone()).unwrap_or_default();
        let dkim_pass = res.dkim.iter().any(|(o, _)| *o == Outcome::Pass);
        let mut dmarc_pass = None;
        if let Some((o, _)) = &res.dmarc {
            match o {
                Outcome::Fail => {
                    dmarc_pass = Some(false);
                    out.push(auth_ind(
                        Code::DmarcFail,
                        35,
                        M::MailDmarcFail,
                        &host,
                        &from_reg,
                    ));
                }
                Outcome::Pass => dmarc_pass = Some(true),
                Outcome::Other => {}
            }
        }
        if res.spf == Some(Outcome::Fail) && !dkim_pass {
            out.push(auth_ind(
                Code::SpfFail,
                15,
                M::MailSpfFail,
                &host,
                &from_reg,
            ));
        }
        if !dkim_pass
            && res.dkim.iter().any(|(o, _)| *o == Outcome::Fail)
            && dmarc_pass != Some(true)
        {
            out.push(auth_ind(
                Code::DkimFail,
                15,
                M::MailDkimFail,
                &host,
                &from_reg,
            ));
        }
        // Our own DKIM verification, where the shop gave the keys.
        let mut verified_aligned = false;
        if !self.keys.is_empty() {
            for v in dkim::verify(msg, raw, &self.keys) {
                match v {
                    dkim::Verdict::Pass(d) => {
                        let aligned = from.is_some_and(|f| {
                            Host::parse(&d).is_some_and(|h| h.registrable == f.registrable)
                        });
                        verified_aligned |= aligned;
                        out.push(Indicator::new(
                            Code::DkimVerified,
                            if aligned { -5 } else { 0 },
                            M::MailDkimVerified,
                            vec![("domain", Arg::Text(d))],
                        ));
                    }
                    dkim::Verdict::Fail(d, why) => out.push(Indicator::new(
                        Code::DkimFail,
                        15,
                        M::MailDkimBad,
                        vec![
                            ("domain", Arg::Text(d)),
                            ("why", Arg::Msg(why_message(why), vec![])),
                        ],
                    )),
                }
            }
        }
        let known_from = from.is_some_and(|f| self.is_known(f));
        if known_from && (dmarc_pass == Some(true) || verified_aligned) {
            out.push(Indicator::new(
                Code::AuthPass,
                -10,
                M::MailAuthPass,
                vec![("domain", Arg::Text(from_reg.clone()))],
            ));
        }
        dmarc_pass.or(verified_aligned.then_some(true))
    }

    fn reply_paths(
        &self,
        msg: &Message<'_>,
        from: &Host,
        list_mail: bool,
        dmarc_pass: bool,
        out: &mut Vec<Indicator>,
    ) {
        let reply = msg
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .and_then(domain::address_host);
        if let Some(r) = reply.filter(|r| r.registrable != from.registrable) {
            let lookalike = self.imitates(&r).is_some();
            let free = r.is_freemail() && !from.is_freemail();
            if !list_mail || lookalike || free {
                let points = 20 + if lookalike || free { 15 } else { 0 };
                out.push(Indicator::new(
                    Code::ReplyToMismatch,
                    points,
                    M::MailReplyTo,
                    vec![
                        ("reply", Arg::Text(r.unicode.clone())),
                        ("from", Arg::Text(from.unicode.clone())),
                    ],
                ));
            }
        }
        let rp = msg.return_address().and_then(domain::address_host);
        if let Some(rp) = rp.filter(|r| r.registrable != from.registrable)
            && !list_mail
            && !dmarc_pass
        {
            out.push(Indicator::new(
                Code::ReturnPathMismatch,
                5,
                M::MailReturnPath,
                vec![
                    ("rp", Arg::Text(rp.unicode.clone())),
                    ("from", Arg::Text(from.unicode.clone())),
                ],
            ));
        }
    }

    fn links(&self, all: &[Link], from: Option<&Host>, out: &mut Vec<Indicator>) {
        let mut suspicious = 0;
        for l in all {
            let Some(t) = links::target(&l.href) else {
                continue;
            };
            let mut why = None;
            if t.ip {
                why = Some((M::MailWhyIp, 10));
            } else if t.userinfo {
                why = Some((M::MailWhyUserinfo, 10));
            } else if t
                .raw_host
                .chars()
                .any(|c| matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}'))
            {
                why = Some((M::MailWhyZeroWidth, 10));
            } else if t.host.as_ref().is_some_and(links::is_shortener) {
                why = Some((M::MailWhyShortener, 5));
            }
            if let Some((m, p)) = why
                && suspicious < 20
            {
                suspicious += p;
                out.push(Indicator::new(
                    Code::SuspiciousLink,
                    suspicious,
                    M::MailSuspiciousLink,
                    vec![
                        ("target", Arg::Text(t.raw_host.clone())),
                        ("why", Arg::Msg(m, vec![])),
                    ],
                ));
            }
            let shown = links::shown_host(&l.text);
            let Some(host) = &t.host else {
                if let Some(shown) = shown {
                    out.push(mismatch(&shown, &t.raw_host));
                }
                continue;
            };
            let exempt = links::is_redirector(host)
                || self.own.iter().any(|o| o.registrable == host.registrable);
            if exempt {
                continue;
            }
            if let Some((known, how)) = self.imitates(host) {
                out.push(Indicator::new(
                    Code::LookalikeLink,
                    25,
                    M::MailLookalikeLink,
                    vec![
                        ("domain", Arg::Text(host.unicode.clone())),
                        ("known", Arg::Text(known.unicode.clone())),
                        ("how", Self::likeness_arg(&known, host, how)),
                    ],
                ));
            }
            if let Some(shown) = shown.filter(|s| s.registrable != host.registrable) {
                out.push(mismatch(&shown, &host.unicode));
            }
            let senders = from.is_some_and(|f| f.registrable == host.registrable);
            if !senders
                && !self.is_known(host)
                && !self.is_brand(host)
                && lexicon::credential_lure(&l.text)
            {
                out.push(Indicator::new(
                    Code::CredentialLink,
                    15,
                    M::MailCredentialLink,
                    vec![
                        ("text", Arg::Text(l.text.chars().take(60).collect())),
                        ("target", Arg::Text(host.unicode.clone())),
                    ],
                ));
            }
        }
    }

    fn language(&self, subject: &str, text: &str, out: &mut Vec<Indicator>) {
        let s = lexicon::signals(subject, text);
        let pressing = s.bank_change.is_some() || s.payment.is_some();
        if let Some(words) = &s.bank_change {
            out.push(Indicator::new(
                Code::BankDetailsChange,
                35,
                M::MailBankChange,
                vec![("words", Arg::Text(words.clone()))],
            ));
        }
        if let Some(words) = s.urgency {
            let points = if s.bank_change.is_some() {
                20
            } else if pressing {
                15
            } else {
                10
            };
            out.push(Indicator::new(
                Code::Urgency,
                points,
                M::MailUrgency,
                vec![("words", Arg::Text(words))],
            ));
        }
        if let Some(words) = s.secrecy {
            out.push(Indicator::new(
                Code::Secrecy,
                if pressing { 25 } else { 15 },
                M::MailSecrecy,
                vec![("words", Arg::Text(words))],
            ));
        }
    }
}

fn mismatch(shown: &Host, target: &str) -> Indicator {
    Indicator::new(
        Code::LinkTextMismatch,
        25,
        M::MailLinkMismatch,
        vec![
            ("shown", Arg::Text(shown.unicode.clone())),
            ("target", Arg::Text(target.to_string())),
        ],
    )
}

fn why_message(why: dkim::Why) -> M {
    match why {
        dkim::Why::Body => M::MailDkimWhyBody,
        dkim::Why::Signature => M::MailDkimWhySignature,
        dkim::Why::Revoked => M::MailDkimWhyRevoked,
        dkim::Why::Partial => M::MailDkimWhyPartial,
        dkim::Why::Weak => M::MailDkimWhyWeak,
        dkim::Why::Malformed => M::MailDkimWhyMalformed,
    }
}

fn auth_ind(code: Code, points: i32, m: M, host: &str, domain: &str) -> Indicator {
    Indicator::new(
        code,
        points,
        m,
        vec![
            ("host", Arg::Text(host.to_string())),
            ("domain", Arg::Text(domain.to_string())),
        ],
    )
}

fn attachment_indicator(f: Finding) -> Indicator {
    let name = |n: String| vec![("name", Arg::Text(n))];
    match f {
        Finding::Executable(n) => Indicator::new(
            Code::AttachmentExecutable,
            30,
            M::MailAttachExecutable,
            name(n),
        ),
        Finding::Disguised(n) => Indicator::new(
            Code::AttachmentDisguised,
            25,
            M::MailAttachDisguised,
            name(n),
        ),
        Finding::Macro(n) => Indicator::new(Code::AttachmentMacro, 25, M::MailAttachMacro, name(n)),
        Finding::Html(n, true) => {
            Indicator::new(Code::AttachmentHtml, 25, M::MailAttachHtmlForm, name(n))
        }
        Finding::Html(n, false) => {
            Indicator::new(Code::AttachmentHtml, 15, M::MailAttachHtml, name(n))
        }
        Finding::PdfScript(n) => {
            Indicator::new(Code::AttachmentPdfScript, 15, M::MailAttachPdf, name(n))
        }
        Finding::ArchiveExecutable(n, inner) => Indicator::new(
            Code::ArchiveExecutable,
            30,
            M::MailArchiveExecutable,
            vec![("name", Arg::Text(n)), ("inner", Arg::Text(inner))],
        ),
        Finding::ArchiveEncrypted(n) => {
            Indicator::new(Code::ArchiveEncrypted, 15, M::MailArchiveEncrypted, name(n))
        }
        Finding::ArchiveBomb(n) => {
            Indicator::new(Code::ArchiveBomb, 15, M::MailArchiveBomb, name(n))
        }
        Finding::ArchiveOpaque(n) => {
            Indicator::new(Code::ArchiveOpaque, 10, M::MailArchiveOpaque, name(n))
        }
    }
}

/// Whether `raw` begins like an RFC 5322 message: its first line (after a byte-order mark and an
/// mbox `From ` line) is a header field: a name of printable US-ASCII
/// (optionally followed by blanks, the obsolete syntax) and a colon.
fn starts_with_a_header(raw: &[u8]) -> bool {
    let mut rest = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
    let line_of = |b: &[u8]| -> usize { b.iter().position(|&c| c == b'\n').unwrap_or(b.len()) };
    if rest.starts_with(b"From ") {
        let end = line_of(rest);
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    let line = &rest[..line_of(rest)];
    let Some(colon) = line.iter().position(|&c| c == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    !name.is_empty() && name.iter().all(|&c| (33..=126).contains(&c))
}
