//! The write guard: no payment card number (PAN) or CVV ever enters the vault, and other
//! identifiers pasted into free text are handled by the shop's policy before encryption.
//!
//! Two layers:
//!
//! - [`find_card_number`]: every JSON request body, before it is parsed (below).
//! - [`screen`]: every free-text field the vault stores (customer notes, order notes, and later
//!   case notes and imported files) runs through the full `jaga-redact` detector. Card numbers and
//!   CVVs are refused ([`CardHandling::Refuse`], API and console) or dropped and counted
//!   ([`CardHandling::Drop`], bulk import); every other finding gets the policy's operator
//!   (the vault's default is `tokenize`). Only counts per kind are reported, never values.
//!   [`check_note`] is the console's pre-flight: it tells staff what will happen to a note, or
//!   shows the note back with the card number masked so they can fix it.
//!
//! Every JSON request body is scanned before it is parsed into a request type: every string, and
//! every number written with 13–19 digits, is checked with the card detector of `jaga-redact`
//! (Luhn-valid, card-network prefix, plain or with single spaces or dashes). Object keys are
//! scanned too. The guard reports only *where* (a JSON path), never the number.
//!
//! One exemption: the top-level `national_id` value when it is a structurally valid NIK. Some
//! NIKs (Jawa Timur `35xx…`, Banten `36xx…`) are 16 digits inside the JCB and Diners ranges, and
//! one in ten passes Luhn by chance; refusing them would refuse real customers' ID numbers.
//!
//! One narrowing: the opaque identifiers of fraud events (`device_id`, `address_hash`,
//! `card_fingerprint`, [`OPAQUE_ID_KEYS`]) are hashes and fingerprints, often hex digests, and
//! one hex digest in a few dozen holds a Luhn-valid run of 13–19 decimal digits between its
//! letters (`f382032337209595784e`). In those values a run of digits glued to letters is part of
//! the identifier, not a card: every ASCII alphanumeric token that holds a letter is set aside
//! and the rest is checked as usual, so a card written on its own or between separators
//! (`4111…`, `tok_4111…`, `4111-1111-…`) is still refused there.

use jaga_redact::{EntityKind, Evidence, Finding, Policy, RedactError, Validator};
use serde_json::Value;
use std::collections::BTreeMap;

/// Returns the JSON path of the first value holding a card number, if any.
///
/// Every string (and object key) is read by [`jaga_redact::card::find_card_numbers`] (any
/// digit script or width, any separators); every number is checked in its written form and as
/// the integer it denotes ([`number_is_card`]). Call it on the value as it will be stored: after
/// any normalisation the field applies.
pub fn find_card_number(v: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> bool {
        match v {
            Value::String(s) => jaga_redact::card::contains_card_number(s),
            Value::Number(n) => number_is_card(n),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let hit = walk(item, path);
                if !hit {
                    path.truncate(len);
                }
                hit
            }),
            Value::Object(map) => map.iter().any(|(k, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                if jaga_redact::card::contains_card_number(k) {
                    path.push_str("<key>");
                    return true;
                }
                path.push_str(k);
                let hit = match item {
                    Value::String(s) if OPAQUE_ID_KEYS.contains(&k.as_str()) => {
                        opaque_id_has_card_number(s)
                    }
                    _ => walk(item, path),
                };
                if !hit {
                    path.truncate(len);
                }
                hit
            }),
            Value::Null | Value::Bool(_) => false,
        }
    }
    if let Value::Object(map) = v
        && let Some(Value::String(nik)) = map.get("national_id")
        && crate::validate::national_id(nik).is_ok()
    {
        let mut rest = map.clone();
        rest.remove("national_id");
        return find_card_number(&Value::Object(rest));
    }
    let mut path = String::new();
    walk(v, &mut path).then_some(path)
}

/// Object keys whose string values are opaque identifiers (fraud events' device ids, shipping
/// address hashes and gateway card fingerprints): see [`opaque_id_has_card_number`].
pub const OPAQUE_ID_KEYS: [&str; 3] = ["device_id", "address_hash", "card_fingerprint"];

