//! Person names found from their shape and context rather than from the gazetteer alone:
//! Balinese `I`/`Ni` names, a given name before a marga (`Ruth Hutapea`), Chinese-Indonesian
//! names (`Tan Siok Lan`), lower-case names after an explicit label, English name labels
//! (`Sender:`, `Bill to:`, `Attn:`), and lists of names after a label. Every helper looks at a
//! bounded number of words ahead of its position: the scan stays linear.

use super::Scan;
use super::lexicon::{self, role};
use super::person::{self, CHAT_WORDS, Name, name_words, skip_spaces};
use crate::kind::EntityKind as K;

/// Balinese birth-order names and caste titles that follow `I` / `Ni`.
const BALI: &[&[u8]] = &[
    b"wayan",
    b"made",
    b"nyoman",
    b"ketut",
    b"putu",
    b"gede",
    b"kadek",
    b"komang",
    b"gusti",
    b"ngurah",
    b"anak",
    b"ida",
    b"cokorda",
    b"luh",
    b"nengah",
    b"kade",
    b"desak",
    b"dewa",
    b"kompyang",
    b"gde",
    b"dewi",
    b"ayu",
];

/// Words that label a field in a log line or a form (`[10:15] Status: ok`): after a time
/// stamp they are not a speaker's name.
const FIELD_LABELS: &[&str] = &[
    "status",
    "state",
    "server",
    "gateway",
    "subnet",
    "host",
    "hostname",
    "client",
    "user",
    "username",
    "request",
    "response",
    "error",
    "errors",
    "warning",
    "warn",
    "info",
    "debug",
    "trace",
    "fatal",
    "notice",
    "critical",
    "alert",
    "log",
    "result",
    "message",
    "msg",
    "source",
    "target",
    "destination",
    "dest",
    "port",
    "path",
    "url",
    "uri",
    "method",
    "code",
    "time",
    "timestamp",
    "date",
    "note",
    "type",
    "mode",
    "level",
    "health",
    "uptime",
    "latency",
    "timeout",
    "input",
    "output",
    "query",
    "reply",
    "answer",
    "question",
    "event",
    "task",
    "job",
    "worker",
    "process",
    "thread",
    "system",
    "database",
    "db",
    "cache",
    "queue",
    "router",
    "proxy",
    "network",
    "interface",
    "device",
    "node",
    "cluster",
    "pod",
    "container",
    "api",
    "app",
    "application",
    "module",
    "component",
    "config",
    "version",
    "build",
    "release",
    "deploy",
    "backup",
    "sync",
    "scheduler",
    "handler",
    "controller",
    "logger",
    "parser",
    "payload",
    "body",
    "header",
    "session",
    "token",
    "auth",
    "login",
    "logout",
    "memory",
    "cpu",
    "disk",
    "load",
    "storage",
    "count",
    "size",
    "amount",
    "balance",
    "summary",
    "reason",
    "detail",
    "details",
    "description",
    "remark",
    "remarks",
    "subject",
    "title",
    "priority",
    "category",
    "tag",
    "label",
    "value",
    "key",
    "id",
    "location",
    "region",
    "zone",
    "country",
    "city",
    "update",
    "updated",
    "created",
    "deleted",
    "started",
    "stopped",
    "failed",
    "success",
    "done",
    "pending",
    "retry",
    "ping",
    "heartbeat",
    "monitor",
    "metrics",
    "stats",
    "report",
    "firewall",
    "dns",
    "dhcp",
    "vpn",
    "ssh",
    "http",
    "https",
    "smtp",
    "kernel",
    "daemon",
    "cron",
    "nginx",
    "redis",
    "postgres",
    "mysql",
    "docker",
    "keterangan",
    "catatan",
    "hasil",
    "pesan",
    "galat",
    "peringatan",
    "sistem",
    "jumlah",
    "saldo",
    "sender",
    "recipient",
    "shipper",
    "consignee",
    "attention",
    "contact",
];

