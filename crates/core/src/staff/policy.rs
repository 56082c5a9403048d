//! The password policy (ASVS 6.2): at least 12 characters, at most 1 KiB, no composition rules,
//! not on the shipped list of common and breached passwords, not built on context words (the
//! e-mail, the member's name, the shop's name, "jaga"), and a zxcvbn strength score of at least 3.
//!
//! The list (`common_passwords.txt`) holds the most frequent entries of the password-frequency
//! list that ships with the zxcvbn project (built from leaked-password corpora); see the file's
//! header for the exact source and count.

use crate::CoreError;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Fewest characters in a password.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Lowest accepted zxcvbn score (0–4).
const MIN_SCORE: u8 = 3;

static LIST: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Number of entries on the shipped common-password list.
pub fn common_password_count() -> usize {
    common().len()
}

fn weak(code: &'static str, msg: &str) -> CoreError {
    CoreError::invalid("password", code, msg)
}

/// Checks a new password against the policy; `context` holds words the password must not be
/// built on (e-mail, name, shop name). Errors never echo the password.
pub fn check_password(password: &str, context: &[&str]) -> Result<(), CoreError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(weak(
            "password_too_short",
            "use at least 12 characters; a few unrelated words make a good password",
        ));
    }
    if password.len() > jaga_crypto::password::MAX_PASSWORD_BYTES {
        return Err(weak("password_too_long", "use at most 1024 bytes"));
    }
    let lower = password.to_lowercase();
    if common().contains(lower.as_str()) {
        return Err(weak(
            "password_common",
            "this password is on the list of common or breached passwords",
        ));
    }
    let mut words: Vec<String> = Vec::new();
    for w in context {
        let w = w.trim().to_lowercase();
        // The e-mail's local part and domain words count as well as the whole address.
        for part in w.split(['@', '.', ' ', '_', '-', '+']) {
            if part.chars().count() >= 4 {
                words.push(part.to_string());
            }
        }
    }
    if let Some(w) = words.iter().find(|w| {
        let rest = lower.replace(w.as_str(), "");
        // Refuse passwords that are mostly a context word.
        lower.contains(w.as_str()) && rest.chars().count() < MIN_PASSWORD_CHARS
    }) {
        let _ = w;
        return Err(weak(
            "password_context",
            "do not build the password on your e-mail, your name or the shop's name",
        ));
    }
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let score = u8::from(zxcvbn::zxcvbn(password, &inputs).score());
    if score < MIN_SCORE {
        return Err(weak(
            "password_weak",
            "this password is too easy to guess; make it longer or less predictable",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), CoreError>) -> &'static str {
        match r {
            Ok(()) => "ok",
            Err(CoreError::Invalid(v)) => v[0].code,
            Err(_) => "other",
        }
    }

    #[test]
    fn policy_cases() {
        assert!(
            common_password_count() >= 3000,
            "ship at least 3000 entries"
        );
        assert_eq!(code(check_password("short1!A", &[])), "password_too_short");
        assert_eq!(code(check_password("password1234", &[])), "password_common");
        assert_eq!(code(check_password("PASSWORD1234", &[])), "password_common");
        assert_eq!(
            code(check_password("aaaaaaaaaaaaaaaa", &[])),
            "password_weak"
        );
        assert_eq!(
            code(check_password(
                "dewisetiawati1",
                &["dewi.setiawati@shop.id"]
            )),
            "password_context"
        );
        // No composition rules: long lowercase passphrases pass.
        assert_eq!(
            code(check_password("violet kettle marmalade oxbow", &[])),
            "ok"
        );
        // 64+ characters accepted.
        assert_eq!(
            code(check_password(
                &"correct horse battery staple ".repeat(3),
                &[]
            )),
            "ok"
        );
        assert_eq!(
            code(check_password(&"x".repeat(1025), &[])),
            "password_too_long"
        );
    }
}
