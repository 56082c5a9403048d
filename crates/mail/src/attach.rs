//! Attachments: names (double extensions, right-to-left overrides, executable types), Office
//! macros, HTML forms, PDF scripts, and archives.
//!
//! Archives are inspected through their ZIP central directory only (names, sizes, the encryption
//! flag), which needs no decompression. A nested archive is opened only when it is stored or
//! compressed within [`MAX_INFLATE`] bytes, one level deep: nothing bigger is ever unpacked, so a
//! zip bomb costs nothing but a finding.

/// Most bytes a nested archive may inflate to before it is left unopened.
pub const MAX_INFLATE: usize = 1024 * 1024;
/// Most central-directory entries read per archive.
pub const MAX_ENTRIES: usize = 2000;
/// Declared size above which an archive counts as a bomb.
const BOMB_TOTAL: u64 = 512 * 1024 * 1024;
/// Declared compression ratio above which an archive counts as a bomb.
const BOMB_RATIO: u64 = 200;

/// Executable and script types (run on a double-click, or mount to do so).
const EXECUTABLE: &[&str] = &[
    "exe",
    "scr",
    "com",
    "pif",
    "bat",
    "cmd",
    "js",
    "jse",
    "vbs",
    "vbe",
    "wsf",
    "wsh",
    "hta",
    "lnk",
    "iso",
    "img",
    "vhd",
    "vhdx",
    "msi",
    "msix",
    "msp",
    "jar",
    "ps1",
    "psm1",
    "one",
    "cpl",
    "reg",
    "apk",
    "dll",
    "appx",
    "appxbundle",
    "application",
    "gadget",
    "chm",
    "url",
    "inf",
    "sct",
    "xll",
    "xbap",
    "ace",
];
/// Office types that carry macros by definition.
const MACRO_TYPES: &[&str] = &[
    "docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm", "xlsb",
];
/// Types a reader expects to be harmless (the first half of a double extension).
const DOCUMENT_TYPES: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "jpeg", "png", "gif", "txt", "csv",
    "rtf", "odt", "ods", "zip", "html", "htm", "mp4", "mp3",
];
const HTML_TYPES: &[&str] = &["htm", "html", "shtml", "xhtml", "svg", "mht", "mhtml"];
const OOXML_TYPES: &[&str] = &[
    "docx", "xlsx", "pptx", "docm", "xlsm", "pptm", "dotx", "xltx",
];
const OTHER_ARCHIVES: &[&str] = &[
    "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "arj", "lzh",
];

/// What an attachment shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// An executable or script type, by name.
    Executable(String),
    /// A harmless-looking extension before a dangerous one (`invoice.pdf.exe`) or a
    /// right-to-left override hiding the real one.
    Disguised(String),
    /// Office macros (by type or by a VBA project inside).
    Macro(String),
    /// An HTML file (a form or script when `true`).
    Html(String, bool),
    /// A PDF with JavaScript or a launch action.
    PdfScript(String),
    /// An archive holding an executable or script.
    ArchiveExecutable(String, String),
    /// A password-protected archive.
    ArchiveEncrypted(String),
    /// An archive whose declared sizes or ratio are out of proportion.
    ArchiveBomb(String),
    /// An archive type that is not inspected (RAR, 7z, …).
    ArchiveOpaque(String),
}

