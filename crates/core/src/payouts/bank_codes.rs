//! Indonesian bank codes (the three-digit clearing codes interbank transfer files name the
//! receiving bank by) for the common banks, looked up from the bank as a payee's details write it.

/// (code, names and spellings, lower-case without `bank`, `pt`, `tbk` and punctuation).
const BANKS: &[(&str, &[&str])] = &[
    ("002", &["bri", "rakyat indonesia", "bank rakyat indonesia"]),
    ("008", &["mandiri"]),
    ("009", &["bni", "negara indonesia"]),
    ("011", &["danamon"]),
    ("013", &["permata"]),
    ("014", &["bca", "central asia"]),
    ("016", &["maybank", "maybank indonesia", "bii"]),
    ("019", &["panin", "panin indonesia"]),
    ("022", &["cimb", "cimb niaga", "niaga"]),
    ("023", &["uob", "uob indonesia"]),
    ("028", &["ocbc", "ocbc nisp", "nisp"]),
    ("031", &["citibank", "citi"]),
    ("046", &["dbs", "dbs indonesia"]),
    ("110", &["bjb", "jabar banten"]),
    ("111", &["dki"]),
    ("113", &["jateng", "jawa tengah"]),
    ("114", &["jatim", "jawa timur"]),
    ("147", &["muamalat"]),
    ("153", &["sinarmas"]),
    ("200", &["btn", "tabungan negara"]),
    ("213", &["btpn", "jenius", "smbc indonesia"]),
    ("426", &["mega"]),
    ("441", &["bukopin", "kb bukopin"]),
    ("451", &["bsi", "syariah indonesia"]),
    ("535", &["seabank", "sea"]),
    ("536", &["bca syariah"]),
    ("542", &["jago"]),
];

/// Lower-case words without punctuation and the words every bank's legal name carries.
fn normal(bank: &str) -> String {
    let cleaned: String = bank
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|w| !matches!(*w, "bank" | "pt" | "tbk" | "persero" | "indonesia"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The bank code of `bank` (`BCA`, `Bank Mandiri`, `PT Bank Negara Indonesia (Persero) Tbk`, or
/// a known three-digit code itself), `None` for a bank not in the table.
pub fn bank_code(bank: &str) -> Option<&'static str> {
    let digits = bank.trim();
    if let Some((code, _)) = BANKS.iter().find(|(c, _)| *c == digits) {
        return Some(code);
    }
    let n = normal(bank);
    BANKS
        .iter()
        .find(|(_, names)| names.iter().any(|x| normal(x) == n))
        .map(|(c, _)| *c)
}

/// Whether `bank` is BCA (a BCA bulk file pays BCA accounts only).
pub fn is_bca(bank: &str) -> bool {
    bank_code(bank) == Some("014")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_names_map_to_their_codes_and_unknown_banks_to_none() {
        for (name, code) in [
            ("BCA", "014"),
            ("Bank Central Asia", "014"),
            ("PT Bank Central Asia Tbk", "014"),
            ("Mandiri", "008"),
            ("Bank Mandiri (Persero)", "008"),
            ("BNI", "009"),
            ("PT Bank Negara Indonesia (Persero) Tbk", "009"),
            ("bri", "002"),
            ("CIMB Niaga", "022"),
            ("Bank Jago", "542"),
            ("BSI", "451"),
            ("BCA Syariah", "536"),
            ("014", "014"),
        ] {
            assert_eq!(bank_code(name), Some(code), "{name}");
        }
        for name in ["Bank Antah Berantah", "", "999", "Wise"] {
            assert_eq!(bank_code(name), None, "{name}");
        }
        assert!(is_bca("Bank BCA") && !is_bca("BCA Syariah") && !is_bca("Mandiri"));
    }
}
