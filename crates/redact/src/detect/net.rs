//! E-mail addresses (found from each `@`) and IPv6 addresses (found from each `:`).

use super::Scan;
use super::lexicon::role;
use crate::kind::{EntityKind as K, Validator as V};

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// The e-mail address around the `@` at `at`, if it is one.
pub(crate) fn email_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut s = at;
    while s > 0 && at - s < 64 && local_char(b[s - 1]) {
        s -= 1;
    }
    while s < at && matches!(b[s], b'.' | b'-' | b'+') {
        s += 1;
    }
    if s == at || b[at - 1] == b'.' {
        return None;
    }
    // domain: labels separated by single dots, last label alphabetic (2+ letters)
    let mut e = at + 1;
    let mut last_label = (e, e);
    let mut labels = 0;
    loop {
        let ls = e;
        while e < b.len() && domain_char(b[e]) && e - at < 255 {
            e += 1;
        }
        if ls == e {
            break;
        }
        last_label = (ls, e);
        labels += 1;
        if e + 1 < b.len() && b[e] == b'.' && domain_char(b[e + 1]) {
            e += 1;
        } else {
            break;
        }
    }
    let (ls, le) = last_label;
    let tld_ok = le - ls >= 2 && b[ls..le].iter().all(u8::is_ascii_alphabetic);
    (labels >= 2 && tld_ok).then_some((s, le))
}

pub(crate) fn emails(sc: &mut Scan<'_>) {
    let b = sc.b;
    let mut next_free = 0;
    for at in memchr::memchr_iter(b'@', b) {
        if at < next_free {
            continue;
        }
        if let Some((s, e)) = email_at(b, at)
            && s >= next_free
        {
            sc.push(K::Email, s, e, 0.99, V::EmailSyntax, None);
            next_free = e;
        }
    }
}

fn v6_char(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':' || c == b'.'
}

pub(crate) fn ipv6(sc: &mut Scan<'_>) {
    let b = sc.b;
    let mut next_free = 0;
    for c in memchr::memchr_iter(b':', b) {
        if c < next_free {
            continue;
        }
        let mut s = c;
        while s > 0 && v6_char(b[s - 1]) {
            s -= 1;
        }
        let mut e = c;
        while e < b.len() && v6_char(b[e]) {
            e += 1;
        }
        next_free = e;
        // must not be glued to other word characters
        if (s > 0
            && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'-' | b'*' | b'+' | b'_')))
            || (e < b.len() && b[e].is_ascii_alphanumeric())
        {
            continue;
        }
        while e > s && matches!(b[e - 1], b'.' | b':') && !b[s..e].ends_with(b"::") {
            e -= 1;
        }
        let tok = &b[s..e];
        // At least two colons and two groups, five hex digits, and three groups or a hex
        // letter in a group of two or more: "fe80::1", "2001:db8::1" yes; "::", "32::0",
        // "12:30:45" no, nor "7890::a" (a masked phone's visible tail before "::a").
        let groups = tok.split(|&x| x == b':').filter(|g| !g.is_empty()).count();
        let hex = tok.iter().filter(|c| c.is_ascii_hexdigit()).count();
        let letter = tok
            .split(|&x| x == b':')
            .any(|g| g.len() >= 2 && g.iter().any(u8::is_ascii_alphabetic));
        if tok.iter().filter(|&&x| x == b':').count() < 2
            || groups < 2
            || hex < 5
            || !(letter || groups >= 3)
        {
            continue;
        }
        if let Ok(t) = std::str::from_utf8(tok)
            && t.parse::<std::net::Ipv6Addr>().is_ok()
        {
            let word = sc.ctx(s).word(role::IP);
            sc.push(K::IpAddress, s, e, 0.9, V::IpSyntax, word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(t: &str) -> Option<&str> {
        let at = t.find('@')?;
        email_at(t.as_bytes(), at).map(|(s, e)| &t[s..e])
    }

    #[test]
    fn emails_found_with_clean_edges() {
        assert_eq!(
            email("kirim ke budi.s90@gmail.com."),
            Some("budi.s90@gmail.com")
        );
        assert_eq!(email("<a_b+c@mail.co.id>"), Some("a_b+c@mail.co.id"));
        assert_eq!(email("twitter @handle"), None);
        assert_eq!(email("x@localhost"), None);
        assert_eq!(email("a@b.c1"), None);
    }
}
