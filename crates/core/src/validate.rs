//! Validation and normalisation of customer and order values. Errors name the field and the
//! rule, never the value.

use crate::InvalidField;
use crate::model::{Address, NewOrder, OrderItem, PaymentRef};

/// Longest accepted full name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest accepted notes, in characters.
pub const MAX_NOTES: usize = 10_000;
/// Largest accepted preferences document, in bytes of JSON.
pub const MAX_PREFERENCES: usize = 16 * 1024;

fn err(field: &str, code: &'static str, msg: &str) -> InvalidField {
    InvalidField::new(field, code, msg)
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
}

/// A short single-line text: trimmed, non-empty, at most `max` characters, no control characters.
pub fn line(field: &str, value: &str, max: usize) -> Result<String, InvalidField> {
    let v = value.trim();
    if v.is_empty() {
        return Err(err(field, "required", "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(err(
            field,
            "too_long",
            &format!("must be at most {max} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(err(
            field,
            "invalid_characters",
            "must not contain control characters",
        ));
    }
    Ok(v.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A full name.
pub fn full_name(value: &str) -> Result<String, InvalidField> {
    line("full_name", value, MAX_NAME)
}

/// Free-text notes: at most [`MAX_NOTES`] characters, no control characters but newlines/tabs.
pub fn notes(field: &str, value: &str) -> Result<String, InvalidField> {
    if value.chars().count() > MAX_NOTES {
        return Err(err(
            field,
            "too_long",
            &format!("must be at most {MAX_NOTES} characters"),
        ));
    }
    if has_control(value) {
        return Err(err(
            field,
            "invalid_characters",
            "must not contain control characters",
        ));
    }
    Ok(value.trim().to_string())
}

/// An e-mail address, lower-cased.
pub fn email(value: &str) -> Result<String, InvalidField> {
    let v = value.trim().to_lowercase();
    let bad = || err("email", "invalid_email", "is not a valid e-mail address");
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = v.rsplit_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(bad());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2
        || labels
            .iter()
            .any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-'))
        || !labels
            .iter()
            .all(|l| l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        || labels
            .last()
            .is_some_and(|tld| tld.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    Ok(v)
}

/// A phone number in E.164 (`+6281234567890`). Indonesian local forms (`0812…`, `62812…`,
/// `812…`) are read with +62 as the default region.
pub fn phone(value: &str) -> Result<String, InvalidField> {
    let bad = || {
        err(
            "phone",
            "invalid_phone",
            "is not a valid phone number (E.164, or Indonesian 08…)",
        )
    };
    let v = value.trim();
    let plus = v.starts_with('+');
    let body = if plus { &v[1..] } else { v };
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
    {
        return Err(bad());
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let intl = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("62{rest}")
    } else if digits.starts_with("62") {
        digits
    } else if digits.starts_with('8') {
        format!("62{digits}")
    } else {
        return Err(bad());
    };
    if !(8..=15).contains(&intl.len()) || intl.starts_with('0') {
        return Err(bad());
    }
    if let Some(nsn) = intl.strip_prefix("62") {
        // Indonesian numbers: mobile 8xx with 9–12 digits, landlines area code 2x–9x, 8–11 digits.
        let ok = match nsn.as_bytes().first() {
            Some(b'8') => (9..=12).contains(&nsn.len()),
            Some(b'2'..=b'9') => (8..=11).contains(&nsn.len()),
            _ => false,
        };
        if !ok {
            return Err(bad());
        }
    }
    Ok(format!("+{intl}"))
}

/// Indonesian province codes (the first two NIK digits), including the 2022 Papua provinces.
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

fn days_in_month(month: u32, year: Option<i32>) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) => 28,
            _ => 29,
        },
        _ => 0,
    }
}

/// A NIK: 16 digits (spaces and dots allowed when typed) with a real province code, non-zero
/// regency and district codes, a valid day of birth (+40 for women) and month, and a non-zero
/// serial.
pub fn national_id(value: &str) -> Result<String, InvalidField> {
    let bad = |msg: &str| err("national_id", "invalid_nik", msg);
    let v = value.trim();
    if !v
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '.')
    {
        return Err(bad("must contain only digits"));
    }
    let d: Vec<u32> = v.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 16 {
        return Err(bad("must have 16 digits"));
    }
    let two = |i: usize| d[i] * 10 + d[i + 1];
    if !PROVINCES.contains(&(two(0) as u8)) {
        return Err(bad("province code is not an Indonesian province"));
    }
    if two(2) == 0 || two(4) == 0 {
        return Err(bad("regency and district codes must not be 00"));
    }
    let day = match two(6) {
        dd @ 1..=31 => dd,
        dd @ 41..=71 => dd - 40,
        _ => {
            return Err(bad(
                "birth day digits are not a day (01–31, or 41–71 for women)",
            ));
        }
    };
    let month = two(8);
    if !(1..=12).contains(&month) || day > days_in_month(month, None) {
        return Err(bad("birth date digits are not a calendar date"));
    }
    if d[12..].iter().all(|x| *x == 0) {
        return Err(bad("serial number must not be 0000"));
    }
    Ok(d.iter()
        .map(|x| char::from_digit(*x, 10).expect("digit"))
        .collect())
}