fn extension(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.trim().trim_end_matches(['"', ' ']).to_ascii_lowercase();
    (!ext.is_empty() && ext.len() <= 12).then_some(ext)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Inspects one attachment by name and content.
pub fn inspect(name: &str, data: &[u8], out: &mut Vec<Finding>) {
    let shown = name.trim();
    let clean: String = shown.chars().filter(|c| !is_bidi_control(*c)).collect();
    let ext = extension(&clean);
    if clean.len() != shown.len() {
        out.push(Finding::Disguised(clean.clone()));
    }
    let looks_zip = data.starts_with(b"PK\x03\x04")
        || data.starts_with(b"PK\x05\x06")
        || ext.as_deref() == Some("zip");
    match ext.as_deref() {
        Some(e) if EXECUTABLE.contains(&e) => {
            let stem = clean.rsplit_once('.').map_or("", |(stem, _)| stem);
            if extension(stem).is_some_and(|p| DOCUMENT_TYPES.contains(&p.as_str()))
                || stem.ends_with(' ')
            {
                out.push(Finding::Disguised(clean.clone()));
            }
            out.push(Finding::Executable(clean.clone()));
        }
        Some(e) if MACRO_TYPES.contains(&e) => out.push(Finding::Macro(clean.clone())),
        Some(e) if HTML_TYPES.contains(&e) => {
            out.push(Finding::Html(clean.clone(), html_active(data)));
        }
        Some(e)
            if OOXML_TYPES.contains(&e)
                && looks_zip
                && zip_entries(data).is_some_and(|z| {
                    z.entries.iter().any(|n| n.name.ends_with("vbaProject.bin"))
                }) =>
        {
            out.push(Finding::Macro(clean.clone()));
        }
        Some("doc" | "xls" | "ppt" | "dot" | "xlt") if ole_has_vba(data) => {
            out.push(Finding::Macro(clean.clone()));
        }
        Some("pdf") if pdf_active(data) => {
            out.push(Finding::PdfScript(clean.clone()));
        }
        Some(e) if OTHER_ARCHIVES.contains(&e) && !looks_zip => {
            out.push(Finding::ArchiveOpaque(clean.clone()))
        }
        _ => {}
    }
    if looks_zip && !ext.as_deref().is_some_and(|e| OOXML_TYPES.contains(&e)) {
        inspect_zip(&clean, data, 0, out);
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn html_active(data: &[u8]) -> bool {
    let d = data[..data.len().min(2 * 1024 * 1024)].to_ascii_lowercase();
    [
        &b"<form"[..],
        b"type=\"password\"",
        b"type=password",
        b"atob(",
        b"<script",
        b"window.location",
    ]
    .iter()
    .any(|n| contains(&d, n))
}

fn pdf_active(data: &[u8]) -> bool {
    let d = &data[..data.len().min(8 * 1024 * 1024)];
    [
        &b"/JavaScript"[..],
        b"/JS ",
        b"/JS(",
        b"/Launch",
        b"/OpenAction /URI",
        b"/EmbeddedFile",
    ]
    .iter()
    .any(|n| contains(d, n))
}

/// OLE compound file with a VBA project stream (UTF-16 `_VBA_PROJECT`).
fn ole_has_vba(data: &[u8]) -> bool {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    const VBA: &[u8] = b"_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0";
    data.starts_with(OLE) && contains(data, VBA)
}

struct Entry {
    name: String,
    encrypted: bool,
    method: u16,
    compressed: u64,
    uncompressed: u64,
    local_offset: u64,
}

struct Zip {
    entries: Vec<Entry>,
}

fn u16le(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}
fn u32le(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Reads the central directory (bounded; `None` when there is none to read).
fn zip_entries(data: &[u8]) -> Option<Zip> {
    // End of central directory: within the last 64 KiB + 22 bytes.
    let tail_from = data.len().saturating_sub(65_557);
    let eocd = (tail_from..data.len().saturating_sub(21))
        .rev()
        .find(|&i| data[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16le(data, eocd + 10)? as usize;
    let size = u32le(data, eocd + 12)? as usize;
    let mut at = u32le(data, eocd + 16)? as usize;
    // Bytes prepended to the archive (a self-extractor stub, or junk to evade scanners) shift
    // every offset: read the directory where it ends, right before the end record.
    if u32le(data, at) != Some(0x0201_4b50) {
        at = eocd.checked_sub(size)?;
    }
    let shift = at as i64 - u32le(data, eocd + 16)? as i64;
    let mut entries = Vec::new();
    for _ in 0..count.min(MAX_ENTRIES) {
        if u32le(data, at)? != 0x0201_4b50 {
            break;
        }
        let flags = u16le(data, at + 8)?;
        let method = u16le(data, at + 10)?;
        let compressed = u32le(data, at + 20)? as u64;
        let uncompressed = u32le(data, at + 24)? as u64;
        let name_len = u16le(data, at + 28)? as usize;
        let extra_len = u16le(data, at + 30)? as usize;
        let comment_len = u16le(data, at + 32)? as usize;
        let local_offset = (u32le(data, at + 42)? as i64 + shift).max(0) as u64;
        let name = data.get(at + 46..at + 46 + name_len)?;
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            encrypted: flags & 1 == 1,
            method,
            compressed,
            uncompressed,
            local_offset,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(Zip { entries })
}

/// The bytes of a small stored or deflated entry, inflated at most to [`MAX_INFLATE`].
fn small_entry(data: &[u8], e: &Entry) -> Option<Vec<u8>> {
    if e.encrypted || e.uncompressed as usize > MAX_INFLATE || e.compressed as usize > data.len() {
        return None;
    }
    let at = e.local_offset as usize;
    if u32le(data, at)? != 0x0403_4b50 {
        return None;
    }
    let start = at + 30 + u16le(data, at + 26)? as usize + u16le(data, at + 28)? as usize;
    let raw = data.get(start..start.checked_add(e.compressed as usize)?)?;
    match e.method {
        0 => Some(raw.to_vec()),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(raw, MAX_INFLATE).ok(),
        _ => None,
    }
}

fn inspect_zip(name: &str, data: &[u8], depth: u8, out: &mut Vec<Finding>) {
    let Some(zip) = zip_entries(data) else {
        return;
    };
    let total: u64 = zip.entries.iter().map(|e| e.uncompressed).sum();
    let packed: u64 = zip.entries.iter().map(|e| e.compressed).sum::<u64>().max(1);
    if total > BOMB_TOTAL || (total > 10 * 1024 * 1024 && total / packed > BOMB_RATIO) {
        out.push(Finding::ArchiveBomb(name.to_string()));
    }
    if zip.entries.iter().any(|e| e.encrypted) {
        out.push(Finding::ArchiveEncrypted(name.to_string()));
    }
    for e in &zip.entries {
        let inner: String = e.name.chars().filter(|c| !is_bidi_control(*c)).collect();
        let ext = extension(&inner);
        let dangerous = ext.as_deref().is_some_and(|x| {
            EXECUTABLE.contains(&x) || MACRO_TYPES.contains(&x) || HTML_TYPES.contains(&x)
        });
        if dangerous || inner.len() != e.name.len() {
            out.push(Finding::ArchiveExecutable(name.to_string(), inner.clone()));
            continue;
        }
        if depth == 0
            && ext.as_deref() == Some("zip")
            && let Some(bytes) = small_entry(data, e)
        {
            inspect_zip(&format!("{name}/{inner}"), &bytes, depth + 1, out);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored (uncompressed) ZIP of `(name, bytes, encrypted)` entries.
    pub(crate) fn zip(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, bytes, enc) in files {
            let offset = out.len() as u32;
            let flags: u16 = if *enc { 1 } else { 0 };
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // stored
            out.extend_from_slice(&[0; 8]); // time, date, crc (unchecked)
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(bytes);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&flags.to_le_bytes());
            central.extend_from_slice(&0u16.to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            central.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn run(name: &str, data: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        inspect(name, data, &mut out);
        out
    }

    #[test]
    fn names() {
        assert!(
            run("invoice.pdf.exe", b"MZ").contains(&Finding::Disguised("invoice.pdf.exe".into()))
        );
        assert!(
            run("invoice\u{202E}fdp.exe", b"MZ")
                .contains(&Finding::Disguised("invoicefdp.exe".into()))
        );
        assert_eq!(
            run("Faktur.xlsm", b""),
            vec![Finding::Macro("Faktur.xlsm".into())]
        );
        assert_eq!(run("invoice.pdf", b"%PDF-1.4 plain"), vec![]);
        assert_eq!(
            run("scan.HTML", b"<form action=x>"),
            vec![Finding::Html("scan.HTML".into(), true)]
        );
        assert_eq!(run("foto.jpg", b"\xff\xd8"), vec![]);
        assert_eq!(
            run("data.rar", b"Rar!"),
            vec![Finding::ArchiveOpaque("data.rar".into())]
        );
    }

    #[test]
    fn archives_are_read_without_unpacking() {
        let z = zip(&[("readme.txt", b"hi", false), ("invoice.js", b"x", false)]);
        assert!(run("docs.zip", &z).contains(&Finding::ArchiveExecutable(
            "docs.zip".into(),
            "invoice.js".into()
        )));
        let z = zip(&[("invoice.pdf", b"x", true)]);
        assert_eq!(
            run("locked.zip", &z),
            vec![Finding::ArchiveEncrypted("locked.zip".into())]
        );
        let inner = zip(&[("run.vbs", b"x", false)]);
        let outer = zip(&[("inner.zip", &inner, false)]);
        assert_eq!(
            run("outer.zip", &outer),
            vec![Finding::ArchiveExecutable(
                "outer.zip/inner.zip".into(),
                "run.vbs".into()
            )]
        );
        let macro_doc = zip(&[
            ("word/document.xml", b"x", false),
            ("word/vbaProject.bin", b"x", false),
        ]);
        assert_eq!(
            run("order.docx", &macro_doc),
            vec![Finding::Macro("order.docx".into())]
        );
        assert_eq!(
            run("order.docx", &zip(&[("word/document.xml", b"x", false)])),
            vec![]
        );
    }

    #[test]
    fn prepended_bytes_do_not_hide_the_directory() {
        let mut z = b"MZ junk stub ".to_vec();
        z.extend(zip(&[("Faktur.lnk", b"x", false)]));
        assert_eq!(
            run("faktur.zip", &z),
            vec![Finding::ArchiveExecutable(
                "faktur.zip".into(),
                "Faktur.lnk".into()
            )]
        );
    }

    #[test]
    fn declared_bomb_and_garbage() {
        let mut z = zip(&[("big.txt", b"x", false)]);
        // Patch the central directory's uncompressed size to 4 GiB - 1.
        let cd = z.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        z[cd + 24..cd + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(run("bomb.zip", &z).contains(&Finding::ArchiveBomb("bomb.zip".into())));
        for cut in 0..z.len() {
            let _ = run("cut.zip", &z[..cut]);
        }
        let mut bad = b"PK\x03\x04".to_vec();
        bad.extend_from_slice(&[0xff; 100]);
        bad.extend_from_slice(
            b"PK\x05\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        );
        let _ = run("bad.zip", &bad);
    }
}
