//! Links: `<a href>` with their visible text from HTML bodies, bare URLs from text bodies, the
//! visible text of HTML (for the language signals), and the link checks (text showing one domain
//! while the target is another; raw IP, user-info, shorteners).
//!
//! A small tolerant scanner, not an HTML parser: it never fails, and stops after
//! [`MAX_LINKS`] links or [`MAX_HTML`] bytes.

use crate::domain::Host;

/// Most links looked at per mail.
pub const MAX_LINKS: usize = 400;
/// Most HTML bytes scanned per body.
pub const MAX_HTML: usize = 512 * 1024;

/// A link: target and what the reader sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The `href` (entity-decoded, trimmed).
    pub href: String,
    /// The visible text (tags removed, whitespace collapsed); empty for bare URLs.
    pub text: String,
}

/// Link trackers and safe-link rewriters: a link through them shows another domain by design.
const REDIRECTORS: &[&str] = &[
    "list-manage.com",
    "mailchimp.com",
    "mcusercontent.com",
    "sendgrid.net",
    "sendgrid.com",
    "mandrillapp.com",
    "mailgun.org",
    "mailgun.net",
    "mlsend.com",
    "mailerlite.com",
    "hubspotlinks.com",
    "hs-sites.com",
    "sparkpostmail.com",
    "awstrack.me",
    "rs6.net",
    "constantcontact.com",
    "klaviyomail.com",
    "klclick.com",
    "klclick1.com",
    "klclick2.com",
    "klclick3.com",
    "sendibt3.com",
    "sendibt2.com",
    "brevo.com",
    "sendinblue.com",
    "mjt.lu",
    "cmail19.com",
    "cmail20.com",
    "createsend.com",
    "exacttarget.com",
    "safelinks.protection.outlook.com",
    "outlook.com",
    "urldefense.com",
    "urldefense.proofpoint.com",
    "mimecastprotect.com",
    "google.com",
    "doubleclick.net",
    "facebook.com",
    "l.instagram.com",
    "lnkd.in",
    "linkedin.com",
    "t.co",
    "moengage.com",
    "clevertap.com",
    "appsflyer.com",
    "onelink.me",
    "app.link",
    "adj.st",
    "branch.io",
    "shopee.co.id",
    "tokopedia.link",
    "tokopedia.com",
];

/// URL shorteners: the reader cannot see where the link goes.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "cutt.ly",
    "rb.gy",
    "t.ly",
    "is.gd",
    "shorturl.at",
    "ow.ly",
    "s.id",
    "rebrand.ly",
    "tiny.cc",
    "buff.ly",
    "v.gd",
    "shorturl.asia",
    "bit.do",
];

/// Whether the registrable domain is a link tracker or safe-link rewriter.
pub fn is_redirector(host: &Host) -> bool {
    REDIRECTORS.contains(&host.registrable.as_str()) || REDIRECTORS.contains(&host.ascii.as_str())
}

/// Whether the host is a URL shortener.
pub fn is_shortener(host: &Host) -> bool {
    SHORTENERS.contains(&host.ascii.as_str()) || SHORTENERS.contains(&host.registrable.as_str())
}

/// Decodes the few entities that matter in URLs and link text.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..floor_char(rest, 12)].find(';');
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Finds the value of attribute `name` in a tag's inside (`a href="…" class=x`).
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let v = tag[tag.len() - after.len() + 1..].trim_start();
        let value = match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or(""),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        return Some(decode_entities(value.trim()));
    }
    None
}

/// The `<a href>` links of an HTML body and its visible text.
pub fn scan_html(html: &str) -> (Vec<Link>, String) {
    let html = &html[..floor_char(html, MAX_HTML)];
    let mut links = Vec::new();
    let mut visible = String::with_capacity(html.len() / 2);
    let mut open: Option<(String, String)> = None;
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if skip_until.is_none() {
            let t = decode_entities(text);
            visible.push_str(&t);
            if let Some((_, ref mut txt)) = open {
                txt.push_str(&t);
            }
        }
        rest = &rest[lt + 1..];
        let gt = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..gt];
        rest = rest.get(gt + 1..).unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match (name.as_str(), closing) {
            ("style", false) => skip_until = Some("style"),
            ("script", false) => skip_until = Some("script"),
            ("a", false) => {
                if let Some((href, text)) = open.take() {
                    push_link(&mut links, href, text);
                }
                open = attr(tag, "href").map(|h| (h, String::new()));
            }
            ("a", true) => {
                if let Some((href, text)) = open.take() {
                    push_link(&mut links, href, text);
                }
            }
            ("br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "table", _) => {
                visible.push('\n')
            }
            _ => {}
        }
        if links.len() >= MAX_LINKS {
            break;
        }
    }
    if skip_until.is_none() {
        visible.push_str(&decode_entities(rest));
    }
    if let Some((href, text)) = open.take() {
        push_link(&mut links, href, text);
    }
    (links, visible)
}

