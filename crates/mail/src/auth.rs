//! `Authentication-Results` (RFC 8601): SPF, DKIM and DMARC results, believed only from the
//! shop's own receiving host (the trusted `authserv-id`), topmost header only. Any other such
//! header is a claim anyone could have written into the message, and is only counted.

/// A method's result as the receiving host wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `pass`.
    Pass,
    /// `fail` (or `softfail` for SPF).
    Fail,
    /// Anything else (`none`, `neutral`, `temperror`, `permerror`, `policy`).
    Other,
}

/// The trusted results of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    /// The trusted host that wrote them (`None`: no trusted header).
    pub authserv: Option<String>,
    /// SPF.
    pub spf: Option<Outcome>,
    /// DKIM, with the signing domain (`header.d`) of each signature.
    pub dkim: Vec<(Outcome, Option<String>)>,
    /// DMARC, with the From domain it was evaluated for (`header.from`).
    pub dmarc: Option<(Outcome, Option<String>)>,
    /// Headers from other hosts (ignored).
    pub untrusted: usize,
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth = depth.saturating_add(1),
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn outcome(method: &str, value: &str) -> Outcome {
    match value {
        "pass" => Outcome::Pass,
        "fail" | "hardfail" => Outcome::Fail,
        "softfail" if method == "spf" => Outcome::Fail,
        _ => Outcome::Other,
    }
}

/// The authserv-id of one header value (lower-case).
pub fn authserv_id(value: &str) -> String {
    let v = strip_comments(value);
    v.split(';')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Reads the `Authentication-Results` header values, topmost first.
pub fn evaluate<'a>(values: impl Iterator<Item = &'a str>, trusted: &[String]) -> Results {
    let mut r = Results::default();
    for value in values.take(64) {
        let id = authserv_id(value);
        let is_trusted = !id.is_empty() && trusted.iter().any(|t| t.eq_ignore_ascii_case(&id));
        if !is_trusted || r.authserv.is_some() {
            r.untrusted += 1;
            continue;
        }
        r.authserv = Some(id);
        let v = strip_comments(value);
        for stmt in v.split(';').skip(1) {
            let mut tokens = stmt.split_whitespace();
            let Some(first) = tokens.next() else { continue };
            let Some((method, result)) = first.split_once('=') else {
                continue;
            };
            let method = method.split('/').next().unwrap_or("").to_ascii_lowercase();
            let result = result.to_ascii_lowercase();
            let prop = |name: &str| {
                stmt.split_whitespace()
                    .filter_map(|t| t.split_once('='))
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| {
                        let v = v.trim_matches('"').to_ascii_lowercase();
                        v.rsplit('@').next().unwrap_or("").to_string()
                    })
            };
            let o = outcome(&method, &result);
            match method.as_str() {
                "spf" => r.spf = Some(merge(r.spf, o)),
                "dkim" => r
                    .dkim
                    .push((o, prop("header.d").or_else(|| prop("header.i")))),
                "dmarc" => r.dmarc = Some((o, prop("header.from"))),
                _ => {}
            }
        }
    }
    r
}

fn merge(prev: Option<Outcome>, new: Outcome) -> Outcome {
    match (prev, new) {
        (Some(Outcome::Fail), _) | (_, Outcome::Fail) => Outcome::Fail,
        (Some(Outcome::Pass), _) | (_, Outcome::Pass) => Outcome::Pass,
        _ => Outcome::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Vec<String> {
        vec!["mx.toko.example".into()]
    }

    #[test]
    fn trusted_host_only_and_topmost() {
        let r = evaluate(
            [
                "mx.toko.example; spf=pass smtp.mailfrom=a.example; dkim=fail (bad sig) header.d=a.example; dmarc=fail header.from=a.example",
                "mx.toko.example; dmarc=pass header.from=a.example",
                "evil.example; dmarc=pass header.from=a.example",
            ]
            .into_iter(),
            &t(),
        );
        assert_eq!(r.authserv.as_deref(), Some("mx.toko.example"));
        assert_eq!(r.spf, Some(Outcome::Pass));
        assert_eq!(r.dkim, vec![(Outcome::Fail, Some("a.example".into()))]);
        assert_eq!(r.dmarc, Some((Outcome::Fail, Some("a.example".into()))));
        assert_eq!(r.untrusted, 2);
    }

    #[test]
    fn forged_headers_are_ignored() {
        let r = evaluate(
            [
                "mx.toko.example.evil.example; dmarc=pass",
                "(mx.toko.example) evil; dkim=pass",
            ]
            .into_iter(),
            &t(),
        );
        assert_eq!(r.authserv, None);
        assert_eq!(r.dmarc, None);
        assert_eq!(r.untrusted, 2);
        let r = evaluate(
            ["MX.Toko.Example (comment; dmarc=pass) ; spf=softfail"].into_iter(),
            &t(),
        );
        assert_eq!(r.spf, Some(Outcome::Fail));
        assert_eq!(r.dmarc, None);
        let r = evaluate(["mx.toko.example; dmarc=pass"].into_iter(), &[]);
        assert_eq!(r.authserv, None);
    }
}
