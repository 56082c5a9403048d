//! Times and amounts as a shop owner reads them: times in the shop's time zone with the zone
//! named (`2026-12-07 15:15 WIB`), amounts formatted for their currency (`Rp 250.000`).
//!
//! Amounts are in the currency's minor unit as ISO 4217 defines it: for the rupiah (exponent
//! 2) that is the sen, so `amount_minor = 25000000` is `Rp 250.000`.

use crate::Lang;

/// A shop's time zone: a fixed offset from UTC with the name people use for it. Indonesia's
/// zones (WIB, WITA, WIT) have no daylight saving time, so a fixed offset is exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Minutes east of UTC.
    pub offset_minutes: i32,
    /// The name shown after a time (`WIB`, `UTC+05:30`).
    pub label: String,
}

impl Default for Zone {
    /// Western Indonesia Time (UTC+7), Jakarta's.
    fn default() -> Self {
        Zone::parse("WIB").expect("WIB")
    }
}

/// Why a time-zone setting was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadZone;

impl std::fmt::Display for BadZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "time_zone must be WIB, WITA, WIT, UTC, an Indonesian zone name (Asia/Jakarta, \
             Asia/Pontianak, Asia/Makassar, Asia/Jayapura) or an offset such as +07:00",
        )
    }
}

impl std::error::Error for BadZone {}

impl Zone {
    /// Parses `WIB`, `WITA`, `WIT`, `UTC`, the IANA names of Indonesia's zones (and a few
    /// neighbours without daylight saving), or a fixed offset `+07:00` / `UTC+7` / `-03:30`.
    pub fn parse(s: &str) -> Result<Zone, BadZone> {
        let t = s.trim();
        let named = |m: i32, l: &str| {
            Ok(Zone {
                offset_minutes: m,
                label: l.into(),
            })
        };
        match t.to_ascii_lowercase().as_str() {
            "wib" | "asia/jakarta" | "asia/pontianak" => return named(7 * 60, "WIB"),
            "wita" | "asia/makassar" | "asia/ujung_pandang" => return named(8 * 60, "WITA"),
            "wit" | "asia/jayapura" => return named(9 * 60, "WIT"),
            "utc" | "etc/utc" | "z" | "gmt" => return named(0, "UTC"),
            "asia/singapore" | "asia/kuala_lumpur" => return named(8 * 60, "UTC+08:00"),
            _ => {}
        }
        let off = t
            .strip_prefix("UTC")
            .or_else(|| t.strip_prefix("utc"))
            .unwrap_or(t);
        let (sign, rest) = match off.as_bytes().first() {
            Some(b'+') => (1, &off[1..]),
            Some(b'-') => (-1, &off[1..]),
            _ => return Err(BadZone),
        };
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None => (rest, "0"),
        };
        let all_digits =
            |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(h) || !all_digits(m) {
            return Err(BadZone);
        }
        let (h, m): (i32, i32) = (
            h.parse().map_err(|_| BadZone)?,
            m.parse().map_err(|_| BadZone)?,
        );
        if h > 14 || m > 59 {
            return Err(BadZone);
        }
        let minutes = sign * (h * 60 + m);
        let label = if minutes == 0 {
            "UTC".to_string()
        } else {
            format!(
                "UTC{}{:02}:{:02}",
                if minutes < 0 { '-' } else { '+' },
                minutes.abs() / 60,
                minutes.abs() % 60
            )
        };
        Ok(Zone {
            offset_minutes: minutes,
            label,
        })
    }

    /// `YYYY-MM-DD HH:MM <zone>` for a time in milliseconds since the Unix epoch.
    pub fn datetime_ms(&self, ms: i64) -> String {
        let (date, hm) = self.parts(ms);
        format!("{date} {hm} {}", self.label)
    }

    /// `YYYY-MM-DD` in this zone.
    pub fn date_ms(&self, ms: i64) -> String {
        self.parts(ms).0
    }

    /// Like [`Zone::datetime_ms`] for an RFC 3339 time as the store writes it
    /// (`2026-12-07T08:15:30.123Z`, or with an offset); anything else is returned unchanged.
    pub fn datetime(&self, rfc3339: &str) -> String {
        match parse_rfc3339_ms(rfc3339) {
            Some(ms) => self.datetime_ms(ms),
            None => rfc3339.to_string(),
        }
    }

    /// Like [`Zone::date_ms`] for an RFC 3339 time; anything else is returned unchanged.
    pub fn date(&self, rfc3339: &str) -> String {
        match parse_rfc3339_ms(rfc3339) {
            Some(ms) => self.date_ms(ms),
            None => rfc3339.to_string(),
        }
    }

    fn parts(&self, ms: i64) -> (String, String) {
        let local = ms.div_euclid(1000) + i64::from(self.offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        (
            format!("{y:04}-{mo:02}-{d:02}"),
            format!("{:02}:{:02}", secs / 3600, (secs % 3600) / 60),
        )
    }
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the epoch of an RFC 3339 time (`Z` or `±HH:MM`, optional fraction).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = std::str::from_utf8(b.get(r)?).ok()?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = std::str::from_utf8(&b[start..i]).ok()?;
        let ms3: String = digits.chars().chain("000".chars()).take(3).collect();
        frac_ms = ms3.parse().ok()?;
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            let v = oh * 3600 + om * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(((days * 86_400 + h * 3600 + mi * 60 + se) - offset_secs) * 1000 + frac_ms)
}

