//! `public_url`: the address staff and customers reach Jaga at. Every link Jaga writes
//! (invitations, e-mails, alerts, letters) starts with it; it is never taken from a request.
//!
//! Set it in `jaga.toml` (`public_url = "https://jaga.toko.example"`) or `JAGA_PUBLIC_URL`.
//! Unset, it follows from the listen address and the certificate: the address the server
//! listens on when the certificate names it (Jaga's own certificate names `localhost` and
//! `127.0.0.1`), else the certificate's first host name, with the port unless it is 443.

use anyhow::{Result, bail};
use std::net::{IpAddr, SocketAddr};

/// Checks a configured `public_url`: `https://host[:port][/path]`, no user, query or fragment.
/// Returns it without a trailing slash.
pub fn check(raw: &str) -> Result<String> {
    let v = raw.trim();
    let Ok(u) = url::Url::parse(v) else {
        bail!("public_url must be an address such as https://jaga.toko.example:8443 (got {v:?})");
    };
    if u.scheme() != "https" {
        bail!(
            "public_url must start with https:// (Jaga serves HTTPS only; staff would get a link that does not open)"
        );
    }
    if u.host_str().is_none_or(str::is_empty) {
        bail!("public_url needs a host name, e.g. https://jaga.toko.example");
    }
    if !u.username().is_empty() || u.password().is_some() {
        bail!("public_url must not hold a user name or password");
    }
    if u.query().is_some() || u.fragment().is_some() {
        bail!("public_url must not have a query (?…) or fragment (#…)");
    }
    Ok(u.as_str().trim_end_matches('/').to_string())
}

/// The default `public_url` for a server listening on `addr` with the certificate `cert_pem`.
pub fn default_for(addr: SocketAddr, cert_pem: Option<&[u8]>) -> String {
    let names = cert_pem.map(cert_names).unwrap_or_default();
    let ip = addr.ip();
    let named = |s: &str| names.iter().any(|n| n.eq_ignore_ascii_case(s));
    let first_host = names
        .iter()
        .find(|n| !n.starts_with("*.") && n.parse::<IpAddr>().is_err() && *n != "localhost");
    let host = if !ip.is_unspecified() && (names.is_empty() || named(&ip.to_string())) {
        ip_host(ip)
    } else if let Some(h) = first_host {
        h.clone()
    } else if !ip.is_unspecified() {
        ip_host(ip)
    } else if named("localhost") || names.is_empty() {
        "localhost".into()
    } else {
        // Listening everywhere with a certificate that names only addresses: its first one.
        names
            .iter()
            .find_map(|n| n.parse::<IpAddr>().ok())
            .map(ip_host)
            .unwrap_or_else(|| "localhost".into())
    };
    match addr.port() {
        443 => format!("https://{host}"),
        p => format!("https://{host}:{p}"),
    }
}

fn ip_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// The address a local client (`jaga unseal`) connects to for listen address `listen`:
/// `0.0.0.0`/`::` become the loopback address.
pub fn local_url(listen: &str) -> String {
    match listen.parse::<SocketAddr>() {
        Ok(a) if a.ip().is_unspecified() => {
            let lo = match a.ip() {
                IpAddr::V4(_) => "127.0.0.1".to_string(),
                IpAddr::V6(_) => "[::1]".to_string(),
            };
            format!("https://{lo}:{}", a.port())
        }
        Ok(a) => format!("https://{}:{}", ip_host(a.ip()), a.port()),
        Err(_) => format!("https://{listen}"),
    }
}

/// The DNS names and IP addresses in the subjectAltName of the first certificate in `pem`
/// (empty when it cannot be read: the caller falls back to the listen address).
pub fn cert_names(pem: &[u8]) -> Vec<String> {
    use base64::Engine;
    let Ok(text) = std::str::from_utf8(pem) else {
        return Vec::new();
    };
    let Some(start) = text.find("-----BEGIN CERTIFICATE-----") else {
        return Vec::new();
    };
    let body = &text[start + 27..];
    let Some(end) = body.find("-----END CERTIFICATE-----") else {
        return Vec::new();
    };
    let b64: String = body[..end].split_whitespace().collect();
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(der) => san_names(&der),
        Err(_) => Vec::new(),
    }
}

