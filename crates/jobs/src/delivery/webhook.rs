//! The webhook channel: each delivery as a `text/plain` HTTPS POST, with an optional bearer
//! token and an optional HMAC signature of the body.

use super::{Delivery, rel};
use crate::{Ctx, JobError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;
use zeroize::Zeroizing;

/// The header that carries the body's signature: `sha256=<hex HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "x-jaga-signature";

/// The value of [`SIGNATURE_HEADER`] for `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Where a webhook's credentials are (files, relative to the data directory).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Auth<'a> {
    /// Bearer token file.
    pub token_file: Option<&'a str>,
    /// Signing secret file.
    pub secret_file: Option<&'a str>,
}

/// Reads a credential file, trimmed; an empty one is a configuration error.
fn read_secret(data_dir: &Path, file: &str, what: &str) -> Result<Zeroizing<String>, JobError> {
    let text = Zeroizing::new(
        std::fs::read_to_string(rel(data_dir, file))
            .ctx(format_args!("reading the webhook {what} file {file}"))?,
    );
    let trimmed = Zeroizing::new(text.trim().to_string());
    if trimmed.is_empty() {
        return Err(JobError::msg(format!(
            "the webhook {what} file {file} is empty"
        )));
    }
    Ok(trimmed)
}

/// POSTs `d` to `url`.
pub(super) async fn send(
    client: &reqwest::Client,
    data_dir: &Path,
    url: &str,
    auth: Auth<'_>,
    d: &Delivery,
) -> Result<(), JobError> {
    let (kind, body, size) = match d {
        Delivery::Checkpoint { size, note, .. } => ("checkpoint", note.clone(), Some(*size)),
        Delivery::Report { body, .. } => ("report", body.clone(), None),
        Delivery::Alert { body, .. } => ("alert", body.clone(), None),
    };
    let content_type = if kind == "alert" {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut req = client
        .post(url)
        .header("content-type", content_type)
        .header("x-jaga-kind", kind);
    if let Some(size) = size {
        req = req.header("x-jaga-checkpoint-size", size.to_string());
    }
    if let Some(tf) = auth.token_file {
        let token = read_secret(data_dir, tf, "token")?;
        req = req.bearer_auth(token.as_str());
    }
    if let Some(sf) = auth.secret_file {
        let secret = read_secret(data_dir, sf, "secret")?;
        req = req.header(
            SIGNATURE_HEADER,
            signature(secret.as_bytes(), body.as_bytes()),
        );
    }
    let resp = req.body(body).send().await.ctx("webhook request failed")?;
    if !resp.status().is_success() {
        return Err(JobError::msg(format!(
            "webhook answered HTTP {}",
            resp.status().as_u16()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(
            signature(b"Jefe", b"what do ya want for nothing!"),
            signature(b"Jefe", b"what do ya want for nothing?")
        );
        assert_ne!(signature(b"Jeff", b"x"), signature(b"Jefe", b"x"));
    }

    #[test]
    fn an_empty_or_missing_secret_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s"), "  \n").unwrap();
        let e = read_secret(dir.path(), "s", "secret").unwrap_err();
        assert!(e.to_string().contains("is empty"), "{e}");
        let e = read_secret(dir.path(), "missing", "secret").unwrap_err();
        assert!(e.to_string().contains("secret file missing"), "{e}");
        std::fs::write(dir.path().join("s"), "k3y\n").unwrap();
        assert_eq!(
            read_secret(dir.path(), "s", "secret").unwrap().as_str(),
            "k3y"
        );
    }
}
