//! Context words around a candidate: which keyword of each context role is nearest, in words.
//!
//! The window is at most [`WINDOW_BYTES`] bytes and [`WINDOW_WORDS`] words on the same line.
//! Matching is on whole lower-cased ASCII words, so `rek` does not match inside `rekap`.

use super::lexicon::{self, DOB_DOTTED, FAMILY_CARD, KARTU_KELUARGA, role};

/// Bytes looked at before a candidate.
pub(crate) const WINDOW_BYTES: usize = 64;
/// Words looked at before a candidate.
pub(crate) const WINDOW_WORDS: u8 = 6;

/// Number of context roles: they are the role bits 0..11 (`CARD` … `IP`), so a role's slot
/// is its bit index.
const N: usize = 11;
const _: () = assert!(role::CONTEXT == (1 << N) - 1);

const NONE: u8 = u8::MAX;

/// Nearest keyword per context role.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    dist: [u8; N],
    /// Keyword handles ([`lexicon::word_of`]): two bytes instead of a `&str` keep `Ctx` at
    /// 33 bytes, returned and copied without `memcpy`.
    word: [u16; N],
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            dist: [NONE; N],
            word: [0; N],
        }
    }
}

#[inline]
fn slot(r: u32) -> usize {
    (r.trailing_zeros() as usize).min(N - 1)
}

impl Ctx {
    #[inline]
    fn note(&mut self, roles: u32, dist: u8, word: u16) {
        let mut bits = roles & role::CONTEXT;
        while bits != 0 {
            let i = slot(bits);
            bits &= bits - 1;
            if self.dist[i] == NONE {
                self.dist[i] = dist;
                self.word[i] = word;
            }
        }
    }

    /// Distance in words of the nearest keyword with role `r` (a single role bit).
    pub(crate) fn dist(&self, r: u32) -> Option<u8> {
        let d = self.dist[slot(r)];
        (d != NONE).then_some(d)
    }

    /// The keyword for role `r`, if present.
    pub(crate) fn word(&self, r: u32) -> Option<&'static str> {
        self.dist(r).map(|_| lexicon::word_of(self.word[slot(r)]))
    }

    /// Whether role `r` is present within `max` words and no negative word is nearer.
    pub(crate) fn has(&self, r: u32, max: u8) -> bool {
        match self.dist(r) {
            Some(d) if d <= max => self.dist(role::NEG).is_none_or(|n| n > d),
            _ => false,
        }
    }

    /// Whether role `a` is nearer than role `b` (absent counts as infinitely far).
    pub(crate) fn nearer(&self, a: u32, b: u32) -> bool {
        self.dist[slot(a)] < self.dist[slot(b)]
    }

    /// Fills roles missing here from `hint` (a field name), at distance `at`.
    pub(crate) fn with_hint(mut self, hint: &Ctx, at: u8) -> Ctx {
        for i in 0..N {
            if self.dist[i] == NONE && hint.dist[i] != NONE {
                self.dist[i] = at;
                self.word[i] = hint.word[i];
            }
        }
        self
    }
}

use super::is_word;

/// Context before byte `pos`.
pub(crate) fn before(b: &[u8], pos: usize) -> Ctx {
    let mut ctx = Ctx::default();
    let lo = pos.saturating_sub(WINDOW_BYTES);
    let mut i = pos.min(b.len());
    let mut n: u8 = 0;
    let mut right: &[u8] = b"";
    while i > lo && n < WINDOW_WORDS {
        while i > lo && !is_word(b[i - 1]) {
            if b[i - 1] == b'\n' {
                return ctx;
            }
            i -= 1;
        }
        let e = i;
        while i > lo && is_word(b[i - 1]) {
            i -= 1;
        }
        if i == e || (i == lo && lo > 0 && is_word(b[lo - 1])) {
            break;
        }
        let w = &b[i..e];
        if let Some(entry) = lexicon::lookup(w) {
            let mut roles = entry.roles & role::CONTEXT;
            let mut word = entry.id;
            if entry.word == "kartu" && right.eq_ignore_ascii_case(b"keluarga") {
                roles = role::KK;
                word = KARTU_KELUARGA;
            }
            ctx.note(roles, n, word);
        } else if w.eq_ignore_ascii_case(b"family") && right.eq_ignore_ascii_case(b"card") {
            ctx.note(role::KK, n, FAMILY_CARD);
        } else if w.len() == 1
            && w[0] | 0x20 == b'b'
            && i >= 4
            && b[i - 4..i].eq_ignore_ascii_case(b"d.o.")
        {
            // `d.o.b.`: the three letters are three words here
            ctx.note(role::DOB, n, DOB_DOTTED);
        }
        right = w;
        n += 1;
    }
    ctx
}

