//! Digit runs: card numbers, NIK/KK, NPWP, phones, bank accounts, CVVs, IPv4 and birth dates.
//!
//! A run is a sequence of digit groups joined by one space, dash or dot (`0812-3456-7890`,
//! `01.312.166.0-091.000`, `4111 1111 1111 1111`). Runs glued to codes (`INV/2025/11/00123`,
//! `SKU-12345`, `#12345678`, `JP1234567890`) are skipped. Each window of whole groups is tried
//! from the left, longest first, against the validators below; context decides between kinds
//! that share a shape (NIK vs KK vs NPWP, phone vs bank account).

use super::context::Ctx;
use super::lexicon::role;
use super::phone::{id_mobile, nanp_grouped, phone};
use super::{Scan, address, cues, dates};
use crate::card::{is_card_number, luhn_valid};
use crate::kind::{EntityKind as K, Validator as V};
use crate::validate::{kk_valid, nik_valid, npwp15_valid, npwp16_entity_valid};

const MAX_GROUPS: usize = 8;
const MAX_DIGITS: usize = 24;

#[derive(Default)]
pub(super) struct Run {
    pub groups: [(usize, usize); MAX_GROUPS],
    pub seps: [u8; MAX_GROUPS],
    pub n: usize,
    pub plus: bool,
    pub paren: bool,
    /// End of an `x123` extension right after the last group.
    ext_end: Option<usize>,
    /// The last group is glued to letters (`1111a`): only a card number may end there.
    glued_end: bool,
}

impl Run {
    fn start(&self, a: usize) -> usize {
        let s = self.groups[a].0;
        if a == 0 {
            s - usize::from(self.plus) - usize::from(self.paren)
        } else {
            s
        }
    }
}

fn digit_word_end(b: &[u8], s: usize) -> usize {
    s + b[s..].iter().take_while(|c| c.is_ascii_digit()).count()
}

const EN_DASH: &[u8] = "\u{2013}".as_bytes();

/// Whether an en dash followed by a digit starts at `e`.
pub(crate) fn en_dash_then_digit(b: &[u8], e: usize) -> bool {
    b[e.min(b.len())..].starts_with(EN_DASH)
        && b.get(e + EN_DASH.len()).is_some_and(u8::is_ascii_digit)
}

/// Whether the run starting at `i` is glued to a code on its left.
fn glued_left(b: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    // a WhatsApp link's number is a phone number, not a code: `wa.me/6281234567890`
    if i >= 6 && b[i - 6..i].eq_ignore_ascii_case(b"wa.me/") {
        return false;
    }
    match b[i - 1] {
        // `0812-3456-7890 /0813-…`: a slash after a space separates two values
        b'/' => !(i > 1 && b[i - 2] == b' '),
        b'#' | b'_' | b'\\' | b'@' | b'$' => true,
        // `SKU-123`, `v1.2`: a letter code; after a digit the run is just continued text.
        b'-' | b'.' => i > 1 && b[i - 2].is_ascii_alphabetic(),
        _ => false,
    }
}

