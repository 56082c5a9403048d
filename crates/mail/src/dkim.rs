//! DKIM verification (RFC 6376, RFC 8463) with keys the shop provides: no DNS is ever asked.
//!
//! `rsa-sha256` (keys of 1024 bits and more, as DKIM still allows) and `ed25519-sha256`, simple
//! and relaxed canonicalisation. A signature whose body length (`l=`) covers only part of the
//! body fails: the rest could be anything. `rsa-sha1` fails as too weak. Signatures without a
//! provided key are skipped (no verdict). The signature check itself is `ring`'s.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mail_parser::Message;
use ring::signature;
use sha2_shim::sha256;

/// A public key for `selector._domainkey.domain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    /// Selector (`s=`).
    pub selector: String,
    /// Signing domain (`d=`).
    pub domain: String,
    /// The TXT record, e.g. `v=DKIM1; k=ed25519; p=…`.
    pub record: String,
}

impl DkimKey {
    /// Parses a line `selector._domainkey.domain TXT-record` (the form `dig` prints, quotes
    /// optional). `None` for anything else.
    pub fn parse_line(line: &str) -> Option<DkimKey> {
        let line = line.trim();
        let (name, rest) = line.split_once(char::is_whitespace)?;
        let (selector, domain) = name.trim_end_matches('.').split_once("._domainkey.")?;
        let record: String = rest
            .split('"')
            .enumerate()
            .map(|(i, s)| {
                if rest.contains('"') && i % 2 == 0 {
                    ""
                } else {
                    s
                }
            })
            .collect();
        if selector.is_empty() || domain.is_empty() || !record.contains("p=") {
            return None;
        }
        Some(DkimKey {
            selector: selector.to_ascii_lowercase(),
            domain: domain.to_ascii_lowercase(),
            record: record.trim().to_string(),
        })
    }
}

/// The outcome of one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Verified for this domain.
    Pass(String),
    /// Did not verify (domain, reason).
    Fail(String, Why),
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The body hash differs.
    Body,
    /// The signature over the headers does not match.
    Signature,
    /// The key record is empty (`p=`).
    Revoked,
    /// `l=` covers only part of the body.
    Partial,
    /// `rsa-sha1`.
    Weak,
    /// A tag or the key cannot be read.
    Malformed,
}

fn tags(s: &str) -> Vec<(String, String)> {
    s.split(';')
        .filter_map(|t| t.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.chars().filter(|c| !c.is_whitespace()).collect(),
            )
        })
        .collect()
}

fn tag<'a>(t: &'a [(String, String)], name: &str) -> Option<&'a str> {
    t.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Header fields of a CRLF message as (name, raw field including its CRLF), and the body.
fn split(raw: &[u8]) -> (Vec<(String, &[u8])>, &[u8]) {
    let mut fields: Vec<(String, &[u8])> = Vec::new();
    let mut at = 0;
    let mut start = 0;
    while at < raw.len() {
        let end = raw[at..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map_or(raw.len(), |p| at + p + 2);
        let line = &raw[at..end];
        if line == b"\r\n" {
            if at > start {
                push_field(&mut fields, &raw[start..at]);
            }
            return (fields, &raw[end..]);
        }
        let continuation = line.first().is_some_and(|c| *c == b' ' || *c == b'\t');
        if !continuation && at > start {
            push_field(&mut fields, &raw[start..at]);
            start = at;
        }
        at = end;
    }
    if at > start {
        push_field(&mut fields, &raw[start..at]);
    }
    (fields, &[])
}

fn push_field<'a>(fields: &mut Vec<(String, &'a [u8])>, f: &'a [u8]) {
    if let Some(colon) = f.iter().position(|c| *c == b':') {
        let name = String::from_utf8_lossy(&f[..colon])
            .trim()
            .to_ascii_lowercase();
        fields.push((name, f));
    }
}

