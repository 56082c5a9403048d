//! The write guard's refusals as every console form shows them: an error at the field, in the
//! member's language, and the typed text kept minus what was refused (card numbers masked to
//! their last four digits, CVVs masked entirely: `jaga_core::notes::refused_draft`). A refused
//! value is never echoed as typed.

use crate::i18n::Tr;
use jaga_core::notes::refused_draft;

/// Whether the write guard refuses `text` (a card number or a CVV in it).
pub fn refused(text: &str) -> bool {
    jaga_redact::card::contains_card_number(text) || jaga_core::guard::check_note(text).is_err()
}

/// `text` as it may be shown back: unchanged when the guard accepts it, masked when it refuses.
pub fn shown(text: &str) -> String {
    if refused(text) {
        refused_draft(text)
    } else {
        text.to_string()
    }
}

/// Errors of a form by field name, shown at the field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// The error of `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Records `message` at `field` (the first message per field stays).
    pub fn push(&mut self, field: &str, message: String) {
        if self.get(field).is_none() {
            self.0.push((field.to_string(), message));
        }
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields with an error.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(f, _)| f.as_str())
    }
}

/// Runs each `(name, value)` through the guard: a refused value is replaced by its masked draft
/// and its field gets the message (card number or CVV) in the member's language.
pub fn screen_fields(tr: Tr, fields: &mut [(&str, &mut String)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (name, value) in fields.iter_mut() {
        if refused(value) {
            errors.push(name, crate::customers::notes::card_message(tr, value));
            **value = refused_draft(value);
        }
    }
    errors
}

/// Audits each refused field (`request.card_number_rejected`, the field name only, never the
/// value), as the API's guard does.
pub async fn audit(
    state: &jaga_server::AppState,
    caller: &jaga_core::auth::Caller,
    customer: Option<uuid::Uuid>,
    errors: &FieldErrors,
) -> Result<(), crate::web::Fail> {
    for f in errors.fields() {
        state
            .vault
            .refuse_card_number(caller, customer, f)
            .await
            .map_err(crate::web::Fail::from)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_values_are_masked_and_others_kept() {
        assert_eq!(shown("Toko Melati"), "Toko Melati");
        for ok in [
            "last four digits 9401, holder PT Glow Beauty",
            "akhiran 5673",
            "INV-2026-07",
            "alamat fiktif",
        ] {
            assert!(!refused(ok), "{ok}");
        }
        let s = shown("kartu 4111 1111 1111 1111");
        assert!(
            !s.contains("4111 1111 1111 1111") && s.ends_with("1111"),
            "{s}"
        );
        assert!(!shown("CVV 123").contains("123"));
        assert!(!refused(&shown("kartu 4111 1111 1111 1111 cvv 123")));
    }

    #[test]
    fn screening_puts_the_message_at_the_field() {
        let tr = Tr(jaga_i18n::Lang::En);
        let (mut a, mut b) = ("ok".to_string(), "CVV 123".to_string());
        let e = screen_fields(tr, &mut [("a", &mut a), ("b", &mut b)]);
        assert!(e.get("a").is_none());
        assert!(e.get("b").unwrap().contains("CVV"));
        assert_eq!(a, "ok");
        assert!(!b.contains("123"));
    }
}