/// Whether an opaque identifier holds a card number: every maximal ASCII-alphanumeric token
/// that contains a letter (a hex digest, `dev-f7aa0e…`'s `f7aa0e…`) is set aside, and what is left
/// — digit-only tokens with the separators between them — is read by the card detector as any
/// other text. A card written alone, or between separators, is found; digits glued to letters
/// inside one token are not a card.
pub fn opaque_id_has_card_number(s: &str) -> bool {
    let mut rest = String::with_capacity(s.len());
    let mut token = String::new();
    let flush = |token: &mut String, rest: &mut String| {
        if token.bytes().any(|b| b.is_ascii_alphabetic()) {
            rest.push('x');
        } else {
            rest.push_str(token);
        }
        token.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            token.push(c);
        } else {
            flush(&mut token, &mut rest);
            rest.push(c);
        }
    }
    flush(&mut token, &mut rest);
    jaga_redact::card::contains_card_number(&rest)
}

/// [`find_card_number`] over a JSON request body: also reads every number literal exactly as
/// written in `raw` ([`literal_is_card`]), since a float such as `4111111111111111110.0` is
/// rounded when parsed. A hit only found in the raw text is reported at `<number>`.
pub fn find_card_number_in_body(raw: &[u8], v: &Value) -> Option<String> {
    if let Some(path) = find_card_number(v) {
        return Some(path);
    }
    let text = std::str::from_utf8(raw).ok()?;
    // The `national_id` exemption only concerns strings, so literals are all checked.
    number_literals(text)
        .any(literal_is_card)
        .then(|| "<number>".to_string())
}

/// The number literals outside strings of a (valid) JSON text.
fn number_literals(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            if in_string {
                match c {
                    b'\\' => i += 2,
                    b'"' => {
                        in_string = false;
                        i += 1;
                    }
                    _ => i += 1,
                }
            } else if c == b'"' {
                in_string = true;
                i += 1;
            } else if c == b'-' || c.is_ascii_digit() {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                return Some(&text[start..i]);
            } else {
                i += 1;
            }
        }
        None
    })
}

/// Whether a JSON number holds a card number: its written form, and for floats the integer it
/// denotes (`4.111111111111111e15`, `4111111111111111.0`, `-4111111111111111`).
pub fn number_is_card(n: &serde_json::Number) -> bool {
    if literal_is_card(&n.to_string()) {
        return true;
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.abs() < 1e20 && !n.is_u64() && !n.is_i64() => {
            literal_is_card(&format!("{:.0}", f.abs()))
        }
        _ => false,
    }
}

/// Whether a number literal (`-4.111111111111111e15`, `4111111111111111.00`) is, or denotes, a
/// card number: read as text (a sign, point or exponent is a separator), and as the exact
/// decimal it denotes — its significant digits, and its integer part.
pub fn literal_is_card(lit: &str) -> bool {
    if jaga_redact::card::contains_card_number(lit) {
        return true;
    }
    let body = lit.trim_start_matches(['-', '+']);
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => match e.parse::<i32>() {
            Ok(e) => (m, e),
            Err(_) => return false,
        },
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return false;
    }
    // value = digits × 10^(exp − frac.len()), digits without leading zeros.
    let all: String = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = &all[lead..];
    let point = i64::from(exp) + int.len() as i64 - lead as i64; // digits before the point
    if !(0..=40).contains(&point) {
        return false;
    }
    let point = point as usize;
    let integer: String = if point <= digits.len() {
        digits[..point].to_string()
    } else {
        format!("{digits}{}", "0".repeat(point - digits.len()))
    };
    [integer.as_str(), digits]
        .iter()
        .any(|d| jaga_redact::card::is_card_number(d.as_bytes()))
}

/// Whether a text contains a card number.
pub fn text_has_card_number(s: &str) -> bool {
    jaga_redact::card::contains_card_number(s)
}

/// Findings per kind (never values).
pub type FindingCounts = BTreeMap<EntityKind, usize>;

/// What the guard does with card numbers and CVVs found in free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardHandling {
    /// Refuse the whole write (API requests, console edits).
    Refuse,
    /// Drop them from the text and count them (bulk imports).
    Drop,
}

/// Free text after the guard.
#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    /// The text with every finding replaced by its operator's output.
    pub text: String,
    /// Findings per kind, card numbers and CVVs included when they were dropped.
    pub counts: FindingCounts,
}

/// A refused text: it holds a card number or CVV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRefusal {
    /// The field (JSON path or column) that held it.
    pub field: String,
    /// The text with card numbers masked to their last 4 digits and CVVs masked entirely, to
    /// show back to the staff member who typed it. Other identifiers are left as typed.
    pub masked: String,
    /// Card numbers found.
    pub cards: usize,
    /// CVVs found.
    pub cvvs: usize,
}

