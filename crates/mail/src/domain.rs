//! Domains: normalisation (IDNA), the registrable part (eTLD+1), free-mail providers, and the
//! lookalike test against the shop's known domains.
//!
//! The registrable part uses a compact built-in list of multi-label public suffixes (the
//! Indonesian second-level domains first, then the common country second levels). A suffix not on
//! the list counts as one label, which is right for every generic and most country TLDs.

use unicode_security::confusable_detection::skeleton;

/// Second-level public suffixes (the registrable domain is one label more).
const MULTI_SUFFIXES: &[&str] = &[
    // Indonesia (PANDI).
    "co.id",
    "ac.id",
    "or.id",
    "go.id",
    "web.id",
    "my.id",
    "biz.id",
    "sch.id",
    "net.id",
    "mil.id",
    "ponpes.id",
    "desa.id",
    "id.id",
    // Common elsewhere.
    "co.uk",
    "org.uk",
    "ac.uk",
    "gov.uk",
    "com.au",
    "net.au",
    "org.au",
    "com.sg",
    "edu.sg",
    "com.my",
    "net.my",
    "org.my",
    "co.jp",
    "ne.jp",
    "or.jp",
    "com.cn",
    "net.cn",
    "org.cn",
    "com.hk",
    "com.tw",
    "co.kr",
    "co.th",
    "in.th",
    "com.ph",
    "com.vn",
    "co.in",
    "net.in",
    "co.nz",
    "com.br",
    "com.tr",
    "co.za",
    "com.mx",
    "com.ar",
];

/// Free-mail providers: anyone can open an address there.
const FREEMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.id",
    "ymail.com",
    "rocketmail.com",
    "outlook.com",
    "outlook.co.id",
    "hotmail.com",
    "hotmail.co.id",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "yandex.com",
    "zoho.com",
    "mail.ru",
    "qq.com",
    "163.com",
    "tutanota.com",
];

/// Services that give each customer a subdomain (`glowbeauty.zendesk.com` is the supplier's
/// helpdesk, not a lookalike).
const HOSTED: &[&str] = &[
    "zendesk.com",
    "freshdesk.com",
    "myshopify.com",
    "atlassian.net",
    "list-manage.com",
    "hubspot.com",
    "hs-sites.com",
    "salesforce.com",
    "force.com",
    "sharepoint.com",
    "wixsite.com",
    "blogspot.com",
    "github.io",
    "notion.site",
    "helpscoutdocs.com",
    "mailchimpsites.com",
];

/// A host name split for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Lower-case ASCII (punycode) form, no trailing dot.
    pub ascii: String,
    /// Unicode form (for display and skeletons).
    pub unicode: String,
    /// The registrable domain (eTLD+1), ASCII.
    pub registrable: String,
    /// The public suffix, ASCII.
    pub suffix: String,
    /// Every label left of the suffix, joined without dots (Unicode), e.g. `glowbeauty` for
    /// `glowb.eauty.co.id`.
    pub labels: String,
    /// The registrable label alone (Unicode), e.g. `glowbeauty`.
    pub label: String,
}

impl Host {
    /// Parses and normalises a host name; `None` for something that is not one (empty, spaces,
    /// an IP address, or refused by IDNA).
    pub fn parse(raw: &str) -> Option<Host> {
        let raw = raw.trim().trim_end_matches('.');
        if raw.is_empty()
            || raw.len() > 253
            || raw.parse::<std::net::IpAddr>().is_ok()
            || raw.starts_with('[')
        {
            return None;
        }
        let ascii = idna::domain_to_ascii(raw).ok()?.to_ascii_lowercase();
        if ascii.is_empty() || !ascii.contains('.') || ascii.split('.').any(str::is_empty) {
            return None;
        }
        let (unicode, res) = idna::domain_to_unicode(&ascii);
        let unicode = if res.is_ok() { unicode } else { ascii.clone() };
        let a_labels: Vec<&str> = ascii.split('.').collect();
        let u_labels: Vec<&str> = unicode.split('.').collect();
        let n = a_labels.len();
        let two = n >= 3 && MULTI_SUFFIXES.contains(&a_labels[n - 2..].join(".").as_str());
        let suffix_len = if two { 2 } else { 1 };
        let reg_start = n - suffix_len - 1;
        let u_ok = u_labels.len() == n;
        let pick = |i: usize| if u_ok { u_labels[i] } else { a_labels[i] };
        Some(Host {
            registrable: a_labels[reg_start..].join("."),
            suffix: a_labels[n - suffix_len..].join("."),
            labels: (0..=reg_start).map(pick).collect::<Vec<_>>().concat(),
            label: pick(reg_start).to_string(),
            ascii,
            unicode,
        })
    }