fn push_link(links: &mut Vec<Link>, href: String, text: String) {
    if links.len() < MAX_LINKS {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        links.push(Link { href, text });
    }
}

fn floor_char(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Bare `http(s)://` URLs of a text body.
pub fn scan_text(text: &str, links: &mut Vec<Link>) {
    let text = &text[..floor_char(text, MAX_HTML)];
    let mut rest = text;
    while links.len() < MAX_LINKS {
        let at = match (rest.find("http://"), rest.find("https://")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        let url: String = rest[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | ')' | ']'))
            .collect();
        rest = &rest[at + url.len().max(1)..];
        links.push(Link {
            href: url.trim_end_matches(['.', ',', ';']).to_string(),
            text: String::new(),
        });
    }
}

/// The parts of a URL that matter: host (if any), whether it had user-info, whether the host is
/// a raw IP address, and whether it hides zero-width characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The host, parsed.
    pub host: Option<Host>,
    /// The raw host text.
    pub raw_host: String,
    /// `user@host` form.
    pub userinfo: bool,
    /// A literal IPv4/IPv6 address.
    pub ip: bool,
}

/// Parses an absolute `http(s)` URL (or a bare `www.` host); `None` for other schemes.
pub fn target(url: &str) -> Option<Target> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        &url[url.len() - r.len()..]
    } else if let Some(r) = lower.strip_prefix("http://") {
        &url[url.len() - r.len()..]
    } else if lower.starts_with("//") {
        &url[2..]
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((_, h)) => (true, h),
        None => (false, authority),
    };
    let host = if hostport.starts_with('[') {
        hostport
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
    };
    let ip = host.parse::<std::net::IpAddr>().is_ok() || hostport.starts_with('[');
    Some(Target {
        host: Host::parse(host),
        raw_host: host.to_string(),
        userinfo,
        ip,
    })
}

/// The domain a link's visible text shows, if the text looks like a URL or a host name
/// (`https://bank.example/…`, `www.glowbeauty.co.id`, `glowbeauty.co.id/invoice`).
pub fn shown_host(text: &str) -> Option<Host> {
    let t = text
        .trim()
        .trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '[' | ']'));
    if t.is_empty() || t.len() > 300 {
        return None;
    }
    if let Some(tg) = target(t) {
        return tg.host;
    }
    let first = t.split_whitespace().next()?;
    if first != t {
        return None;
    }
    let host = first.split(['/', '?', '#']).next()?;
    if host.contains('@') || !host.contains('.') {
        return None;
    }
    let tld = host.rsplit('.').next()?;
    if tld.len() < 2 || !tld.chars().all(|c| c.is_alphabetic()) {
        return None;
    }
    Host::parse(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_visible_text() {
        let (links, text) = scan_html(
            "<p>Hi</p><a class=x HREF='https://evil.example/login?a=1&amp;b=2'>www.bca.co.id</a>\
             <style>.a{}</style><A href=\"http://x.test\"><b>Lihat</b> tagihan</a> &amp; done",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].href, "https://evil.example/login?a=1&b=2");
        assert_eq!(links[0].text, "www.bca.co.id");
        assert_eq!(links[1].text, "Lihat tagihan");
        assert!(text.contains("Hi") && text.contains("& done") && !text.contains(".a{}"));
    }

    #[test]
    fn urls_and_shown_hosts() {
        let t = target("https://user@10.0.0.1:8080/x").unwrap();
        assert!(t.userinfo && t.ip);
        let t = target("HTTPS://Pay.Example.COM/x").unwrap();
        assert_eq!(t.host.unwrap().registrable, "example.com");
        assert!(target("mailto:a@b.c").is_none());
        assert_eq!(
            shown_host("www.bca.co.id").unwrap().registrable,
            "bca.co.id"
        );
        assert_eq!(
            shown_host("https://klikbca.com/").unwrap().registrable,
            "klikbca.com"
        );
        assert!(shown_host("Klik di sini").is_none());
        assert!(shown_host("v1.2").is_none());
        let mut l = Vec::new();
        scan_text("see https://a.example/x, and http://b.example.", &mut l);
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].href, "http://b.example");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&#46;b&#x2E;c &bogus; &"),
            "a.b.c &bogus; &"
        );
        assert_eq!(decode_entities("&ééééééé;"), "&ééééééé;");
        assert_eq!(decode_entities("&a漢漢漢漢"), "&a漢漢漢漢");
    }
}