/// Why [`screen`] did not produce text.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The text holds a card number or CVV and cards are refused.
    #[error("payment card data in {}", .0.field)]
    Card(CardRefusal),
    /// The policy could not be applied (e.g. the tokenizer failed).
    #[error(transparent)]
    Redact(#[from] RedactError),
}

/// Findings in `text` at or above the policy's threshold; card numbers and CVVs always count
/// (fail closed). Card numbers the normalising card guard sees are always card numbers: they
/// replace any other finding they overlap (a card written after `+` is not a phone number to
/// tokenize, it is refused or dropped).
fn findings(text: &str, field: &str, policy: &Policy) -> Vec<Finding> {
    let cards = jaga_redact::card::find_card_numbers(text);
    let overlaps_card = |f: &Finding| cards.iter().any(|r| f.start < r.end && r.start < f.end);
    let mut found: Vec<Finding> = jaga_redact::detect_field(text, field)
        .into_iter()
        .filter(|f| f.kind.is_never_store() || f.score >= policy.min_score())
        .filter(|f| !overlaps_card(f))
        .collect();
    for r in cards {
        found.push(Finding {
            kind: EntityKind::CreditCard,
            start: r.start,
            end: r.end,
            score: 1.0,
            evidence: Evidence {
                validator: Validator::LuhnIin,
                context: None,
            },
        });
    }
    found.sort_by_key(|f| f.start);
    found
}

