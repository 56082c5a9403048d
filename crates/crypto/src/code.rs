//! Human-readable pseudonymous customer codes: `JG-7K3Q-9XM2-P`.
//!
//! Eight random Crockford base32 characters (40 bits) and a Luhn mod 32 check character, which
//! catches every single-character mistake and most swaps of neighbours when a code is read over
//! the phone or typed from a chat. Parsing is forgiving: case, spaces, dashes and the Crockford
//! look-alikes (`O`→`0`, `I`/`L`→`1`) are accepted.

use crate::CryptoError;
use rand::RngCore;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX: &str = "JG";

fn value(c: u8) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        other => other,
    };
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// Luhn mod N check character over base32 values.
fn check_char(values: &[u32]) -> u8 {
    let n = 32;
    let mut factor = 2;
    let mut sum = 0;
    for v in values.iter().rev() {
        let addend = factor * v;
        factor = if factor == 2 { 1 } else { 2 };
        sum += addend / n + addend % n;
    }
    ALPHABET[((n - sum % n) % n) as usize]
}

/// A new random customer code in its canonical form.
pub fn generate() -> String {
    let mut bytes = [0u8; 5];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut n = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut values = [0u32; 8];
    for v in values.iter_mut().rev() {
        *v = (n & 31) as u32;
        n >>= 5;
    }
    format_code(&values)
}

fn format_code(values: &[u32; 8]) -> String {
    let chars: String = values
        .iter()
        .map(|v| ALPHABET[*v as usize] as char)
        .collect();
    let check = check_char(values) as char;
    format!("{PREFIX}-{}-{}-{check}", &chars[..4], &chars[4..])
}

/// Parses a customer code as a person might type it and returns its canonical form.
pub fn parse(input: &str) -> Result<String, CryptoError> {
    let compact: Vec<u8> = input
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' '))
        .collect();
    if compact.len() != 11 || !compact[..2].eq_ignore_ascii_case(PREFIX.as_bytes()) {
        return Err(CryptoError::Encoding(
            "a customer code looks like JG-XXXX-XXXX-X",
        ));
    }
    let mut values = [0u32; 8];
    for (v, c) in values.iter_mut().zip(&compact[2..10]) {
        *v = value(*c).ok_or(CryptoError::Encoding(
            "customer code has a character outside its alphabet",
        ))?;
    }
    let check = value(compact[10]).ok_or(CryptoError::Encoding(
        "customer code has a character outside its alphabet",
    ))?;
    if ALPHABET[check as usize] != check_char(&values) {
        return Err(CryptoError::Encoding(
            "customer code check character does not match",
        ));
    }
    Ok(format_code(&values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_to_themselves() {
        for _ in 0..200 {
            let c = generate();
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(parse(&c).unwrap(), c);
        }
    }

    #[test]
    fn forgiving_input() {
        let c = generate();
        let typed = c.to_lowercase().replace('-', " ");
        assert_eq!(parse(&typed).unwrap(), c);
    }

    #[test]
    fn every_single_character_error_is_caught() {
        let c = generate();
        let compact: Vec<u8> = c.bytes().filter(|b| *b != b'-').collect();
        for pos in 2..compact.len() {
            for &a in ALPHABET {
                if a == compact[pos] {
                    continue;
                }
                let mut m = compact.clone();
                m[pos] = a;
                assert!(
                    parse(std::str::from_utf8(&m).unwrap()).is_err(),
                    "{c} pos {pos}"
                );
            }
        }
    }

    #[test]
    fn rejects_wrong_shape() {
        assert!(parse("JG-1234").is_err());
        assert!(parse("XX-7K3Q-9XM2-P").is_err());
        assert!(parse("JG-7K3Q-9XM2-#").is_err());
    }
}