/// Whether a word with role `r` is among the `max` words before `pos` on the same line: a cheap
/// pre-test before [`before`] (which weighs every role and the negative words).
pub(crate) fn role_in_words_before(b: &[u8], pos: usize, r: u32, max: u8) -> bool {
    let lo = pos.saturating_sub(24);
    let mut i = pos.min(b.len());
    for _ in 0..max {
        while i > lo && !is_word(b[i - 1]) {
            if b[i - 1] == b'\n' {
                return false;
            }
            i -= 1;
        }
        let e = i;
        while i > lo && is_word(b[i - 1]) {
            i -= 1;
        }
        if i == e {
            return false;
        }
        if lexicon::roles(&b[i..e]) & r != 0 {
            return true;
        }
    }
    false
}

/// Context in the (at most three) words after byte `pos`, same line.
pub(crate) fn after(b: &[u8], pos: usize) -> Ctx {
    let mut ctx = Ctx::default();
    let hi = (pos + 32).min(b.len());
    let mut i = pos;
    let mut n: u8 = 0;
    while i < hi && n < 3 {
        while i < hi && !is_word(b[i]) {
            if b[i] == b'\n' {
                return ctx;
            }
            i += 1;
        }
        let s = i;
        while i < hi && is_word(b[i]) {
            i += 1;
        }
        if s == i || (i == hi && hi < b.len() && is_word(b[hi])) {
            break;
        }
        if let Some(entry) = lexicon::lookup(&b[s..i]) {
            ctx.note(entry.roles & role::CONTEXT, n, entry.id);
        }
        n += 1;
    }
    ctx
}

/// Whether a bank word within the two words after `pos` (same line) is itself followed by a
/// number: `0812…;BTN;1090986573689370` — the number after the bank name is its account, the
/// one before it is something else.
pub(crate) fn bank_then_number(b: &[u8], pos: usize) -> bool {
    let hi = (pos + 40).min(b.len());
    let mut i = pos;
    let mut bank = false;
    for _ in 0..3 {
        while i < hi && !is_word(b[i]) {
            if b[i] == b'\n' {
                return false;
            }
            i += 1;
        }
        let s = i;
        while i < hi && is_word(b[i]) {
            i += 1;
        }
        if s == i {
            return false;
        }
        if bank && b[s].is_ascii_digit() {
            return true;
        }
        bank = lexicon::roles(&b[s..i]) & role::BANK != 0;
    }
    false
}

/// Context carried by a field or column name such as `no_rekening` or `Customer Phone`.
pub(crate) fn from_field(name: &str) -> Ctx {
    let mut ctx = Ctx::default();
    for w in name
        .as_bytes()
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if let Some(entry) = lexicon::lookup(w) {
            ctx.note(entry.roles & role::CONTEXT, 0, entry.id);
        }
    }
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_keyword_and_distance() {
        let t = b"no rek BCA 1234567890";
        let c = before(t, 11);
        assert_eq!(c.dist(role::BANK), Some(0));
        assert_eq!(c.word(role::BANK), Some("bca"));
        assert!(c.has(role::BANK, 2));
        let t = b"rekening lama, order 1234567890";
        let c = before(t, 21);
        assert!(!c.has(role::BANK, 4), "negative word is nearer");
    }

    #[test]
    fn kartu_keluarga_is_kk_not_card() {
        let t = b"nomor kartu keluarga: 3174052301150007";
        let c = before(t, 22);
        assert_eq!(c.dist(role::KK), Some(1));
        assert_eq!(c.dist(role::CARD), None);
    }

    #[test]
    fn stops_at_newline_and_whole_words() {
        let t = b"rekening\n1234567890";
        assert_eq!(before(t, 9).dist(role::BANK), None);
        let t = b"rekap 1234567890";
        assert_eq!(before(t, 6).dist(role::BANK), None);
    }
}
