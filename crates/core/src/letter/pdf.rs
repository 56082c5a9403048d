//! A small PDF 1.4 writer for text documents: A4 landscape pages of Courier (a standard font
//! every PDF reader has, so nothing is embedded), long lines wrapped, pages broken as needed.
//!
//! The standard fonts show WinAnsi (Windows-1252) only. Latin letters with marks outside it
//! (`ł`, `ș`, `ő`, `Đ`) are written as their base letter; anything else (names in Chinese,
//! Arabic, Javanese script …) as `?`, one per character so columns stay aligned, and
//! [`all_shown`] tells the caller to say so on the page (the HTML and text versions show
//! everything).

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 40.0;
const FONT_SIZE: f32 = 9.0;
const LEADING: f32 = 11.5;
/// Courier's advance is 0.6 em.
const CHARS_PER_LINE: usize = ((PAGE_W - 2.0 * MARGIN) / (FONT_SIZE * 0.6)) as usize;
const LINES_PER_PAGE: usize = ((PAGE_H - 2.0 * MARGIN) / LEADING) as usize;

/// Lines of `text` wrapped at `width` characters (at a space where there is one).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest: Vec<char> = line.chars().collect();
        while rest.len() > width {
            let cut = rest[..width]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|&p| p > width / 2)
                .unwrap_or(width);
            out.push(
                rest[..cut]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            rest = rest[cut..]
                .iter()
                .copied()
                .skip_while(|c| *c == ' ')
                .collect();
        }
        out.push(rest.into_iter().collect());
    }
    out
}

/// Windows-1252's characters in 0x80–0x9F (the rest of its upper half is Latin-1).
const CP1252_HIGH: [(char, u8); 27] = [
    ('\u{20ac}', 0x80),
    ('\u{201a}', 0x82),
    ('\u{0192}', 0x83),
    ('\u{201e}', 0x84),
    ('\u{2026}', 0x85),
    ('\u{2020}', 0x86),
    ('\u{2021}', 0x87),
    ('\u{02c6}', 0x88),
    ('\u{2030}', 0x89),
    ('\u{0160}', 0x8a),
    ('\u{2039}', 0x8b),
    ('\u{0152}', 0x8c),
    ('\u{017d}', 0x8e),
    ('\u{2018}', 0x91),
    ('\u{2019}', 0x92),
    ('\u{201c}', 0x93),
    ('\u{201d}', 0x94),
    ('\u{2022}', 0x95),
    ('\u{2013}', 0x96),
    ('\u{2014}', 0x97),
    ('\u{02dc}', 0x98),
    ('\u{2122}', 0x99),
    ('\u{0161}', 0x9a),
    ('\u{203a}', 0x9b),
    ('\u{0153}', 0x9c),
    ('\u{017e}', 0x9e),
    ('\u{0178}', 0x9f),
];

/// The base letter of each character of Latin Extended-A (U+0100–U+017F).
const LATIN_EXT_A: &[u8; 128] = b"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// The WinAnsi byte that shows `c`: itself, or its base letter; `None` if the standard fonts
/// cannot show it.
fn win_ansi(c: char) -> Option<u8> {
    match c {
        ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).ok(),
        '\u{2212}' | '\u{2010}' | '\u{2011}' => Some(b'-'),
        _ => CP1252_HIGH
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, b)| *b)
            .or_else(|| {
                let i = usize::try_from(u32::from(c).checked_sub(0x100)?).ok()?;
                LATIN_EXT_A.get(i).copied()
            }),
    }
}

/// Whether the PDF shows every character of `text` (at worst as its base letter).
pub fn all_shown(text: &str) -> bool {
    text.chars()
        .all(|c| c == '\n' || c == '\r' || c == '\t' || win_ansi(c).is_some())
}

/// A PDF string literal in WinAnsi, escaped; characters it cannot show are `?`.
fn literal(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars() {
        match win_ansi(c) {
            Some(b @ (b'(' | b')' | b'\\')) => {
                out.push('\\');
                out.push(char::from(b));
            }
            Some(b @ b' '..=b'~') => out.push(char::from(b)),
            Some(b) => out.push_str(&format!("\\{b:03o}")),
            None => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// A PDF of `text` titled `title`.
pub fn text_document(title: &str, text: &str) -> Vec<u8> {
    let lines = wrap(text, CHARS_PER_LINE);
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(LINES_PER_PAGE).collect()
    };
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then a page and its content per page.
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        String::new(), // the page tree, once the page numbers are known
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".into(),
        format!("<< /Title {} /Producer (Jaga) >>", literal(title)),
    ];
    let mut kids = Vec::new();
    for page in &pages {
        let mut content = format!(
            "BT /F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {} Td\n",
            PAGE_H - MARGIN - FONT_SIZE
        );
        for l in page.iter() {
            content.push_str(&literal(l));
            content.push_str(" Tj T*\n");
        }
        content.push_str("ET");
        let page_no = objects.len() + 1;
        let content_no = page_no + 1;
        kids.push(format!("{page_no} 0 R"));
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_no} 0 R >>"
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len() + 1
        ));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {} >>",
        kids.join(" "),
        kids.len()
    );
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_a_correct_cross_reference_table() {
        let text = (0..120)
            .map(|i| format!("line {i} (with parentheses) \\ and é and 漢"))
            .collect::<Vec<_>>()
            .join("\n");
        let pdf = text_document("Toko (Cantik)", &text);
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        // Byte for byte (offsets stay offsets): non-ASCII bytes only occur in the header.
        let s: String = pdf
            .iter()
            .map(|&b| if b.is_ascii() { b as char } else { '.' })
            .collect();
        // 120 lines need three pages.
        assert!(s.contains("/Count 3"), "{s}");
        assert!(s.contains("(line 0 \\(with parentheses\\) \\\\ and \\351 and ?) Tj"));
        // Every xref offset points at its object.
        let xref_at: usize = s
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let table = &s[xref_at..];
        for (i, line) in table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .enumerate()
        {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                s[off..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
        // Stream lengths are exact.
        for part in s.split("/Length ").skip(1) {
            let n: usize = part.split(' ').next().unwrap().parse().unwrap();
            let body = &part[part.find("stream\n").unwrap() + 7..];
            assert_eq!(&body[n..n + 9], "endstream");
        }
    }

    /// Regression (issue 18): a name in another script became an unexplained row of `?`, and
    /// Latin letters outside Latin-1 (`Łukasz`, `Ştefan`) lost their letter altogether.
    #[test]
    fn letters_outside_win_ansi_fold_or_are_flagged() {
        assert_eq!(
            literal("Łukasz Ştefan Đorđe Őze"),
            "(Lukasz Stefan Dorde Oze)"
        );
        assert_eq!(
            literal("Rp 250.000 \u{2013} \u{20ac}5 \u{2122}"),
            "(Rp 250.000 \\226 \\2005 \\231)"
        );
        assert_eq!(literal("(a\\b)"), "(\\(a\\\\b\\))");
        assert!(all_shown("Toko Łódź \u{2022}\u{2022}\u{2022} 1111\n\tcafé"));
        // One `?` per character, so the columns keep their width.
        assert_eq!(literal("林 Budi"), "(? Budi)");
        assert_eq!(literal("محمد"), "(????)");
        assert!(!all_shown("Toko 林"));
        assert!(!all_shown("ꦧꦸꦢꦶ"));
    }

    #[test]
    fn long_lines_wrap_at_a_space() {
        let w = wrap(&format!("{} tail", "word ".repeat(40)), 30);
        assert!(w.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(w.join(" ").split_whitespace().count(), 41);
    }
}