fn relaxed_header(field: &[u8]) -> Vec<u8> {
    let colon = field.iter().position(|c| *c == b':').unwrap_or(0);
    let name = String::from_utf8_lossy(&field[..colon])
        .trim()
        .to_ascii_lowercase();
    let mut out = name.into_bytes();
    out.push(b':');
    let mut value = Vec::new();
    let mut space = false;
    for &c in &field[colon + 1..] {
        match c {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => space = true,
            _ => {
                if space && !value.is_empty() {
                    value.push(b' ');
                }
                space = false;
                value.push(c);
            }
        }
    }
    out.extend(value);
    out.extend_from_slice(b"\r\n");
    out
}

fn canonical_body(body: &[u8], relaxed: bool) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = body
        .split(|c| *c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .collect();
    if body.ends_with(b"\n") {
        lines.pop();
    }
    if relaxed {
        for l in &mut lines {
            let mut out = Vec::with_capacity(l.len());
            let mut space = false;
            for &c in l.iter() {
                if c == b' ' || c == b'\t' {
                    space = true;
                } else {
                    if space {
                        out.push(b' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
            *l = out;
        }
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = Vec::with_capacity(body.len() + 2);
    for l in &lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    if out.is_empty() && !relaxed {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The signature header with its `b=` value removed (RFC 6376 §3.7). The field's final CRLF
/// is dropped by the caller anyway.
fn without_b(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    for (i, seg) in field.split(|c| *c == b';').enumerate() {
        if i > 0 {
            out.push(b';');
        }
        let eq = seg.iter().position(|c| *c == b'=');
        let is_b = i > 0
            && eq.is_some_and(|e| {
                seg[..e]
                    .iter()
                    .filter(|c| !c.is_ascii_whitespace())
                    .eq(b"b".iter())
            });
        match (is_b, eq) {
            (true, Some(e)) => out.extend_from_slice(&seg[..=e]),
            _ => out.extend_from_slice(seg),
        }
    }
    out
}

/// The RSAPublicKey inside a SubjectPublicKeyInfo (or the input when it is already one).
fn rsa_key(der: &[u8]) -> Option<&[u8]> {
    fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let tag = *d.first()?;
        let len0 = *d.get(1)? as usize;
        let (len, hdr) = if len0 < 0x80 {
            (len0, 2)
        } else {
            let n = len0 & 0x7f;
            if n == 0 || n > 3 {
                return None;
            }
            let mut l = 0usize;
            for i in 0..n {
                l = (l << 8) | *d.get(2 + i)? as usize;
            }
            (l, 2 + n)
        };
        let body = d.get(hdr..hdr.checked_add(len)?)?;
        Some((tag, body, &d[hdr + len..]))
    }
    let (tag, seq, _) = tlv(der)?;
    if tag != 0x30 {
        return None;
    }
    let (first_tag, _, rest) = tlv(seq)?;
    if first_tag == 0x02 {
        return Some(der); // already RSAPublicKey
    }
    let (bit_tag, bits, _) = tlv(rest)?;
    (bit_tag == 0x03 && bits.first() == Some(&0)).then(|| &bits[1..])
}

/// Normalises line ends to CRLF (uploaded `.eml` files often have bare LF).
fn crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 32);
    let mut prev = 0u8;
    for &c in raw {
        if c == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Verifies every DKIM signature of the message for which a key is given (at most 8).
pub fn verify(_msg: &Message<'_>, raw: &[u8], keys: &[DkimKey]) -> Vec<Verdict> {
    let norm = crlf(raw);
    let (fields, body) = split(&norm);
    let mut out = Vec::new();
    for (_, sig_field) in fields.iter().filter(|(n, _)| n == "dkim-signature").take(8) {
        let colon = sig_field.iter().position(|c| *c == b':').unwrap_or(0);
        let t = tags(&String::from_utf8_lossy(&sig_field[colon + 1..]));
        let (Some(d), Some(s)) = (tag(&t, "d"), tag(&t, "s")) else {
            continue;
        };
        let d = d.to_ascii_lowercase();
        let Some(key) = keys
            .iter()
            .find(|k| k.domain == d && k.selector.eq_ignore_ascii_case(s))
        else {
            continue;
        };
        out.push(match check_one(&t, sig_field, &fields, body, key) {
            Ok(()) => Verdict::Pass(d),
            Err(why) => Verdict::Fail(d, why),
        });
    }
    out
}

fn check_one(
    t: &[(String, String)],
    sig_field: &[u8],
    fields: &[(String, &[u8])],
    body: &[u8],
    key: &DkimKey,
) -> Result<(), Why> {
    let alg = tag(t, "a").unwrap_or("");
    let c = tag(t, "c").unwrap_or("simple/simple").to_ascii_lowercase();
    let (hc, bc) = c.split_once('/').unwrap_or((c.as_str(), "simple"));
    let (h_relaxed, b_relaxed) = (hc == "relaxed", bc == "relaxed");
    let mut cbody = canonical_body(body, b_relaxed);
    if let Some(l) = tag(t, "l") {
        let l: usize = l.parse().map_err(|_| Why::Malformed)?;
        if l < cbody.len() {
            return Err(Why::Partial);
        }
        cbody.truncate(l);
    }
    let bh = STANDARD
        .decode(tag(t, "bh").unwrap_or(""))
        .map_err(|_| Why::Malformed)?;
    if sha256(&cbody) != bh.as_slice() {
        return Err(Why::Body);
    }
    // Signed headers, bottom-up for repeated names.
    let mut data = Vec::new();
    let mut used = vec![false; fields.len()];
    for name in tag(t, "h").unwrap_or("").split(':') {
        let name = name.trim().to_ascii_lowercase();
        if let Some(i) = (0..fields.len())
            .rev()
            .find(|&i| !used[i] && fields[i].0 == name)
        {
            used[i] = true;
            if h_relaxed {
                data.extend(relaxed_header(fields[i].1));
            } else {
                data.extend_from_slice(fields[i].1);
            }
        }
    }
    let sig_nob = without_b(sig_field);
    let mut sig_c = if h_relaxed {
        relaxed_header(&sig_nob)
    } else {
        sig_nob
    };
    while sig_c.ends_with(b"\r\n") {
        sig_c.truncate(sig_c.len() - 2);
    }
    data.extend(sig_c);
    let b = STANDARD
        .decode(tag(t, "b").unwrap_or(""))
        .map_err(|_| Why::Malformed)?;
    let kt = tags(&key.record);
    if tag(&kt, "p").is_none_or(str::is_empty) {
        return Err(Why::Revoked);
    }
    let p = STANDARD
        .decode(tag(&kt, "p").unwrap_or(""))
        .map_err(|_| Why::Malformed)?;
    match alg {
        "rsa-sha256" => {
            let k = rsa_key(&p).ok_or(Why::Malformed)?;
            signature::UnparsedPublicKey::new(
                &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                k,
            )
            .verify(&data, &b)
            .map_err(|_| Why::Signature)
        }
        "ed25519-sha256" => signature::UnparsedPublicKey::new(&signature::ED25519, &p)
            .verify(&sha256(&data), &b)
            .map_err(|_| Why::Signature),
        "rsa-sha1" => Err(Why::Weak),
        _ => Err(Why::Malformed),
    }
}

/// SHA-256 through `ring` (already the TLS stack's crypto).
mod sha2_shim {
    pub fn sha256(data: &[u8]) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, data)
            .as_ref()
            .to_vec()
    }
}

/// Signs a message with ed25519-sha256, relaxed/relaxed (tests and the corpus generator): the
/// `DKIM-Signature` field to put on top, CRLF-terminated.
#[cfg(any(test, feature = "corpus"))]
pub fn sign_ed25519(
    raw: &[u8],
    domain: &str,
    selector: &str,
    seed: &[u8; 32],
    headers: &[&str],
) -> String {
    let pair = signature::Ed25519KeyPair::from_seed_unchecked(seed).expect("seed");
    let norm = crlf(raw);
    let (fields, body) = split(&norm);
    let bh = STANDARD.encode(sha256(&canonical_body(body, true)));
    let h = headers.join(":");
    let unsigned = format!(
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d={domain}; s={selector};\r\n h={h}; bh={bh}; b="
    );
    let mut data = Vec::new();
    let mut used = vec![false; fields.len()];
    for name in headers {
        let name = name.to_ascii_lowercase();
        if let Some(i) = (0..fields.len())
            .rev()
            .find(|&i| !used[i] && fields[i].0 == name)
        {
            used[i] = true;
            data.extend(relaxed_header(fields[i].1));
        }
    }
    let mut sig_c = relaxed_header(unsigned.as_bytes());
    sig_c.truncate(sig_c.len() - 2);
    data.extend(sig_c);
    let b = STANDARD.encode(pair.sign(&sha256(&data)).as_ref());
    format!("{unsigned}{b}\r\n")
}

/// The public key record for [`sign_ed25519`]'s seed.
#[cfg(any(test, feature = "corpus"))]
pub fn ed25519_record(seed: &[u8; 32]) -> String {
    use ring::signature::KeyPair;
    let pair = signature::Ed25519KeyPair::from_seed_unchecked(seed).expect("seed");
    format!(
        "v=DKIM1; k=ed25519; p={}",
        STANDARD.encode(pair.public_key().as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: [u8; 32] = [7; 32];
    const MAIL: &str = "From: Finance <finance@glowbeauty.co.id>\r\nTo: toko@example.test\r\nSubject:  Invoice   INV-7\r\n\r\nPlease find the invoice.\r\n\r\n";

    fn key() -> DkimKey {
        DkimKey {
            selector: "s1".into(),
            domain: "glowbeauty.co.id".into(),
            record: ed25519_record(&SEED),
        }
    }

    fn signed(mail: &str) -> Vec<u8> {
        let sig = sign_ed25519(
            mail.as_bytes(),
            "glowbeauty.co.id",
            "s1",
            &SEED,
            &["from", "to", "subject"],
        );
        format!("{sig}{mail}").into_bytes()
    }

    fn run(raw: &[u8], keys: &[DkimKey]) -> Vec<Verdict> {
        let msg = mail_parser::MessageParser::default().parse(raw).unwrap();
        verify(&msg, raw, keys)
    }

    #[test]
    fn a_good_signature_verifies_with_crlf_or_lf() {
        let raw = signed(MAIL);
        assert_eq!(
            run(&raw, &[key()]),
            vec![Verdict::Pass("glowbeauty.co.id".into())]
        );
        let lf = String::from_utf8(raw).unwrap().replace("\r\n", "\n");
        assert_eq!(
            run(lf.as_bytes(), &[key()]),
            vec![Verdict::Pass("glowbeauty.co.id".into())]
        );
    }

    #[test]
    fn tampering_and_wrong_keys_fail() {
        let raw = String::from_utf8(signed(MAIL)).unwrap();
        let body = raw.replace("Please find", "Please pay to our new account");
        assert!(matches!(
            run(body.as_bytes(), &[key()])[..],
            [Verdict::Fail(_, Why::Body)]
        ));
        let subj = raw.replace("INV-7", "INV-8");
        assert!(matches!(
            run(subj.as_bytes(), &[key()])[..],
            [Verdict::Fail(_, Why::Signature)]
        ));
        let wrong = DkimKey {
            record: ed25519_record(&[9; 32]),
            ..key()
        };
        assert!(matches!(
            run(raw.as_bytes(), &[wrong])[..],
            [Verdict::Fail(..)]
        ));
        let revoked = DkimKey {
            record: "v=DKIM1; k=ed25519; p=".into(),
            ..key()
        };
        assert!(matches!(
            run(raw.as_bytes(), &[revoked])[..],
            [Verdict::Fail(_, Why::Revoked)]
        ));
        // No key for the selector: no verdict at all.
        let other = DkimKey {
            selector: "s2".into(),
            ..key()
        };
        assert!(run(raw.as_bytes(), &[other]).is_empty());
    }

    #[test]
    fn key_lines() {
        let k = DkimKey::parse_line(
            "s1._domainkey.GlowBeauty.co.id. \"v=DKIM1; k=ed25519; \" \"p=abc\"",
        )
        .unwrap();
        assert_eq!(
            (k.selector.as_str(), k.domain.as_str()),
            ("s1", "glowbeauty.co.id")
        );
        assert_eq!(k.record, "v=DKIM1; k=ed25519; p=abc");
        assert!(DkimKey::parse_line("garbage").is_none());
    }
}
