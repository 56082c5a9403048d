//! The card-number guard: no payment card number (PAN) ever enters the vault.
//!
//! Every JSON request body is scanned before it is parsed into a request type: every string, and
//! every number written with 13–19 digits, is checked with the card detector of `jaga-redact`
//! (Luhn-valid, card-network prefix, plain or with single spaces or dashes). Object keys are
//! scanned too. The guard reports only *where* (a JSON path), never the number.
//!
//! One exemption: the top-level `national_id` value when it is a structurally valid NIK. Some
//! NIKs (Jawa Timur `35xx…`, Banten `36xx…`) are 16 digits inside the JCB and Diners ranges, and
//! one in ten passes Luhn by chance; refusing them would refuse real customers' ID numbers.

use serde_json::Value;

/// Returns the JSON path of the first value holding a card number, if any.
pub fn find_card_number(v: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> bool {
        match v {
            Value::String(s) => jaga_redact::card::contains_card_number(s),
            Value::Number(n) => {
                let s = n.to_string();
                s.bytes().all(|b| b.is_ascii_digit())
                    && jaga_redact::card::is_card_number(s.as_bytes())
            }
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
                let hit = walk(item, path);
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

/// Whether a text contains a card number.
pub fn text_has_card_number(s: &str) -> bool {
    jaga_redact::card::contains_card_number(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
