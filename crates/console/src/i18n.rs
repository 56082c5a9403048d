//! The console's side of the one catalogue (`jaga_i18n`): the language, the messages and the
//! translator are re-exported from there; this module adds what needs the core, the messages for
//! its validation codes.

pub use jaga_i18n::{Lang, M, Tr};

/// The message for a core validation code (`invalid_phone` ...), with its parameters filled.
pub fn validation(tr: Tr, code: &str, field: &str) -> String {
    let m = match code {
        "too_long" => {
            let max = match field {
                "notes" => jaga_core::validate::MAX_NOTES,
                "full_name" => jaga_core::validate::MAX_NAME,
                _ => 200,
            };
            return tr.f(M::VTooLong, &[("max", &max.to_string())]);
        }
        "invalid_characters" => M::VInvalidCharacters,
        "required" | "missing" | "empty" => M::VRequired,
        "invalid_email" => M::VInvalidEmail,
        "invalid_phone" => M::VInvalidPhone,
        "invalid_nik" => M::VInvalidNik,
        "invalid_date" => M::VInvalidDate,
        "invalid_postal_code" => M::VInvalidPostalCode,
        "invalid_code" => M::VInvalidCode,
        "password_too_short" => M::VPasswordTooShort,
        "password_too_long" => M::VPasswordTooLong,
        "password_common" => M::VPasswordCommon,
        "password_context" => M::VPasswordContext,
        c if c.starts_with("password") => M::VPasswordWeak,
        _ => M::VInvalid,
    };
    tr.t(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_codes_have_messages() {
        assert!(validation(Tr(Lang::En), "too_long", "notes").contains("10000"));
        assert_eq!(
            validation(Tr(Lang::Id), "invalid_phone", "phone"),
            "bukan nomor telepon yang valid"
        );
        assert_eq!(
            validation(Tr(Lang::En), "something_new", "x"),
            Tr(Lang::En).t(M::VInvalid)
        );
    }
}