fn collect(b: &[u8], i: usize) -> Run {
    let plus = i > 0 && b[i - 1] == b'+';
    let mut run = Run {
        plus,
        // `(021) 555…`, and `(+62) 811…` with the country code in brackets
        paren: (i > 0 && b[i - 1] == b'(') || (plus && i > 1 && b[i - 2] == b'('),
        ..Run::default()
    };
    // where the current number starts (a space starts a new one): a slash continues only a
    // number that starts like a mobile phone
    let mut seg = i;
    let mut s = i;
    loop {
        let e = digit_word_end(b, s);
        if run.n > 0 && e < b.len() && b[e].is_ascii_alphabetic() {
            // "555-0123x89": a phone extension
            let x = digit_word_end(b, e + 1);
            let clean = x < b.len() && b[x].is_ascii_alphanumeric();
            if b[e] == b'x' && (2..=6).contains(&(x - e)) && !clean {
                run.groups[run.n] = (s, e);
                run.n += 1;
                run.ext_end = Some(x);
            } else if run.n < MAX_GROUPS {
                run.groups[run.n] = (s, e);
                run.n += 1;
                run.glued_end = true;
            }
            break;
        }
        run.groups[run.n] = (s, e);
        run.n += 1;
        if run.n == MAX_GROUPS || e >= b.len() {
            break;
        }
        let digit_at = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
        let (sep, next) = match b[e] {
            // a dotted quad after a space starts a value of its own (`NIK … 10.0.0.0/8`)
            b' ' if digit_at(e + 1) && super::net::ipv4_at(b, e + 1).is_some() => break,
            b' ' | b'-' | b'.' if digit_at(e + 1) => (b[e], e + 1),
            // `0812/3456/7890`, `081234567890/081311112222`: a phone written with slashes or
            // two phones joined by one (only phones are taken from such a run)
            b'/' if digit_at(e + 1)
                && ((plus && seg == i)
                    || b[seg..].starts_with(b"08")
                    || b[seg..].starts_with(b"628")) =>
            {
                (b'/', e + 1)
            }
            0xE2 if en_dash_then_digit(b, e) => (b'-', e + EN_DASH.len()),
            b')' if run.paren && run.n == 1 && b.get(e + 1) == Some(&b' ') && digit_at(e + 2) => {
                (b')', e + 2)
            }
            b')' if run.paren && run.n == 1 && digit_at(e + 1) => (b')', e + 1),
            b')' if run.paren && run.n == 1 && b.get(e + 1) == Some(&b'-') && digit_at(e + 2) => {
                (b')', e + 2)
            }
            // `+62 (21) 555 1234`, `+1(415)555-0123`: an area code in brackets after `+cc`
            b' ' | b'(' if run.plus && run.n == 1 => match bracketed_area(b, e) {
                Some(ds) => (b'(', ds),
                None => break,
            },
            b')' if run.n == 2 && run.seps[0] == b'(' => match b.get(e + 1) {
                Some(b' ' | b'-') if digit_at(e + 2) => (b')', e + 2),
                Some(c) if c.is_ascii_digit() => (b')', e + 1),
                _ => break,
            },
            _ => break,
        };
        run.seps[run.n - 1] = sep;
        if sep == b' ' {
            seg = next;
        }
        s = next;
    }
    run
}

/// After `+cc` ending at `e`: ` (21)` or `(21)` with one to four digits in the brackets;
/// returns where those digits start.
fn bracketed_area(b: &[u8], e: usize) -> Option<usize> {
    let o = if b[e] == b' ' { e + 1 } else { e };
    if b.get(o) != Some(&b'(') {
        return None;
    }
    let de = digit_word_end(b, o + 1);
    ((1..=4).contains(&(de - o - 1)) && b.get(de) == Some(&b')')).then_some(o + 1)
}

/// A date starting at the digit `i` (`17/08/1985`, `5th May 1990`), reported as a birth date
/// when a birth word is near; returns its end. A compact `17081985` counts only right after a
/// birth word.
pub(crate) fn date(sc: &mut Scan<'_>, i: usize) -> Option<usize> {
    let b = sc.b;
    let (d, reach) = match dates::at_digit(b, i) {
        Some(d) => (d, if d.partial { 3 } else { 6 }),
        None => {
            let d = dates::compact(b, i)?;
            // most eight-digit numbers are no date: look for the birth word cheaply first
            let hinted = sc
                .hint
                .as_ref()
                .is_some_and(|h| h.dist(role::DOB).is_some());
            if !hinted && !super::context::role_in_words_before(b, i, role::DOB, 3) {
                return None;
            }
            (d, 2)
        }
    };
    let ctx = sc.ctx(i);
    if ctx.has(role::DOB, reach) {
        let word = ctx.word(role::DOB);
        let score = if ctx.dist(role::DOB).unwrap_or(9) <= 3 {
            0.9
        } else {
            0.8
        };
        sc.push(K::DateOfBirth, d.start, d.end, score, V::CalendarDate, word);
    } else if reach == 2 {
        // an eight-digit number without a birth word is typed as any other number
        return None;
    }
    Some(d.end)
}

