//! Masked views of customer values: enough to recognise a customer, not enough to misuse.
//!
//! Masks from the reference design: e-mail `d***@gmail.com`, phone `+62 812-****-7890`, NIK
//! `************0001` (never the birth-date digits), name `Dewi S.`.

use crate::model::Address;

/// `dewi.sari@gmail.com` → `d***@gmail.com`.
pub fn email(v: &str) -> String {
    match v.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// `+6281234567890` → `+62 812-****-7890`; other countries keep the first two and last four
/// digits.
pub fn phone(v: &str) -> String {
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 8 {
        return "****".into();
    }
    let last4 = &digits[digits.len() - 4..];
    match digits.strip_prefix("62") {
        Some(nsn) => format!("+62 {}-****-{last4}", &nsn[..3]),
        None => format!("+{} ****-{last4}", &digits[..2]),
    }
}

/// `3174011205900001` → `************0001`.
pub fn national_id(v: &str) -> String {
    let keep: String = v
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{}{keep}", "*".repeat(v.chars().count().saturating_sub(4)))
}

/// `Dewi Sari Lestari` → `Dewi L.`; a one-word name keeps two letters: `Ayu` → `Ay***`.
pub fn full_name(v: &str) -> String {
    let words: Vec<&str> = v.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        [only] => format!("{}***", only.chars().take(2).collect::<String>()),
        [first, .., last] => format!("{first} {}.", last.chars().next().unwrap_or('*')),
    }
}

/// City and province stay (for shipping questions); the street is hidden and the postal code
/// keeps its first two digits (the region).
pub fn address(a: &Address) -> Address {
    Address {
        street: a.street.as_ref().map(|_| "***".into()),
        city: a.city.clone(),
        province: a.province.clone(),
        postal_code: a
            .postal_code
            .as_ref()
            .map(|p| format!("{}***", p.chars().take(2).collect::<String>())),
    }
}

/// A birth date shows only that one is on file.
pub fn birth_date(_: &str) -> String {
    "****-**-**".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_examples() {
        assert_eq!(email("dewi.sari@gmail.com"), "d***@gmail.com");
        assert_eq!(phone("+6281234567890"), "+62 812-****-7890");
        assert_eq!(national_id("3174011205900001"), "************0001");
        assert_eq!(full_name("Dewi Sari"), "Dewi S.");
        assert_eq!(full_name("Ayu"), "Ay***");
        assert_eq!(phone("+14155552671"), "+14 ****-2671");
    }

    #[test]
    fn masks_hide_the_sensitive_middle() {
        let nik = "3174015205900002";
        let m = national_id(nik);
        assert!(!m.contains("520590"), "birth date digits must not show");
        let a = Address {
            street: Some("Jl. Melati 5".into()),
            city: Some("Bandung".into()),
            province: None,
            postal_code: Some("40115".into()),
        };
        let m = address(&a);
        assert_eq!(m.street.as_deref(), Some("***"));
        assert_eq!(m.postal_code.as_deref(), Some("40***"));
        assert!(!birth_date("1990-05-12").contains("1990"));
    }
}