/// A date of birth `YYYY-MM-DD`, from 1900 up to today.
pub fn birth_date(value: &str) -> Result<String, InvalidField> {
    let bad = |msg: &str| err("birth_date", "invalid_date", msg);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(value.trim(), &format)
        .map_err(|_| bad("must be a date written YYYY-MM-DD"))?;
    let today = time::OffsetDateTime::now_utc().date();
    if date.year() < 1900 || date > today {
        return Err(bad("must be between 1900 and today"));
    }
    Ok(date.format(&format).expect("formattable"))
}

/// A segment name: 1–32 of `a-z 0-9 _ -`.
pub fn segment(value: &str) -> Result<String, InvalidField> {
    let ok = !value.is_empty()
        && value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(err(
            "segment",
            "invalid_segment",
            "must be 1–32 of a-z, 0-9, _ and -",
        ))
    }
}

/// An address: each part a short line; the postal code five digits.
pub fn address(a: &Address) -> Result<Address, Vec<InvalidField>> {
    let mut errors = Vec::new();
    let mut part = |name: &str, v: &Option<String>, max: usize| match v {
        None => None,
        Some(s) => match line(&format!("address.{name}"), s, max) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    let street = part("street", &a.street, 300);
    let city = part("city", &a.city, 100);
    let province = part("province", &a.province, 100);
    let postal_code = match &a.postal_code {
        Some(p) if p.trim().len() == 5 && p.trim().bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.trim().to_string())
        }
        Some(_) => {
            errors.push(err(
                "address.postal_code",
                "invalid_postal_code",
                "must be five digits",
            ));
            None
        }
        None => None,
    };
    if street.is_none()
        && city.is_none()
        && province.is_none()
        && postal_code.is_none()
        && errors.is_empty()
    {
        errors.push(err("address", "required", "must have at least one part"));
    }
    if errors.is_empty() {
        Ok(Address {
            street,
            city,
            province,
            postal_code,
        })
    } else {
        Err(errors)
    }
}

/// Preferences: any JSON object up to [`MAX_PREFERENCES`] bytes.
pub fn preferences(v: &serde_json::Value) -> Result<serde_json::Value, InvalidField> {
    if !v.is_object() {
        return Err(err(
            "preferences",
            "invalid_preferences",
            "must be a JSON object",
        ));
    }
    if serde_json::to_vec(v).map_or(usize::MAX, |b| b.len()) > MAX_PREFERENCES {
        return Err(err(
            "preferences",
            "too_long",
            "must be at most 16 KiB of JSON",
        ));
    }
    Ok(v.clone())
}

const STATUSES: &[&str] = &[
    "pending",
    "paid",
    "shipped",
    "completed",
    "cancelled",
    "refunded",
];
const GATEWAYS: &[&str] = &["midtrans", "xendit", "stripe", "other"];

fn item(i: usize, it: &OrderItem, errors: &mut Vec<InvalidField>) -> Option<OrderItem> {
    let sku = line(&format!("items[{i}].sku"), &it.sku, 64)
        .map_err(|e| errors.push(e))
        .ok();
    let name = line(&format!("items[{i}].name"), &it.name, 200)
        .map_err(|e| errors.push(e))
        .ok();
    if it.quantity == 0 {
        errors.push(err(
            &format!("items[{i}].quantity"),
            "invalid_quantity",
            "must be at least 1",
        ));
    }
    if it.unit_price_minor < 0 {
        errors.push(err(
            &format!("items[{i}].unit_price_minor"),
            "invalid_amount",
            "must not be negative",
        ));
    }
    Some(OrderItem {
        sku: sku?,
        name: name?,
        quantity: it.quantity,
        unit_price_minor: it.unit_price_minor,
    })
}

fn payment(p: &PaymentRef, errors: &mut Vec<InvalidField>) -> PaymentRef {
    let gateway = p.gateway.trim().to_lowercase();
    if !GATEWAYS.contains(&gateway.as_str()) {
        errors.push(err(
            "payment.gateway",
            "invalid_gateway",
            "must be midtrans, xendit, stripe or other",
        ));
    }
    let token = line("payment.token", &p.token, 200)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let card_brand = p.card_brand.as_ref().and_then(|b| {
        line("payment.card_brand", &b.to_lowercase(), 32)
            .map_err(|e| errors.push(e))
            .ok()
    });
    if let Some(l4) = &p.last4
        && (l4.len() != 4 || !l4.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(err(
            "payment.last4",
            "invalid_last4",
            "must be exactly four digits",
        ));
    }
    if p.exp_month.is_some_and(|m| !(1..=12).contains(&m)) {
        errors.push(err("payment.exp_month", "invalid_expiry", "must be 1–12"));
    }
    if p.exp_year.is_some_and(|y| !(2000..=2100).contains(&y)) {
        errors.push(err(
            "payment.exp_year",
            "invalid_expiry",
            "must be a four-digit year",
        ));
    }
    PaymentRef {
        gateway,
        token,
        card_brand,
        last4: p.last4.clone(),
        exp_month: p.exp_month,
        exp_year: p.exp_year,
    }
}