    /// Whether the host is a free-mail provider.
    pub fn is_freemail(&self) -> bool {
        FREEMAIL.contains(&self.registrable.as_str())
    }

    /// Whether the ASCII form has a punycode label.
    pub fn is_punycode(&self) -> bool {
        self.ascii.split('.').any(|l| l.starts_with("xn--"))
    }
}

/// The domain part of an address (`user@host`), normalised.
pub fn address_host(address: &str) -> Option<Host> {
    let (_, host) = address.trim().rsplit_once('@')?;
    Host::parse(host.trim_end_matches('>'))
}

/// Case-folded TR39 skeleton, for comparing only (never for display).
pub fn fold(s: &str) -> String {
    let lower = s.to_lowercase();
    let sk: String = skeleton(&lower).collect();
    let sk = sk.to_lowercase();
    // `rn`→`m` and friends are in the confusables table; the ASCII digits are too, but map to
    // capitals, hence the second lower-casing. Hyphens carry no identity.
    sk.chars().filter(|c| *c != '-' && *c != '.').collect()
}

/// How a sender domain imitates a known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    /// Same TR39 skeleton: characters that look the same (`l`→`1`, Cyrillic `а`).
    Homoglyph,
    /// A small edit (typing error, swapped, missing or doubled letter).
    Typo,
    /// Same name under another top-level domain.
    TldSwap,
    /// The known domain's name with extra labels or words around it.
    Extended,
}

/// The known domain `candidate` imitates, if any. `known` must be parsed hosts; a candidate equal
/// to (or under) a known registrable domain is never a lookalike.
pub fn lookalike<'k>(candidate: &Host, known: &'k [Host]) -> Option<(&'k Host, Likeness)> {
    if known.iter().any(|k| k.registrable == candidate.registrable) {
        return None;
    }
    let cand_fold = fold(&candidate.labels);
    let cand_label_fold = fold(&candidate.label);
    let mut best: Option<(&Host, Likeness)> = None;
    for k in known {
        let k_fold = fold(&k.label);
        if k_fold.chars().count() < 3 {
            continue;
        }
        let found = if cand_fold == k_fold || cand_label_fold == k_fold {
            if candidate.labels == k.label && candidate.suffix != k.suffix {
                Some(Likeness::TldSwap)
            } else if candidate.labels == k.label || candidate.label == k.label {
                // Same letters and a different suffix, or extra labels in front.
                if candidate.suffix != k.suffix {
                    Some(Likeness::TldSwap)
                } else {
                    Some(Likeness::Extended)
                }
            } else {
                Some(Likeness::Homoglyph)
            }
        } else if typo_close(&cand_fold, &k_fold, candidate.suffix == k.suffix) {
            Some(Likeness::Typo)
        } else if (k_fold.chars().count() >= 5 && cand_label_fold.contains(&k_fold))
            || contains_known_labels(candidate, k)
            || (!HOSTED.contains(&candidate.registrable.as_str())
                && candidate.ascii.split('.').any(|l| l == k.label))
        {
            Some(Likeness::Extended)
        } else {
            None
        };
        if let Some(l) = found {
            let rank = |l: Likeness| match l {
                Likeness::Homoglyph => 0,
                Likeness::TldSwap => 1,
                Likeness::Typo => 2,
                Likeness::Extended => 3,
            };
            if best.is_none_or(|(_, b)| rank(l) < rank(b)) {
                best = Some((k, l));
            }
        }
    }
    best
}

/// Edit distance scaled by length: none for names up to 4 characters (`bca`, `bni` and `bri` are
/// different banks), 1 up to 9 (2 when the suffix also differs is not a typo), 2 from 10.
fn typo_close(a: &str, b: &str, same_suffix: bool) -> bool {
    let len = b.chars().count();
    let allowed = match len {
        0..=4 => 0,
        5..=9 => 1,
        _ if same_suffix => 2,
        _ => 1,
    };
    allowed > 0 && strsim::osa_distance(a, b) <= allowed
}