/// English word endings no given name has (`Connection`, `Deployment`, `Loading`).
const TECH_SUFFIXES: &[&[u8]] = &[
    b"tion", b"sion", b"ment", b"ing", b"ity", b"ness", b"ure", b"ance", b"ence", b"able", b"ed",
    b"ics", b"ware",
];

/// English name labels, used with a colon after them (`Sender: …`, `Attn: …`); the second
/// word of a two-word label follows a space.
const EN_LABELS: &[(&[u8], &[u8], &str)] = &[
    (b"sender", b"", "sender"),
    (b"recipient", b"", "recipient"),
    (b"consignee", b"", "consignee"),
    (b"shipper", b"", "shipper"),
    (b"addressee", b"", "addressee"),
    (b"attn", b"", "attn"),
    (b"attention", b"", "attn"),
    (b"pic", b"", "pic"),
    (b"cp", b"", "cp"),
    (b"cust", b"", "cust"),
    (b"bill", b"to", "bill to"),
    (b"ship", b"to", "ship to"),
    (b"sold", b"to", "sold to"),
    (b"contact", b"person", "contact person"),
    (b"contact", b"name", "contact name"),
    (b"full", b"name", "full name"),
    (b"sent", b"by", "sent by"),
];

fn word_end(b: &[u8], p: usize) -> usize {
    p + b[p.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count()
}

/// Whether a capitalised Balinese name word follows the space at `q` (`I Wayan`, `Ni Luh`).
pub(crate) fn bali_next(b: &[u8], q: usize) -> bool {
    if b.get(q) != Some(&b' ') || !b.get(q + 1).is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    let w = &b[q + 1..word_end(b, q + 1)];
    BALI.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// Months that are also given-name parts (`Mei`, `May`, `April`, `Juni`, `Juli`).
pub(crate) fn month_name(w: &[u8]) -> bool {
    [&b"mei"[..], b"may", b"april", b"juni", b"juli"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(w))
}

/// Whether a day or year follows the word ending at `q`: `Mei 1990`, `Mei, 1990`, `Mei-90`.
pub(crate) fn date_next(b: &[u8], q: usize) -> bool {
    let mut k = q;
    if b.get(k) == Some(&b',') {
        k += 1;
    }
    if b.get(k)
        .is_some_and(|c| matches!(c, b' ' | b'-' | b'/' | b'.'))
    {
        k += 1;
    }
    b.get(k).is_some_and(u8::is_ascii_digit)
}

/// Whether a label after a chat or log time stamp can be a speaker's name although no word of
/// it is in the gazetteer: not a log or form field (`Gateway`, `Status`, `Connection`).
pub(crate) fn plausible_speaker(b: &[u8], n: &Name) -> bool {
    // The English endings are tested on the label's first word only: a later word is more
    // often a family name that ends the same way (`Yohanis Pakiding`, `Lim Kiong`).
    b[n.start..n.end]
        .split(|&c| c == b' ')
        .filter(|w| !w.is_empty())
        .enumerate()
        .all(|(k, w)| {
            let lw = w.to_ascii_lowercase();
            let field = std::str::from_utf8(&lw).is_ok_and(|s| FIELD_LABELS.contains(&s));
            let tech = k == 0 && lw.len() > 4 && TECH_SUFFIXES.iter().any(|x| lw.ends_with(x));
            !field && !tech
        })
}

/// Where the next line starts when only a line break follows `q`.
pub(crate) fn line_start_after(b: &[u8], q: usize) -> Option<usize> {
    let q = if b.get(q) == Some(&b'\r') { q + 1 } else { q };
    (b.get(q) == Some(&b'\n')).then(|| skip_spaces(b, q + 1))
}

/// Skips a list bullet (`- `, `* `, `• `) at `p`.
pub(crate) fn skip_bullet(b: &[u8], p: usize) -> usize {
    let rest = &b[p.min(b.len())..];
    for bullet in [&b"- "[..], b"* ", "\u{2022} ".as_bytes()] {
        if rest.starts_with(bullet) {
            return skip_spaces(b, p + bullet.len());
        }
    }
    p
}

fn has_bullet(b: &[u8], p: usize) -> bool {
    skip_bullet(b, p) != p
}

/// Whether the name ending at `e` ends its line (an optional full stop may follow).
pub(crate) fn ends_line(b: &[u8], e: usize) -> bool {
    let e = if b.get(e) == Some(&b'.') { e + 1 } else { e };
    let e = e + b[e.min(b.len())..]
        .iter()
        .take_while(|&&c| c == b' ')
        .count();
    b.get(e).is_none_or(|c| matches!(c, b'\n' | b'\r'))
}

/// Lower-case name words after an explicit label (`nama saya ruth hutapea`): words that are
/// no chat word and no keyword, at least one of them a gazetteer name.
pub(crate) fn lower_name(b: &[u8], p: usize) -> Option<Name> {
    if !b.get(p).is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    // Up to four lower-case words that are names or unknown; the chat-word list is consulted
    // only once a gazetteer name is among them (it is the costly test).
    let mut words = [(0usize, 0usize, false); 4];
    let (mut k, mut q, mut any_gaz) = (0, p, false);
    while k < 4 {
        let e = q + b[q..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        let w = &b[q..e];
        if w.len() < 2
            || b.get(e)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80)
        {
            break;
        }
        let roles = lexicon::roles(w);
        if roles & !(role::GIVEN | role::SURNAME | role::MARGA | role::CHINESE) != 0 {
            break;
        }
        let gaz = roles != 0;
        any_gaz |= gaz;
        words[k] = (q, e, gaz);
        k += 1;
        if b.get(e) != Some(&b' ') {
            break;
        }
        q = e + 1;
    }
    if !any_gaz {
        return None;
    }
    let mut n = Name {
        start: p,
        end: p,
        words: 0,
        gazetteer: false,
    };
    for &(ws, we, gaz) in &words[..k] {
        let chat = !gaz && std::str::from_utf8(&b[ws..we]).is_ok_and(|s| CHAT_WORDS.contains(&s));
        if chat {
            break;
        }
        n.gazetteer |= gaz;
        n.words += 1;
        n.end = we;
    }
    (n.words > 0 && n.gazetteer).then_some(n)
}

/// Further names after a labelled one ending at `end`: `; Tjoa Kim Lie; Ruth Hutapea` on the
/// same line (commas too after a reseller or dropshipper label), or one bulleted name per
/// line (`- Tjoa Kim Lie`). Returns where the last name ends.
pub(crate) fn list_items(sc: &mut Scan<'_>, mut end: usize, word: &'static str) -> usize {
    let b = sc.b;
    let commas = matches!(word, "reseller" | "dropshipper");
    loop {
        let (q, same_line) = match b.get(end) {
            Some(b';') => (skip_spaces(b, end + 1), true),
            Some(b',') if commas => (skip_spaces(b, end + 1), true),
            _ => match line_start_after(b, end) {
                Some(q) if has_bullet(b, q) => (skip_bullet(b, q), false),
                _ => return end,
            },
        };
        let Some(n) = name_words(b, q, false) else {
            return end;
        };
        // after a comma a town may follow (`Asep Sunandar, Garut, WA …`): only a full name
        // with a gazetteer word continues the list there
        if b[end] == b',' && (n.words < 2 || !n.gazetteer) {
            return end;
        }
        let item_end = if same_line {
            let e = skip_spaces(b, n.end);
            b.get(e)
                .is_none_or(|c| matches!(c, b';' | b',' | b'.' | b'\n' | b'\r'))
        } else {
            ends_line(b, n.end)
        };
        if !item_end {
            return end;
        }
        let score = if n.gazetteer { 0.9 } else { 0.85 };
        sc.push(
            K::Person,
            n.start,
            n.end,
            score,
            person::validator(&n),
            Some(word),
        );
        end = n.end;
    }
}

/// A name known from its shape: a capitalised word before a marga (`Ruth Hutapea`), a
/// Chinese-Indonesian family name before short capitalised given-name syllables (`Tan Siok
/// Lan`), or a Balinese `I`/`Ni` name (`I Ketut Sudiarta`). `roles` are those of the word
/// `s..e`.
pub(crate) fn by_shape(sc: &mut Scan<'_>, s: usize, e: usize, roles: u32) -> Option<usize> {
    let b = sc.b;
    let w = &b[s..e];
    if !w[0].is_ascii_uppercase()
        || b.get(e) != Some(&b' ')
        || !b.get(e + 1).is_some_and(u8::is_ascii_uppercase)
    {
        return None;
    }
    let bali = (w == b"I" || w == b"Ni") && bali_next(b, e);
    let all_caps = w.len() > 1 && w.iter().all(u8::is_ascii_uppercase);
    if !bali && (w.len() < 2 || all_caps || roles & person::NOT_NAME != 0) {
        return None;
    }
    let ne = word_end(b, e + 1);
    let next = &b[e + 1..ne];
    let next_roles = lexicon::roles(next);
    if !bali && next_roles & role::MARGA == 0 && roles & role::CHINESE == 0 {
        return None;
    }
    let mut n = name_words(b, s, false)?;
    if !bali && next_roles & role::MARGA == 0 && roles & role::CHINESE != 0 {
        // the syllables after the family name are short (`Siok`, `Lan`; not `Leather`): the
        // name ends before the first longer word (`Tan Siok Lan Salatiga …` → `Tan Siok Lan`)
        let mut end = e;
        let mut words = 1;
        let mut q = e + 1;
        while q < n.end {
            let we = q + b[q..n.end].iter().take_while(|&&c| c != b' ').count();
            if we - q > 5 {
                break;
            }
            end = we;
            words += 1;
            q = we + 1;
        }
        n.end = end;
        n.words = words;
    }
    let ok = if bali {
        // `I Made Sudarsana`, not the English `How I Made It`
        n.words >= 3
            && b[n.start..n.end]
                .rsplit(|&c| c == b' ')
                .next()
                .is_some_and(|l| l.len() > 2)
    } else if next_roles & role::MARGA != 0 {
        n.end >= ne
    } else if roles & role::CHINESE != 0 {
        n.words >= 2
    } else {
        false
    };
    if !ok {
        return None;
    }
    sc.push(K::Person, n.start, n.end, 0.8, person::validator(&n), None);
    Some(n.end)
}

/// An English name label at `s..e` followed by a colon (`Sender: …`, `Bill to: …`,
/// `Contact person: …`; `Attn.` too): the name after it.
pub(crate) fn english_label(sc: &mut Scan<'_>, s: usize, e: usize) -> Option<usize> {
    let b = sc.b;
    let w = &b[s..e];
    let &(_, second, label) = EN_LABELS.iter().find(|(first, second, _)| {
        first.eq_ignore_ascii_case(w)
            && (second.is_empty()
                || (b.get(e) == Some(&b' ')
                    && word_end(b, e + 1) == e + 1 + second.len()
                    && b[e + 1..e + 1 + second.len()].eq_ignore_ascii_case(second)))
    })?;
    let end = if second.is_empty() {
        e
    } else {
        e + 1 + second.len()
    };
    let colon = b.get(end) == Some(&b':')
        || (label == "attn" && b.get(end) == Some(&b'.'))
        || (b.get(end) == Some(&b' ') && b.get(end + 1) == Some(&b':'));
    if !colon {
        return None;
    }
    let after = if b.get(end) == Some(&b'.') {
        end + 1
    } else {
        end
    };
    person::after_label(sc, after, label)
}