/// Masks card numbers (all but the last 4 digits) and CVVs (entirely) in `text`.
fn mask_cards(text: &str, found: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in found.iter().filter(|f| f.kind.is_never_store()) {
        if f.start < pos || !text.is_char_boundary(f.start) || !text.is_char_boundary(f.end) {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        let keep = if f.kind == EntityKind::CreditCard {
            4
        } else {
            0
        };
        out.push_str(&jaga_redact::card::mask_ranges(
            &text[f.start..f.end],
            std::slice::from_ref(&(0..f.end - f.start)),
            keep,
            '*',
        ));
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Runs free text through the write guard: detects with `field` as context (a column or field
/// name), refuses or drops card numbers and CVVs per `cards`, and applies `policy` to every
/// other finding. This is the one function every stored free-text field goes through.
pub fn screen(
    text: &str,
    field: &str,
    policy: &Policy,
    cards: CardHandling,
) -> Result<Screened, GuardError> {
    let found = findings(text, field, policy);
    let mut counts = FindingCounts::new();
    for f in &found {
        *counts.entry(f.kind).or_default() += 1;
    }
    let card_count = |k| counts.get(&k).copied().unwrap_or(0);
    let (n_cards, n_cvvs) = (
        card_count(EntityKind::CreditCard),
        card_count(EntityKind::Cvv),
    );
    if cards == CardHandling::Refuse && n_cards + n_cvvs > 0 {
        return Err(GuardError::Card(CardRefusal {
            field: field.to_string(),
            masked: mask_cards(text, &found),
            cards: n_cards,
            cvvs: n_cvvs,
        }));
    }
    let out = jaga_redact::apply(text, &found, policy)?;
    if jaga_redact::card::contains_card_number(&out) {
        // Dropping a value can join its neighbours into a new card-shaped number (see the
        // detector's limitations); never store that.
        return Err(GuardError::Card(CardRefusal {
            field: field.to_string(),
            masked: mask_cards(text, &found),
            cards: n_cards.max(1),
            cvvs: n_cvvs,
        }));
    }
    Ok(Screened { text: out, counts })
}

/// The console's pre-flight check of a note: `Ok` with the note as it will be stored under the
/// default operators (`[NIK]` where the vault will put a token) and the counts per kind, or a
/// refusal carrying the note with card numbers masked, so staff can see what to remove.
pub fn check_note(text: &str) -> Result<Screened, CardRefusal> {
    match screen(
        text,
        "notes",
        &Policy::default().with_all(jaga_redact::Operator::Replace),
        CardHandling::Refuse,
    ) {
        Ok(s) => Ok(s),
        Err(GuardError::Card(r)) => Err(r),
        // Replace needs neither key nor tokenizer, so it cannot fail; refuse to be safe.
        Err(GuardError::Redact(_)) => Err(CardRefusal {
            field: "notes".into(),
            masked: String::new(),
            cards: 0,
            cvvs: 0,
        }),
    }
}

#[cfg(test)]
#[path = "guard_props.rs"]
mod props;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Hex digests whose digit runs between letters happen to be Luhn-valid card-range numbers
    /// are identifiers in a fraud event's opaque fields — and still cards everywhere else.
    #[test]
    fn opaque_identifiers_are_not_cards_unless_a_card_stands_alone() {
        // A digest with a Luhn-valid 18-digit Diners-range run between its letters, and others
        // built around well-known test cards.
        let digests = [
            "f382032337209595784e",
            "ab4111111111111111cd",
            "0a5555555555554444ff9e21",
            "dev-c378282246310005d",
        ];
        for d in digests {
            assert!(
                jaga_redact::card::contains_card_number(d),
                "{d}: the premise (the detector alone sees a card) must hold"
            );
            for key in OPAQUE_ID_KEYS {
                let v = json!({"id": "e1", "shipping": {key: d}, "payment": {key: d}, key: d});
                assert_eq!(find_card_number(&v), None, "{key} = {d}");
            }
            // The same value in any other field is still refused.
            let v = json!({"notes": d});
            assert_eq!(find_card_number(&v).as_deref(), Some("notes"), "{d}");
        }
        // A card standing alone or between separators in an opaque field is still refused.
        for card in [
            "4111111111111111",
            "tok_4111111111111111",
            "4111-1111-1111-1111",
            "4111 1111 1111 1111",
            "ab-5555555555554444-cd",
            "\u{ff14}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}\u{ff11}",
        ] {
            for key in OPAQUE_ID_KEYS {
                let v = json!({"shipping": {key: card}});
                assert_eq!(
                    find_card_number(&v).as_deref(),
                    Some(format!("shipping.{key}").as_str()),
                    "{key} = {card}"
                );
            }
        }
    }

    #[test]
    fn finds_cards_anywhere_and_names_the_path() {
        let cases = [
            (
                json!({"notes": "pakai kartu 4111 1111 1111 1111 ya"}),
                "notes",
            ),
            (json!({"a": {"b": ["x", "5555-5555-5555-4444"]}}), "a.b[1]"),
            (json!({"n": 4111111111111111u64}), "n"),
            (
                json!({"preferences": {"378282246310005": true}}),
                "preferences.<key>",
            ),
        ];
        for (v, path) in cases {
            assert_eq!(find_card_number(&v).as_deref(), Some(path), "{v}");
        }
    }

    #[test]
    fn a_valid_nik_in_its_field_is_not_a_card_but_elsewhere_it_is_checked() {
        // A Surabaya NIK (35 78 …) that is also Luhn-valid and JCB-shaped.
        let nik = (0..10u64)
            .map(|d| format!("357801120590000{d}"))
            .find(|n| jaga_redact::card::is_card_number(n.as_bytes()))
            .expect("one check digit makes it Luhn-valid");
        assert!(crate::validate::national_id(&nik).is_ok());
        assert_eq!(find_card_number(&json!({ "national_id": nik })), None);
        assert_eq!(
            find_card_number(&json!({ "notes": nik })).as_deref(),
            Some("notes")
        );
        assert_eq!(
            find_card_number(&json!({ "national_id": "4111111111111111" })).as_deref(),
            Some("national_id")
        );
    }

    #[test]
    fn screen_refuses_cards_and_cvvs_with_the_field_and_masks_them_for_staff() {
        let p = Policy::default();
        let Err(GuardError::Card(r)) = screen(
            "bayar pakai 4111 1111 1111 1111 cvv 123 ya",
            "notes",
            &p,
            CardHandling::Refuse,
        ) else {
            panic!("a card must be refused");
        };
        assert_eq!(r.field, "notes");
        assert_eq!((r.cards, r.cvvs), (1, 1));
        assert_eq!(r.masked, "bayar pakai **** **** **** 1111 cvv *** ya");
        // A CVV alone (no card number) is refused too.
        assert!(matches!(
            screen("kode cvv 987 untuk transaksi", "notes", &p, CardHandling::Refuse),
            Err(GuardError::Card(r)) if r.cvvs == 1 && !r.masked.contains("987")
        ));
    }

    #[test]
    fn screen_drops_and_counts_cards_in_imports() {
        let s = screen(
            "kartu 5555-5555-5555-4444 cvv 321, NIK 3174051204900003",
            "notes",
            &Policy::default(),
            CardHandling::Drop,
        )
        .unwrap();
        assert!(
            !s.text.contains("4444") && !s.text.contains("321"),
            "{}",
            s.text
        );
        assert!(s.text.contains("[NIK]"), "{}", s.text);
        assert_eq!(s.counts[&EntityKind::CreditCard], 1);
        assert_eq!(s.counts[&EntityKind::Cvv], 1);
        assert_eq!(s.counts[&EntityKind::Nik], 1);
    }

    #[test]
    fn check_note_previews_or_shows_the_masked_card() {
        let ok = check_note("NIK 3174051204900003, kirim sore").unwrap();
        assert_eq!(ok.text, "NIK [NIK], kirim sore");
        assert_eq!(ok.counts[&EntityKind::Nik], 1);
        let refused = check_note("no kartu 4111111111111111").unwrap_err();
        assert_eq!(refused.masked, "no kartu ************1111");
        assert_eq!(refused.cards, 1);
        let clean = check_note("kirim sore ya").unwrap();
        assert_eq!(clean.text, "kirim sore ya");
        assert!(clean.counts.is_empty());
    }

    #[test]
    fn lets_ordinary_values_through() {
        let v = json!({
            "full_name": "Dewi Sari",
            "phone": "+62 812-3456-7890",
            "national_id": "3174011205900001",
            "order_ref": "INV/2025/11/00123",
            "n": 4111111111111112u64,
            "amount_minor": 1250000,
            "items": [{"sku": "SRM-001", "quantity": 2}],
        });
        assert_eq!(find_card_number(&v), None);
    }
    /// Regression: only single spaces or dashes, ASCII digits and integer JSON numbers were
    /// read; every other form of a card number was stored.
    #[test]
    fn finds_cards_in_every_form_a_person_reads_as_one() {
        for v in [
            json!({"order_ref": "4111  1111  1111  1111"}),
            json!({"full_name": "4111\u{a0}1111\u{a0}1111\u{a0}1111"}),
            json!({"address": {"street": "4111.1111.1111.1111"}}),
            json!({"items": [{"sku": "4111_1111_1111_1111"}]}),
            json!({"payment": {"token": "+4111111111111111"}}),
            json!({"preferences": {"a": [{"b": "４１１１１１１１１１１１１１１１"}]}}),
            json!({"notes": "\u{664}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}\u{661}"}),
            json!({"n": -4111111111111111i64}),
            json!({"n": 4111111111111111.0}),
            json!({"n": 4.111111111111111e15}),
        ] {
            assert!(find_card_number(&v).is_some(), "{v}");
        }
        for raw in [
            r#"{"n": 4111111111111111110.0}"#,
            r#"{"n": 4.111111111111111110e18}"#,
            r#"{"n": [1, -6011000990139424e0]}"#,
            r#"{"n": 41111111111111110E-1}"#,
        ] {
            let v: Value = serde_json::from_str(raw).unwrap();
            assert!(
                find_card_number_in_body(raw.as_bytes(), &v).is_some(),
                "{raw}"
            );
        }
        // Escaped digits inside strings are decoded before the check.
        let raw = r#"{"notes": "\u0034111111111111111"}"#;
        let v: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(
            find_card_number_in_body(raw.as_bytes(), &v).as_deref(),
            Some("notes")
        );
        // Digits inside strings are not number literals.
        let raw = r#"{"a": "x\"4111111111111111", "n": 12}"#;
        assert_eq!(number_literals(raw).collect::<Vec<_>>(), vec!["12"]);
    }

    #[test]
    fn number_literals_that_are_not_cards_pass() {
        for lit in [
            "0",
            "-1",
            "1250000",
            "1.5e3",
            "4111111111111112",
            "41111111111111110000",
            "1e400",
        ] {
            assert!(!literal_is_card(lit), "{lit}");
        }
    }

    /// Regression: a card after `+` was taken for a phone number and tokenized (its value kept
    /// in the token vault) instead of being refused.
    #[test]
    fn screen_refuses_a_card_the_detector_took_for_something_else() {
        for text in ["hubungi +4111111111111111", "kartu 4111.1111.1111.1111"] {
            assert!(
                matches!(
                    screen(text, "notes", &Policy::default(), CardHandling::Refuse),
                    Err(GuardError::Card(r)) if r.cards == 1 && !r.masked.contains("4111")
                ),
                "{text}"
            );
            let s = screen(text, "notes", &Policy::default(), CardHandling::Drop).unwrap();
            assert!(!s.text.contains("1111"), "{}", s.text);
        }
    }
}