/// `glowbeauty.co.id.pay-invoice.com`: the known domain written out as labels of another one.
fn contains_known_labels(candidate: &Host, known: &Host) -> bool {
    let needle = format!("{}.", known.registrable);
    candidate.ascii.starts_with(&needle) || candidate.ascii.contains(&format!(".{needle}"))
}

/// The first visible difference between two names, for the explanation: `('l', '1')`.
pub fn first_difference(known: &str, seen: &str) -> Option<(char, char)> {
    let k: Vec<char> = known.chars().collect();
    let s: Vec<char> = seen.chars().collect();
    if k.len() != s.len() {
        return None;
    }
    k.iter()
        .zip(&s)
        .find(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
}

/// Whether a label mixes scripts (Latin with Cyrillic, Greek, …): a homograph trick.
pub fn mixed_script(label: &str) -> bool {
    use unicode_security::MixedScript;
    !label.is_single_script()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Host {
        Host::parse(s).unwrap()
    }

    fn like(c: &str, known: &[&str]) -> Option<Likeness> {
        let known: Vec<Host> = known.iter().map(|k| h(k)).collect();
        lookalike(&h(c), &known).map(|(_, l)| l)
    }

    #[test]
    fn registrable_parts() {
        let x = h("Mail.GlowBeauty.co.id.");
        assert_eq!(x.registrable, "glowbeauty.co.id");
        assert_eq!(x.suffix, "co.id");
        assert_eq!(x.label, "glowbeauty");
        assert_eq!(x.labels, "mailglowbeauty");
        assert_eq!(h("a.b.example.com").registrable, "example.com");
        assert!(Host::parse("10.0.0.1").is_none());
        assert!(Host::parse("localhost").is_none());
        assert!(Host::parse("a..b").is_none());
    }

    #[test]
    fn the_known_domain_and_its_subdomains_are_never_lookalikes() {
        assert_eq!(like("glowbeauty.co.id", &["glowbeauty.co.id"]), None);
        assert_eq!(like("mail.glowbeauty.co.id", &["glowbeauty.co.id"]), None);
        assert_eq!(like("GLOWBEAUTY.CO.ID", &["glowbeauty.co.id"]), None);
    }

    #[test]
    fn lookalikes_of_every_kind() {
        let k = ["glowbeauty.co.id"];
        assert_eq!(like("g1owbeauty.co.id", &k), Some(Likeness::Homoglyph));
        assert_eq!(like("glowbeautv.co.id", &k), Some(Likeness::Typo));
        assert_eq!(like("glowbaeuty.co.id", &k), Some(Likeness::Typo));
        assert_eq!(like("glowbeauty.com", &k), Some(Likeness::TldSwap));
        assert_eq!(like("glowb.eauty.co.id", &k), Some(Likeness::Extended));
        assert_eq!(like("glowbeauty-invoice.com", &k), Some(Likeness::Extended));
        assert_eq!(
            like("glowbeauty.co.id.pay-now.com", &k),
            Some(Likeness::Extended)
        );
        // Cyrillic "о" and "а" (whole-label and mixed).
        assert_eq!(like("glоwbeauty.co.id", &k), Some(Likeness::Homoglyph));
        let puny = idna::domain_to_ascii("glоwbeauty.co.id").unwrap();
        assert!(puny.starts_with("xn--"));
        assert_eq!(like(&puny, &k), Some(Likeness::Homoglyph));
        assert_eq!(
            like("glowbeauty.secure-login.com", &k),
            Some(Likeness::Extended)
        );
        assert_eq!(like("glowbeauty.zendesk.com", &k), None);
        assert_eq!(like("tokoayu.us1.list-manage.com", &["tokoayu.id"]), None);
        assert_eq!(like("rnaju.com", &["maju.com"]), Some(Likeness::Homoglyph));
    }

    #[test]
    fn short_and_unrelated_names_stay_apart() {
        assert_eq!(like("bni.co.id", &["bca.co.id"]), None);
        assert_eq!(like("bri.co.id", &["bca.co.id"]), None);
        assert_eq!(like("tokopedia.com", &["glowbeauty.co.id"]), None);
        assert_eq!(like("sinarjaya.co.id", &["sinarmas.co.id"]), None);
        assert_eq!(like("gmail.com", &["glowbeauty.co.id"]), None);
    }

    #[test]
    fn differences_are_named() {
        assert_eq!(
            first_difference("glowbeauty", "g1owbeauty"),
            Some(('l', '1'))
        );
        assert!(mixed_script("glоw"));
        assert!(!mixed_script("glow"));
    }
}
