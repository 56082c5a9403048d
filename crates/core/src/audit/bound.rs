//! The bounds every audit event is held to before it is encoded: the one place where anything a
//! request can put into an event (JSON paths, field names, purposes, actor and request ids) is
//! made safe to keep forever in an append-only log.
//!
//! Each string is screened and bounded by [`bound_text`]:
//!
//! 1. card numbers (as `jaga-redact` detects them in the *whole* string) are replaced by
//!    [`CARD_MARK`], so no truncation can leave part of one behind;
//! 2. control characters (line breaks, escapes, NUL) become `U+FFFD`, so an event can neither
//!    forge lines in an export nor be inflated sixfold by JSON escaping;
//! 3. at most [`MAX_TEXT_CHARS`] characters are kept ([`MAX_PURPOSE_CHARS`] of a purpose); the rest is replaced by a marker
//!    `…[+N chars]` that says how much was cut (a count, never the text).
//!
//! An event lists at most [`MAX_FIELDS`] field names; the rest are replaced by one marker
//! `…[+N fields]`. With these bounds an encoded event stays well under
//! [`jaga_audit::event::MAX_EVENT_BYTES`] (each string is at most `4 × MAX_TEXT_CHARS + 2` bytes
//! encoded, see the test), and [`crate::audit::plan_append`] still refuses any leaf over the
//! limit, so an event the verifier cannot decode is never written.

/// Characters kept of any one string in an audit event (but the purpose).
pub const MAX_TEXT_CHARS: usize = 200;
/// Characters kept of a stated purpose (as long as [`crate::auth::Purpose`] accepts).
pub const MAX_PURPOSE_CHARS: usize = 500;
/// Field names kept in one audit event.
pub const MAX_FIELDS: usize = 64;
/// What a card number in an audit string is replaced with.
pub const CARD_MARK: &str = "[card]";

/// Screens and bounds one string for an audit event (see the module documentation).
pub fn bound_text(s: &str) -> String {
    bound_text_to(s, MAX_TEXT_CHARS)
}

/// Screens and bounds a stated purpose ([`MAX_PURPOSE_CHARS`]).
pub fn bound_purpose(s: &str) -> String {
    bound_text_to(s, MAX_PURPOSE_CHARS)
}

fn bound_text_to(s: &str, max: usize) -> String {
    let ranges = jaga_redact::card::find_card_numbers(s);
    let masked: std::borrow::Cow<'_, str> = if ranges.is_empty() {
        s.into()
    } else {
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for r in ranges {
            out.push_str(&s[last..r.start]);
            out.push_str(CARD_MARK);
            last = r.end;
        }
        out.push_str(&s[last..]);
        out.into()
    };
    let total = masked.chars().count();
    let keep = if total > max {
        // Leave room for the marker inside the bound.
        max - 24
    } else {
        total
    };
    let mut out: String = masked
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if total > keep {
        out.push_str(&format!("…[+{} chars]", total - keep));
    }
    out
}

/// Bounds a list of field names: each with [`bound_text`], at most [`MAX_FIELDS`] entries (the
/// last one then says how many were left out).
pub fn bound_fields(fields: &[String]) -> Vec<String> {
    if fields.len() <= MAX_FIELDS {
        return fields.iter().map(|f| bound_text(f)).collect();
    }
    let mut out: Vec<String> = fields[..MAX_FIELDS - 1]
        .iter()
        .map(|f| bound_text(f))
        .collect();
    out.push(format!("…[+{} fields]", fields.len() - (MAX_FIELDS - 1)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "4111111111111111";

    #[test]
    fn short_plain_text_is_kept() {
        assert_eq!(bound_text("customer.notes"), "customer.notes");
        assert_eq!(bound_text(""), "");
        let exact = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(bound_text(&exact), exact);
    }

    #[test]
    fn long_text_is_cut_with_a_count() {
        let s = "a".repeat(70_000);
        let b = bound_text(&s);
        assert!(b.chars().count() <= MAX_TEXT_CHARS, "{}", b.len());
        assert!(b.ends_with(&format!("…[+{} chars]", 70_000 - (MAX_TEXT_CHARS - 24))));
    }

    #[test]
    fn card_numbers_never_survive_anywhere_in_the_string() {
        for s in [
            format!("a.{CARD}.b"),
            format!("{}{CARD}", "x".repeat(70_000)),
            format!("{}4111 1111 1111 1111", "k".repeat(190)),
            format!("{}4111-1111-1111-1111tail", "k".repeat(175)),
        ] {
            let b = bound_text(&s);
            let digits: String = b.chars().filter(char::is_ascii_digit).collect();
            assert!(!digits.contains("411111"), "{b}");
            assert!(!jaga_redact::card::contains_card_number(&b), "{b}");
        }
        assert_eq!(bound_text(&format!("x{CARD}y")), "x[card]y");
    }

    #[test]
    fn a_purpose_may_be_as_long_as_purposes_are_allowed_to_be() {
        let p = "p".repeat(MAX_PURPOSE_CHARS);
        assert_eq!(bound_purpose(&p), p);
        assert!(bound_purpose(&"p".repeat(10_000)).chars().count() <= MAX_PURPOSE_CHARS);
    }

    #[test]
    fn control_characters_are_neutralised() {
        let b = bound_text("a\nb\u{0}c\u{1b}[31m\u{7f}");
        assert!(!b.chars().any(char::is_control), "{b:?}");
        assert!(b.starts_with('a'));
    }

    #[test]
    fn field_lists_are_capped() {
        let many: Vec<String> = (0..10_000).map(|i| format!("f{i}")).collect();
        let b = bound_fields(&many);
        assert_eq!(b.len(), MAX_FIELDS);
        assert_eq!(b[MAX_FIELDS - 1], format!("…[+{} fields]", 10_000 - 63));
        let few = vec!["email".to_string(), "phone".to_string()];
        assert_eq!(bound_fields(&few), few);
    }
}