/// Scans the digit run starting at `i`; returns where the main pass continues.
/// `glued` is set when the run follows a context word without a space (`WA0812…`).
pub(crate) fn scan(sc: &mut Scan<'_>, i: usize, glued: bool) -> usize {
    let b = sc.b;
    if let Some(end) = date(sc, i) {
        return end;
    }
    // The visible tail of a masked value (`****-****-7890`) is not a new value.
    let masked = i > 0
        && (b[i - 1] == b'*'
            || (i > 1 && b[i - 2] == b'*' && matches!(b[i - 1], b'-' | b' ' | b'.')));
    if masked {
        // skip the whole run: its groups belonged to the masked value's run before masking —
        // all of it, also past a cut at MAX_GROUPS (a window starting after the cut was never
        // tried by the first pass, which read the run from its real start)
        let mut run = collect(b, i);
        let mut end = run.groups[run.n - 1].1;
        while run.n == MAX_GROUPS
            && b.get(end)
                .is_some_and(|c| matches!(c, b' ' | b'-' | b'.' | b'/'))
            && b.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            run = collect(b, end + 1);
            end = run.groups[run.n - 1].1;
        }
        return end;
    }
    // A dotted-quad IPv4 on its own, whatever its neighbours (`root@10.0.0.1`,
    // `(192.168.1.1)`, `10.0.0.0/8`); the span is the address (and prefix), never a bracket.
    // A netmask (`255.255.255.0`) identifies no host: skipped, digits and all.
    if !glued && let Some(end) = super::net::ipv4_at(b, i) {
        let ctx = sc.ctx(i);
        if ctx.dist(role::NEG) != Some(0) && !super::net::is_netmask(&b[i..end]) {
            let word = ctx.word(role::IP);
            sc.push(K::IpAddress, i, end, 0.9, V::IpSyntax, word);
        }
        return end;
    }
    if !glued && glued_left(b, i) {
        return skip_code(b, i);
    }
    let run = collect(b, i);
    let run_end = run.ext_end.unwrap_or(run.groups[run.n - 1].1);
    // Where scanning resumes: after a run glued to a word (`…-330k`), past that word only, as
    // the main pass does for a word that starts with digits. Skipping the whole code
    // (`330k333333-2323333-303332333-330k`) hid the digit groups after it from this pass, and a
    // second pass over the redacted text entered them afresh and found a card there.
    let resume = if run.glued_end {
        run_end
            + b[run_end..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count()
    } else {
        run_end
    };
    let run_end = if run.glued_end {
        skip_code(b, run_end)
    } else {
        run_end
    };
    // A run cut at MAX_GROUPS that goes on with `-digits` is a longer digit run, not a code
    // (`… 02-36527`): skipping it as a code left a card at its start unscanned.
    let cut = run.n == MAX_GROUPS && b.get(run_end + 1).is_some_and(u8::is_ascii_digit);
    match b.get(run_end) {
        Some(b'@' | b'_') => return skip_code(b, i),
        Some(b'/' | b'-') if b.get(run_end + 1).is_some_and(u8::is_ascii_alphanumeric) && !cut => {
            return skip_code(b, i);
        }
        _ => {}
    }
    if run.n == 1
        && run_end - i <= 5
        && !run.plus
        && let Some(end) = address::english(sc, i)
    {
        return end;
    }
    let mut a = 0;
    let mut prev_hit = false;
    let mut last_hit_end = None;
    while a < run.n {
        // A window may start inside a run only after a hit or after a long group: the tail of
        // a Luhn-invalid card-like number (`4607 5694 3831 1387`) is not a number of its own.
        let prev_len = if a > 0 {
            run.groups[a - 1].1 - run.groups[a - 1].0
        } else {
            0
        };
        let fresh = a > 0 && run.seps[a - 1] == b' ' && prev_len != 4;
        if a > 0 && !prev_hit && prev_len < 8 && !fresh {
            a += 1;
            continue;
        }
        let ctx = sc.ctx(run.start(a));
        let mut hit = None;
        for z in (a..run.n).rev() {
            if let Some(h) = interpret(sc, &run, a, z, &ctx) {
                hit = Some((z, h));
                break;
            }
        }
        match hit {
            Some((z, (kind, score, v, word))) => {
                let s = run.start(a);
                let mut end = run.groups[z].1;
                if kind == K::Phone && z + 1 == run.n {
                    end = run.ext_end.unwrap_or(end);
                }
                sc.push(kind, s, end, score, v, word);
                last_hit_end = Some(end);
                if kind == K::BankAccount {
                    cues::holder_in_parens(sc, run.groups[z].1);
                }
                a = z + 1;
                prev_hit = true;
            }
            None => {
                a += 1;
                prev_hit = false;
            }
        }
    }
    // A house number at the end of a run whose other numbers were typed or dropped (`NIK
    // 3174… 4 Rue du Bac, …`, `… 12 Baker Street`): the same address a second pass over the
    // redacted text would find there.
    let last = run.groups[run.n - 1];
    if (2..MAX_GROUPS).contains(&run.n)
        && run.seps[run.n - 2] == b' '
        && last.1 - last.0 <= 5
        && last_hit_end.is_none_or(|e| e <= last.0)
        && run.ext_end.is_none()
        && let Some(end) = address::english(sc, last.0)
    {
        return end;
    }
    // A run cut at MAX_GROUPS continues after its last hit, so the rest is scanned afresh.
    match last_hit_end {
        Some(e) if run.n == MAX_GROUPS && e < run_end => e,
        _ => resume,
    }
}