/// A new order, normalised.
pub fn order(o: &NewOrder) -> Result<NewOrder, Vec<InvalidField>> {
    let mut errors = Vec::new();
    let order_ref = line("order_ref", &o.order_ref, 64)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if o.items.is_empty() || o.items.len() > 500 {
        errors.push(err("items", "invalid_items", "must have 1–500 items"));
    }
    let items: Vec<OrderItem> = o
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| item(i, it, &mut errors))
        .collect();
    if o.amount_minor < 0 {
        errors.push(err(
            "amount_minor",
            "invalid_amount",
            "must not be negative",
        ));
    }
    let currency = o.currency.trim().to_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        errors.push(err(
            "currency",
            "invalid_currency",
            "must be an ISO 4217 code such as IDR",
        ));
    }
    let status = o.status.trim().to_lowercase();
    if !STATUSES.contains(&status.as_str()) {
        errors.push(err(
            "status",
            "invalid_status",
            "must be pending, paid, shipped, completed, cancelled or refunded",
        ));
    }
    let payment = o.payment.as_ref().map(|p| payment(p, &mut errors));
    let notes = o
        .notes
        .as_ref()
        .map(|n| notes("notes", n))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if errors.is_empty() {
        Ok(NewOrder {
            order_ref,
            items,
            amount_minor: o.amount_minor,
            currency,
            status,
            payment,
            notes,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email(" Dewi.Sari@GMail.com ").unwrap(),
            "dewi.sari@gmail.com"
        );
        for bad in [
            "",
            "dewi",
            "dewi@",
            "@x.id",
            "a@b",
            "a b@c.id",
            "a@@b.id",
            "a@b.1",
            "a..b@c.id",
            "a@-b.id",
        ] {
            assert_eq!(email(bad).unwrap_err().code, "invalid_email", "{bad}");
        }
    }

    #[test]
    fn phones_normalise_to_e164_with_indonesian_default() {
        for (inp, out) in [
            ("0812-3456-7890", "+6281234567890"),
            ("+62 812 3456 7890", "+6281234567890"),
            ("6281234567890", "+6281234567890"),
            ("81234567890", "+6281234567890"),
            ("(021) 555-1234", "+62215551234"),
            ("+1 415 555 2671", "+14155552671"),
            ("0065 6123 4567", "+6561234567"),
        ] {
            assert_eq!(phone(inp).unwrap(), out, "{inp}");
        }
        for bad in [
            "",
            "12",
            "+62 1234",
            "0812-abc",
            "+62 812 3456 7890 1234 5",
            "+0812345678",
            "+6201234567",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nik_structure() {
        // Jakarta (31), man born 12-05-1990.
        assert_eq!(
            national_id("3174 0112 0590 0001").unwrap(),
            "3174011205900001"
        );
        // Woman: day + 40.
        assert!(national_id("3174015205900002").is_ok());
        for bad in [
            "317401120590000",  // 15 digits
            "9974011205900001", // no province 99
            "3100011205900001", // regency 00
            "3174013205900001", // day 32
            "3174017205900001", // day 72
            "3174011213900001", // month 13
            "3174013102900001", // 31 February
            "3174011205900000", // serial 0000
            "31740112059000O1", // letter
        ] {
            assert!(national_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn birth_dates() {
        assert_eq!(birth_date("1990-05-12").unwrap(), "1990-05-12");
        for bad in ["12-05-1990", "1890-01-01", "2999-01-01", "1990-02-30", ""] {
            assert!(birth_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_notes() {
        assert_eq!(full_name("  Dewi   Sari ").unwrap(), "Dewi Sari");
        assert!(full_name("   ").is_err());
        assert!(full_name(&"a".repeat(201)).is_err());
        assert!(full_name("Dewi\u{0}").is_err());
        assert!(notes("notes", "baris 1\nbaris 2").is_ok());
        assert!(notes("notes", "bell\u{7}").is_err());
    }

    #[test]
    fn addresses_and_segments() {
        let a = Address {
            street: Some("Jl. Melati No. 5".into()),
            city: Some("Jakarta Selatan".into()),
            province: None,
            postal_code: Some("12345".into()),
        };
        assert!(address(&a).is_ok());
        let bad = Address {
            postal_code: Some("1234".into()),
            ..a.clone()
        };
        assert_eq!(address(&bad).unwrap_err()[0].field, "address.postal_code");
        assert!(address(&Address::default()).is_err());
        assert!(segment("vip-2025").is_ok());
        assert!(segment("VIP").is_err());
        assert!(segment("").is_err());
    }
}
