//! The e-mail witness: each checkpoint (and the access review) mailed to the owner with
//! `lettre` over STARTTLS, TLS, or plain SMTP to a relay on the same machine.

use super::{Delivery, SmtpTls, WitnessConfig, mail_text, rel};
use crate::{Ctx, JobError};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;
use std::time::Duration;

/// Sends `d` through the SMTP witness `w`.
pub(super) async fn send(data_dir: &Path, w: &WitnessConfig, d: &Delivery) -> Result<(), JobError> {
    let WitnessConfig::Smtp {
        host,
        port,
        tls,
        from,
        to,
        username,
        password_file,
    } = w
    else {
        return Err(JobError::msg("not an SMTP witness"));
    };
    let (subject, body) = mail_text(d);
    let email = Message::builder()
        .from(
            from.parse()
                .ctx("audit.witness smtp `from` is not an address")?,
        )
        .to(to
            .parse()
            .ctx("audit.witness smtp `to` is not an address")?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .ctx("building the e-mail")?;
    let builder = match tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
            .port(port.unwrap_or(25)),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .ctx("SMTP STARTTLS setup")?
            .port(port.unwrap_or(587)),
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .ctx("SMTP TLS setup")?
            .port(port.unwrap_or(465)),
    };
    let mut builder = builder.timeout(Some(Duration::from_secs(20)));
    if let Some(user) = username {
        let pw = match password_file {
            Some(f) => std::fs::read_to_string(rel(data_dir, f))
                .ctx(format_args!("reading the SMTP password file {f}"))?
                .trim()
                .to_string(),
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(user.clone(), pw));
    }
    builder.build().send(email).await.map(|_| ()).map_err(|e| {
        // The server's reply may quote addresses: report only the class of failure.
        JobError::msg(format!(
            "SMTP delivery failed ({})",
            if e.is_permanent() {
                "permanent"
            } else if e.is_transient() {
                "transient"
            } else if e.is_timeout() {
                "timeout"
            } else {
                "connection"
            }
        ))
    })
}
