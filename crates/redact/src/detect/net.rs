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

/// Byte length of the non-ASCII letter or digit starting at `i` (an internationalised
/// domain's `пример`, `例え`), or `None` for ASCII, punctuation and broken UTF-8.
fn unicode_letter_len(b: &[u8], i: usize) -> Option<usize> {
    let lead = *b.get(i)?;
    let n = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let ch = std::str::from_utf8(b.get(i..i + n)?).ok()?.chars().next()?;
    ch.is_alphanumeric().then_some(n)
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
    // domain: labels separated by single dots, last label alphabetic (2+ letters) or an
    // internationalised one, in punycode (`xn--p1ai`) or Unicode letters (`рф`)
    let mut e = at + 1;
    let mut last_label = (e, e);
    let mut labels = 0;
    loop {
        let ls = e;
        while e < b.len() && e - at < 255 {
            if domain_char(b[e]) {
                e += 1;
            } else if let Some(n) = unicode_letter_len(b, e) {
                e += n;
            } else {
                break;
            }
        }
        if ls == e {
            break;
        }
        last_label = (ls, e);
        labels += 1;
        if e + 1 < b.len()
            && b[e] == b'.'
            && (domain_char(b[e + 1]) || unicode_letter_len(b, e + 1).is_some())
        {
            e += 1;
        } else {
            break;
        }
    }
    let (ls, le) = last_label;
    let tld = &b[ls..le];
    let tld_ok = (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic))
        || (tld.len() > 4
            && tld[..4].eq_ignore_ascii_case(b"xn--")
            && tld[4..].iter().all(u8::is_ascii_alphanumeric))
        || (tld.iter().any(|&c| c >= 0x80)
            && std::str::from_utf8(tld)
                .is_ok_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic)));
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
        // The loopback `::1` is an address like `127.0.0.1`; an embedded IPv4 address
        // (`::ffff:10.0.0.1`, `::10.0.0.1`) or a prefix length (`fe80::/10`) marks an address
        // that the group rule below would miss.
        let loopback = tok == b"::1" && b.get(e) != Some(&b':');
        let embedded = tok.contains(&b'.') && tok.starts_with(b"::") && hex >= 4;
        let prefixed = prefix_len_end(b, e, 128) > e && hex >= 2;
        if !(loopback || embedded || prefixed)
            && (tok.iter().filter(|&&x| x == b':').count() < 2
                || groups < 2
                || hex < 5
                || !(letter || groups >= 3))
        {
            continue;
        }
        if let Ok(t) = std::str::from_utf8(tok)
            && t.parse::<std::net::Ipv6Addr>().is_ok()
        {
            let word = sc.ctx(s).word(role::IP);
            let end = prefix_len_end(b, zone_end(b, e), 128);
            sc.push(K::IpAddress, s, end, 0.9, V::IpSyntax, word);
            next_free = end;
        }
    }
}

/// End of a `%eth0` zone index right after an IPv6 address ending at `e`, or `e`.
fn zone_end(b: &[u8], e: usize) -> usize {
    if b.get(e) != Some(&b'%') {
        return e;
    }
    let n = b[e + 1..]
        .iter()
        .take(16)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    if n > 0 && b.get(e + 1 + n).is_none_or(|c| !c.is_ascii_alphanumeric()) {
        e + 1 + n
    } else {
        e
    }
}

/// End of a `/len` prefix length (`/24`, `/128`, at most `max`) right after an address ending
/// at `e`, or `e` when there is none.
pub(crate) fn prefix_len_end(b: &[u8], e: usize, max: u32) -> usize {
    if b.get(e) != Some(&b'/') {
        return e;
    }
    let d = b[e + 1..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let q = e + 1 + d;
    let clean = b.get(q).is_none_or(|&c| {
        !(c.is_ascii_alphanumeric()
            || c == b'/'
            || (c == b'.' && b.get(q + 1).is_some_and(u8::is_ascii_digit)))
    });
    let len = b[e + 1..q]
        .iter()
        .fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0'));
    if (1..=3).contains(&d) && clean && len <= max && (d == 1 || b[e + 1] != b'0') {
        q
    } else {
        e
    }
}

/// End of four dotted octets starting at `i` (`192.168.1.1`), without boundary checks.
fn quad_end(b: &[u8], i: usize) -> Option<usize> {
    let mut p = i;
    for group in 0..4 {
        let d = b[p.min(b.len())..]
            .iter()
            .take(4)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=3).contains(&d) {
            return None;
        }
        p += d;
        if group < 3 {
            if b.get(p) != Some(&b'.') {
                return None;
            }
            p += 1;
        }
    }
    let quad = std::str::from_utf8(&b[i..p]).ok()?;
    quad.parse::<std::net::Ipv4Addr>().ok()?;
    Some(p)
}