/// Whether the four groups `a..=z` are part of a dotted run of more than four numbers that
/// is an object identifier (first arc 0–2, second below 40: `1.3.6.1.4.1`) or has six parts
/// or more.
fn longer_dotted(b: &[u8], run: &Run, a: usize, z: usize) -> bool {
    let mut lo = a;
    while lo > 0 && run.seps[lo - 1] == b'.' {
        lo -= 1;
    }
    let mut hi = z;
    while hi + 1 < run.n && run.seps[hi] == b'.' {
        hi += 1;
    }
    let parts = hi - lo + 1;
    let arc = |g: usize| {
        let (s, e) = run.groups[g];
        if e - s > 3 {
            u32::MAX
        } else {
            b[s..e].iter().fold(0, |v, d| v * 10 + u32::from(d - b'0'))
        }
    };
    parts > 4 && (parts >= 6 || (arc(lo) <= 2 && arc(lo + 1) < 40))
}

/// Skips a code-like token (digits, letters, `/ - . _ #`) starting at `i`.
fn skip_code(b: &[u8], i: usize) -> usize {
    let mut e = i;
    while e < b.len()
        && (b[e].is_ascii_alphanumeric()
            || (matches!(b[e], b'/' | b'-' | b'.' | b'_' | b'@')
                && b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric)))
    {
        e += 1;
    }
    e
}