/// Digits of `n` grouped by three with `sep`.
fn grouped(n: u128, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// ISO 4217 minor-unit exponent of a currency (2 when unknown).
pub fn currency_exponent(code: &str) -> u32 {
    match code.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "PYG" | "UGX" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// An amount in minor units (ISO 4217) for a reader: `Rp 250.000` (sen shown only when there
/// are any, `Rp 1.250,50`); other currencies with their symbol or code and the reader's
/// separators (`US$ 1,250.00` in English, `US$ 1.250,00` in Bahasa Indonesia).
pub fn money(amount_minor: i64, currency: &str, lang: Lang) -> String {
    let code = currency.trim().to_ascii_uppercase();
    let exp = currency_exponent(&code);
    let scale = 10u128.pow(exp);
    let abs = u128::from(amount_minor.unsigned_abs());
    let (whole, frac) = (abs / scale, abs % scale);
    let idr = code == "IDR";
    // The rupiah is written the Indonesian way whatever the reader's language.
    let (group, decimal) = if idr || lang == Lang::Id {
        ('.', ',')
    } else {
        (',', '.')
    };
    let symbol = match code.as_str() {
        "IDR" => "Rp".to_string(),
        "USD" => "US$".to_string(),
        "SGD" => "S$".to_string(),
        "MYR" => "RM".to_string(),
        "EUR" => "€".to_string(),
        other => other.to_string(),
    };
    let mut s = format!(
        "{}{symbol} {}",
        if amount_minor < 0 { "-" } else { "" },
        grouped(whole, group)
    );
    if exp > 0 && (!idr || frac != 0) {
        s.push(decimal);
        s.push_str(&format!("{frac:0width$}", width = exp as usize));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_are_written_the_indonesian_way() {
        assert_eq!(money(25_000_000, "IDR", Lang::Id), "Rp 250.000");
        assert_eq!(money(25_000_000, "idr", Lang::En), "Rp 250.000");
        assert_eq!(money(125_050, "IDR", Lang::Id), "Rp 1.250,50");
        assert_eq!(money(0, "IDR", Lang::Id), "Rp 0");
        assert_eq!(money(-150_000, "IDR", Lang::Id), "-Rp 1.500");
        assert_eq!(money(100_000_000_000, "IDR", Lang::Id), "Rp 1.000.000.000");
        assert_eq!(money(125_000, "USD", Lang::En), "US$ 1,250.00");
        assert_eq!(money(125_000, "USD", Lang::Id), "US$ 1.250,00");
        assert_eq!(money(1500, "JPY", Lang::En), "JPY 1,500");
        assert_eq!(
            money(i64::MIN, "IDR", Lang::Id),
            "-Rp 92.233.720.368.547.758,08"
        );
    }

    #[test]
    fn zones_parse_and_times_show_them() {
        let wib = Zone::default();
        assert_eq!(wib.offset_minutes, 420);
        assert_eq!(wib.label, "WIB");
        assert_eq!(Zone::parse("Asia/Makassar").unwrap().label, "WITA");
        assert_eq!(Zone::parse("wit").unwrap().offset_minutes, 540);
        assert_eq!(Zone::parse("+05:30").unwrap().label, "UTC+05:30");
        assert_eq!(Zone::parse("UTC-3").unwrap().offset_minutes, -180);
        assert_eq!(Zone::parse("UTC").unwrap().label, "UTC");
        for bad in [
            "",
            "Mars/Olympus",
            "+25:00",
            "+7:99",
            "07:00",
            "UTC+",
            "+123",
        ] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
        // 2026-12-07T08:15:30Z is 15:15 in Jakarta, 17:15 in Jayapura.
        let t = "2026-12-07T08:15:30.123Z";
        assert_eq!(wib.datetime(t), "2026-12-07 15:15 WIB");
        assert_eq!(
            Zone::parse("WIT").unwrap().datetime(t),
            "2026-12-07 17:15 WIT"
        );
        // Across midnight.
        assert_eq!(wib.datetime("2026-12-31T20:00:00Z"), "2027-01-01 03:00 WIB");
        assert_eq!(wib.date("2026-12-31T20:00:00Z"), "2027-01-01");
        assert_eq!(
            wib.datetime("2026-12-07T15:15:00+07:00"),
            "2026-12-07 15:15 WIB"
        );
        assert_eq!(wib.datetime("not a time"), "not a time");
        assert_eq!(wib.datetime_ms(0), "1970-01-01 07:00 WIB");
    }

    #[test]
    fn rfc3339_round_trips_through_days() {
        for days in [-1000, 0, 1, 59, 365, 10_957, 20_794, 50_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_rfc3339_ms("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339_ms("2026-12-07"), None);
    }
}
