//! TOTP enrolment as the edge shows it: the core hands out the secret and its `otpauth://` URI;
//! the QR code of that URI is drawn here ([`qr_svg`]), for the JSON API's responses and for the
//! console's enrolment pages alike.

use crate::error::ApiError;
use axum::http::StatusCode;
use jaga_core::staff;
use serde::Serialize;
use utoipa::ToSchema;

/// What to show for TOTP enrolment: the secret for manual entry, the `otpauth://` URI and a QR
/// code of it as SVG.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base32 (manual entry).
    pub secret: String,
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG document.
    pub qr_svg: String,
}

impl TotpEnrolment {
    /// The core's enrolment data with its QR code drawn.
    pub fn draw(e: staff::TotpEnrolment) -> Result<Self, ApiError> {
        let qr_svg = qr_svg(&e.otpauth_uri).ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        })?;
        Ok(Self {
            secret: e.secret,
            otpauth_uri: e.otpauth_uri,
            qr_svg,
        })
    }
}

/// A pending authenticator replacement: what to show (secret, URI, QR) and the ticket to hand
/// back with the first code from the new authenticator.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpReplacement {
    /// The new secret, its URI and QR code.
    pub enrolment: TotpEnrolment,
    /// Opaque, sealed and short-lived; send it back to confirm.
    pub ticket: String,
}

impl TotpReplacement {
    /// The core's replacement with its QR code drawn.
    pub fn draw(r: staff::TotpReplacement) -> Result<Self, ApiError> {
        Ok(Self {
            enrolment: TotpEnrolment::draw(r.enrolment)?,
            ticket: r.ticket,
        })
    }
}

/// `text` (an `otpauth://` URI) as a QR code, an SVG document at least 200 × 200; `None` if it
/// does not fit in a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        qr.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_and_too_much_text_is_refused() {
        let svg = qr_svg("otpauth://totp/Jaga:a%40b.example?secret=ABC&issuer=Jaga").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        assert!(qr_svg(&"x".repeat(8000)).is_none());
        let drawn = TotpEnrolment::draw(staff::TotpEnrolment {
            secret: "ABC".into(),
            otpauth_uri: "otpauth://totp/x?secret=ABC".into(),
        })
        .unwrap();
        assert_eq!(drawn.secret, "ABC");
        assert!(drawn.qr_svg.contains("<svg"));
    }
}