/// A dotted-quad IPv4 address starting at the digit `i` (`192.168.1.1`), with its prefix
/// length if any (`10.0.0.0/8`); `None` unless the quad stands on its own: not part of a
/// longer dotted run, not glued to a letter or digit on either side. `@` (`root@10.0.0.1`,
/// `10.0.0.1@eth0`), brackets, quotes, URL slashes and a range dash between two addresses
/// (`10.0.0.1-10.0.0.9`) are boundaries; a port (`10.0.0.1:8080`) is included.
pub(crate) fn ipv4_at(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 {
        let l = b[i - 1];
        let code_left = matches!(l, b'#' | b'_' | b'\\' | b'$')
            || (l == b'.' && i > 1 && b[i - 2].is_ascii_alphanumeric())
            || (l == b'-' && i > 1 && b[i - 2].is_ascii_alphabetic());
        if l.is_ascii_alphanumeric() || code_left {
            return None;
        }
    }
    let p = quad_end(b, i)?;
    let digit_after = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    let glued_right = match b.get(p) {
        Some(c) if c.is_ascii_alphanumeric() => true,
        Some(b'.') => digit_after(p + 1),
        Some(b'-') => digit_after(p + 1) && quad_end(b, p + 1).is_none(),
        _ => false,
    };
    if glued_right {
        return None;
    }
    Some(prefix_len_end(b, port_end(b, p), 32))
}

/// Whether the dotted quad at the start of `quad` (a port or prefix after it is ignored) is a
/// netmask: `255.…` with its one bits contiguous from the top (`255.255.255.0`,
/// `255.255.240.0`). A mask names no host, so it is not personal data. The all-ones
/// `255.255.255.255` is left to be reported like other addresses (Presidio's cases expect it).
pub(crate) fn is_netmask(quad: &[u8]) -> bool {
    let end = quad
        .iter()
        .position(|c| matches!(c, b':' | b'/'))
        .unwrap_or(quad.len());
    let Some(ip) = std::str::from_utf8(&quad[..end])
        .ok()
        .and_then(|q| q.parse::<std::net::Ipv4Addr>().ok())
    else {
        return false;
    };
    let v = u32::from(ip);
    v >> 24 == 255 && v != u32::MAX && v.leading_ones() + v.trailing_zeros() == 32
}

/// End of a `:8080` port right after an IPv4 address ending at `p`, or `p`. The port is
/// part of the span: left behind, it would be read as a number of its own (a CVV after
/// `cvv 123 …`) once the address is redacted.
fn port_end(b: &[u8], p: usize) -> usize {
    if b.get(p) != Some(&b':') {
        return p;
    }
    let d = b[p + 1..]
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let q = p + 1 + d;
    let value = b[p + 1..q]
        .iter()
        .fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
    let clean = b.get(q).is_none_or(|&c| {
        !(c.is_ascii_alphanumeric() || (c == b'.' && b.get(q + 1).is_some_and(u8::is_ascii_digit)))
    });
    if (1..=5).contains(&d) && value <= 65535 && clean {
        q
    } else {
        p
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

    #[test]
    fn netmasks_are_told_from_hosts() {
        for m in [
            "255.255.255.0",
            "255.255.240.0",
            "255.0.0.0",
            "255.255.255.128/32",
        ] {
            assert!(is_netmask(m.as_bytes()), "{m}");
        }
        for h in [
            "255.255.0.255",
            "10.0.0.1",
            "192.168.1.255",
            "255.1.0.0",
            "255.255.255.255",
        ] {
            assert!(!is_netmask(h.as_bytes()), "{h}");
        }
    }
}