pub(super) type Hit = (K, f32, V, Option<&'static str>);

fn interpret(sc: &Scan<'_>, run: &Run, a: usize, z: usize, ctx: &Ctx) -> Option<Hit> {
    let b = sc.b;
    let mut buf = [0u8; MAX_DIGITS];
    let mut n = 0;
    for &(s, e) in &run.groups[a..=z] {
        if n + (e - s) > MAX_DIGITS {
            return None;
        }
        buf[n..n + (e - s)].copy_from_slice(&b[s..e]);
        n += e - s;
    }
    let d = &buf[..n];
    let seps = &run.seps[a..z];
    let only = |allowed: &[u8]| seps.iter().all(|s| allowed.contains(s));
    let plus = a == 0 && run.plus;
    let neg0 = ctx.dist(role::NEG) == Some(0);
    let touches_slash =
        seps.contains(&b'/') || (a > 0 && run.seps[a - 1] == b'/') || run.seps[z] == b'/';
    if touches_slash {
        // numbers joined by a slash are phones only: `0812/3456/7890` is one, `0812…/0813…`
        // are two
        let mobile = d.starts_with(b"08") || d.starts_with(b"628") || plus;
        return phone(run, a, z, d, ctx).filter(|_| mobile && !(run.glued_end && z + 1 == run.n));
    }
    if run.glued_end && z + 1 == run.n {
        // Fail closed for cards glued to a word; nothing else ends inside a code.
        return (!plus && only(b" -") && is_card_number(d)).then_some((
            K::CreditCard,
            1.0,
            V::LuhnIin,
            ctx.word(role::CARD),
        ));
    }

    // IPv4: four dotted octets, not four parts of a longer dotted number such as an object
    // identifier (`OID 1.3.6.1.4.1`). One part too many after an address that is no OID
    // (`192.168.1.1.1`, a case of Presidio's suite) still leaves the address.
    if z - a == 3 && only(b".") && !neg0 && !longer_dotted(b, run, a, z) {
        let s = std::str::from_utf8(&b[run.groups[a].0..run.groups[z].1]).ok()?;
        if s.parse::<std::net::Ipv4Addr>().is_ok() {
            return Some((K::IpAddress, 0.9, V::IpSyntax, ctx.word(role::IP)));
        }
    }
    // An Indonesian mobile number written with dots (`0812.3456.7890`, `+62.812.3456.7890`)
    // is no price: prices never start with `0` or `+`.
    // `62.812.2233.4455` without the `+` neither: a price has groups of three after the first.
    let not_thousands = run.groups[a + 1..=z].iter().any(|(s, e)| e - s != 3);
    let dotted_mobile = d.strip_prefix(b"0").is_some_and(id_mobile)
        || ((plus || not_thousands) && d.strip_prefix(b"62").is_some_and(id_mobile));
    if only(b".")
        && seps.len() >= 2
        && !(15..=16).contains(&n)
        && !ctx.has(role::PHONE, 3)
        && !nanp_grouped(run, a, z, d)
        && !dotted_mobile
    {
        return None; // dotted prices and versions
    }
    // Cards: Luhn + issuer range, fail closed (no context needed) — except 13–14 and 17–19
    // digit numbers right after a bank word, which are account numbers.
    let bank_near = ctx.has(role::BANK, 3) && ctx.nearer(role::BANK, role::CARD);
    // A bank's own grouping (`5889-64-032052-10-9`, BRI) is never how a card is written.
    let lens = run.groups[a..=z].iter().map(|(s, e)| e - s);
    let card_grouping = z == a
        || lens.clone().eq([4, 6, 5])
        || lens.clone().eq([4, 6, 4])
        || lens.clone().take(z - a).all(|l| l == 4);
    let account_like = bank_near && (!(15..=16).contains(&n) || !card_grouping);
    if !plus && only(b" -") && is_card_number(d) && !account_like {
        let nik_ctx = n == 16
            && nik_valid(d)
            && [role::NIK, role::KK, role::NPWP]
                .iter()
                .any(|&r| ctx.has(r, 3) && ctx.nearer(r, role::CARD));
        if !nik_ctx {
            return Some((K::CreditCard, 1.0, V::LuhnIin, ctx.word(role::CARD)));
        }
    }
    if n == 16
        && !plus
        && only(b" -.")
        && let Some(h) = sixteen(d, ctx)
    {
        return Some(h);
    }
    if n == 15 && !plus && only(b".-") {
        let formatted = z - a == 5
            && run.groups[a..=z]
                .iter()
                .map(|(s, e)| e - s)
                .eq([2, 3, 3, 1, 3, 3]);
        if formatted || (seps.is_empty() && ctx.has(role::NPWP, 3)) {
            if npwp15_valid(d) {
                return Some((K::Npwp, 0.95, V::NpwpCheckDigit, ctx.word(role::NPWP)));
            }
            if ctx.has(role::NPWP, 2) {
                return Some((K::Npwp, 0.6, V::Shape, ctx.word(role::NPWP)));
            }
        }
    }
    // The text says it is a card ("my credit card: 1220 0000 0000 003"): a Luhn-valid 13–19
    // digit number is one even when its issuer range is not in the table (UATP, new ranges),
    // unless an identity, bank or phone word is nearer than the card word.
    if !plus
        && only(b" -")
        && card_grouping
        && (13..=19).contains(&n)
        && ctx.has(role::CARD, 3)
        && [role::NIK, role::KK, role::NPWP, role::BANK, role::PHONE]
            .iter()
            .all(|&r| !ctx.has(r, 6) || ctx.nearer(role::CARD, r))
        && luhn_valid(d)
        && !d.starts_with(b"0")
    {
        return Some((K::CreditCard, 0.85, V::LuhnIin, ctx.word(role::CARD)));
    }
    // A bank word nearer than any phone word makes a non-mobile number an account.
    let mobile = d.starts_with(b"08") || d.starts_with(b"628") || plus;
    let bank_first = ctx.has(role::BANK, 2)
        && ctx.nearer(role::BANK, role::PHONE)
        && (!mobile || (ctx.dist(role::BANK) == Some(0) && !plus));
    if !bank_first && let Some(h) = phone(run, a, z, d, ctx) {
        return Some(h);
    }
    // Bank account: 8–18 digits with a bank word before (or a bank name right after), written
    // with one kind of separator (`0123-01-012345-50-1`; not `01.312.166.0-091.000 192`).
    if (8..=18).contains(&n) && !plus && seps.iter().all(|&s| s == seps[0]) && only(b" -.") {
        let strong_phone = ctx.has(role::PHONE, 2) && ctx.nearer(role::PHONE, role::BANK);
        if !strong_phone {
            // "VA BCA 8808…": a payment code, not an account
            if ctx.has(role::BANK, 4) && ctx.dist(role::NEG).is_none_or(|x| x > 2) {
                let score = if ctx.dist(role::BANK).unwrap_or(9) <= 2 {
                    0.9
                } else {
                    0.8
                };
                return Some((K::BankAccount, score, V::Shape, ctx.word(role::BANK)));
            }
            let after = super::context::after(b, run.groups[z].1);
            if after.dist(role::BANK).is_some_and(|d| d <= 1)
                && ctx.dist(role::NEG).is_none()
                && !super::context::bank_then_number(b, run.groups[z].1)
            {
                return Some((K::BankAccount, 0.7, V::Shape, after.word(role::BANK)));
            }
        }
    }
    // CVV: 3–4 digits right after a CVV word.
    if a == z && (3..=4).contains(&n) && ctx.has(role::CVV, 3) {
        return Some((K::Cvv, 0.9, V::Shape, ctx.word(role::CVV)));
    }
    None
}

/// 16 digits: entity NPWP, or NIK/KK structure typed by context.
fn sixteen(d: &[u8], ctx: &Ctx) -> Option<Hit> {
    let near = |r| ctx.has(r, 4);
    if npwp16_entity_valid(d) {
        if near(role::NPWP) {
            return Some((K::Npwp, 0.97, V::NpwpCheckDigit, ctx.word(role::NPWP)));
        }
        // Without a tax word, only when nothing says it is an account or a transaction number.
        if ctx.dist(role::NEG).is_none() && ctx.dist(role::BANK).is_none() {
            return Some((K::Npwp, 0.7, V::NpwpCheckDigit, None));
        }
    }
    let (nik, kk) = (nik_valid(d), kk_valid(d));
    let kind_by_ctx = if near(role::KK)
        && (!near(role::NIK) || ctx.nearer(role::KK, role::NIK))
        && (!near(role::NPWP) || ctx.nearer(role::KK, role::NPWP))
    {
        Some(K::Kk)
    } else if near(role::NPWP) && (!near(role::NIK) || ctx.nearer(role::NPWP, role::NIK)) {
        Some(K::Npwp)
    } else if near(role::NIK) {
        Some(K::Nik)
    } else {
        None
    };
    let word = |k| match k {
        K::Kk => ctx.word(role::KK),
        K::Npwp => ctx.word(role::NPWP),
        _ => ctx.word(role::NIK),
    };
    match kind_by_ctx {
        Some(K::Kk) if kk => Some((K::Kk, 0.95, V::NikStructure, word(K::Kk))),
        Some(k) if nik => Some((k, 0.95, V::NikStructure, word(k))),
        Some(k) if ctx.dist(k_role(k)).is_some_and(|x| x <= 1) => Some((k, 0.6, V::Shape, word(k))),
        None if nik && ctx.dist(role::NEG).is_none_or(|x| x > 3) && !ctx.has(role::BANK, 3) => {
            Some((K::Nik, 0.75, V::NikStructure, None))
        }
        _ => None,
    }
}

fn k_role(k: K) -> u32 {
    match k {
        K::Kk => role::KK,
        K::Npwp => role::NPWP,
        _ => role::NIK,
    }
}