/// One DER element at `pos`: (tag, content range).
fn element(der: &[u8], pos: usize) -> Option<(u8, std::ops::Range<usize>)> {
    let tag = *der.get(pos)?;
    let first = *der.get(pos + 1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 3 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*der.get(pos + 2 + i)?);
        }
        (len, 2 + n)
    };
    let start = pos + head;
    let end = start.checked_add(len)?;
    (end <= der.len()).then_some((tag, start..end))
}

/// The subjectAltName (OID 2.5.29.17) names of a DER certificate.
fn san_names(der: &[u8]) -> Vec<String> {
    const SAN_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x1d, 0x11];
    let Some(at) = der.windows(5).position(|w| w == SAN_OID) else {
        return Vec::new();
    };
    let mut pos = at + 5;
    // An optional `critical` BOOLEAN, then the OCTET STRING holding the GeneralNames.
    if let Some((0x01, r)) = element(der, pos) {
        pos = r.end;
    }
    let Some((0x04, octets)) = element(der, pos) else {
        return Vec::new();
    };
    let Some((0x30, seq)) = element(der, octets.start) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut p = seq.start;
    while p < seq.end {
        let Some((tag, r)) = element(der, p) else {
            break;
        };
        let v = &der[r.clone()];
        match (tag, v.len()) {
            (0x82, _) => {
                if let Ok(s) = std::str::from_utf8(v) {
                    out.push(s.to_ascii_lowercase());
                }
            }
            (0x87, 4) => out.push(IpAddr::from([v[0], v[1], v[2], v[3]]).to_string()),
            (0x87, 16) => {
                let mut b = [0u8; 16];
                b.copy_from_slice(v);
                out.push(IpAddr::from(b).to_string());
            }
            _ => {}
        }
        p = r.end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(names: &[&str]) -> Vec<u8> {
        rcgen::generate_simple_self_signed(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap()
            .cert
            .pem()
            .into_bytes()
    }

    #[test]
    fn names_are_read_from_the_certificate() {
        assert_eq!(
            cert_names(&cert(&["localhost", "127.0.0.1"])),
            ["localhost", "127.0.0.1"]
        );
        assert_eq!(
            cert_names(&cert(&["Toko.Example", "10.0.0.5", "::1"])),
            ["toko.example", "10.0.0.5", "::1"]
        );
        assert!(cert_names(b"not a certificate").is_empty());
        assert!(
            cert_names(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----").is_empty()
        );
    }

    #[test]
    fn defaults_follow_the_listen_address_and_the_certificate() {
        let own = cert(&["localhost", "127.0.0.1"]);
        let shop = cert(&["jaga.toko.example", "*.toko.example"]);
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(
            default_for(a("127.0.0.1:8443"), Some(&own)),
            "https://127.0.0.1:8443"
        );
        assert_eq!(
            default_for(a("0.0.0.0:8443"), Some(&own)),
            "https://localhost:8443"
        );
        assert_eq!(
            default_for(a("0.0.0.0:443"), Some(&shop)),
            "https://jaga.toko.example"
        );
        assert_eq!(
            default_for(a("10.0.0.5:8443"), Some(&shop)),
            "https://jaga.toko.example:8443"
        );
        assert_eq!(default_for(a("[::1]:9000"), None), "https://[::1]:9000");
    }

    #[test]
    fn configured_urls_are_checked() {
        assert_eq!(
            check("https://jaga.toko.example/").unwrap(),
            "https://jaga.toko.example"
        );
        assert_eq!(
            check(" https://10.0.0.5:8443 ").unwrap(),
            "https://10.0.0.5:8443"
        );
        assert_eq!(
            check("https://toko.example/jaga/").unwrap(),
            "https://toko.example/jaga"
        );
        for bad in [
            "http://toko.example",
            "toko.example",
            "https://user:pw@toko.example",
            "https://toko.example/?a=1",
            "https://toko.example/#x",
            "",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_clients_reach_a_wildcard_listener_on_loopback() {
        assert_eq!(local_url("0.0.0.0:8443"), "https://127.0.0.1:8443");
        assert_eq!(local_url("[::]:9000"), "https://[::1]:9000");
        assert_eq!(local_url("10.0.0.5:8443"), "https://10.0.0.5:8443");
    }
}
