//! Streaming API: formats, malformed input, limits, constant memory.

use std::io::{BufRead, BufReader, Read};

use jaga_redact::{
    EntityKind as K, Format, Policy, RedactError, StreamOptions, redact_stream, redact_stream_with,
};

fn run(input: &[u8], format: Format) -> Result<(String, jaga_redact::Stats), RedactError> {
    let mut out = Vec::new();
    let stats = redact_stream(input, &mut out, format, &Policy::default(), |_| {})?;
    Ok((String::from_utf8(out).unwrap(), stats))
}

#[test]
fn text_lines_and_counts() {
    let (out, stats) = run(
        b"NIK 3174051204900003\nkartu 4111-1111-1111-1111 ok\n",
        Format::Text,
    )
    .unwrap();
    assert_eq!(out, "NIK [NIK]\nkartu  ok\n");
    assert_eq!(
        (
            stats.count(K::Nik),
            stats.count(K::CreditCard),
            stats.records
        ),
        (1, 1, 2)
    );
    assert_eq!(stats.bytes_in, 50);
}

#[test]
fn csv_keeps_header_and_quotes() {
    let input = "order_id,nama,alamat,no_rekening\n\
                 INV/2025/11/00123,Agustina Wibisono,\"Jl. Merdeka No. 10, Bandung\",1234567890\r\n";
    let (out, stats) = run(input.as_bytes(), Format::Csv).unwrap();
    assert_eq!(
        out,
        "order_id,nama,alamat,no_rekening\nINV/2025/11/00123,[PERSON],\"[ADDRESS]\",******7890\r\n"
    );
    assert_eq!(stats.records, 1);
    assert_eq!(stats.count(K::BankAccount), 1);
}

#[test]
fn csv_one_field_record_redacted_to_nothing_stays_a_record() {
    // Cards are removed whole (the default operator): a record holding only a card became an
    // empty line, and as the last line without a line feed no record at all.
    for (input, want) in [
        ("catatan\n4111 1111 1111 1111", "catatan\n\"\""),
        ("catatan\n4111.1111.1111.1111\nok\n", "catatan\n\"\"\nok\n"),
        ("catatan\n\n4111 1111 1111 1111\r\n", "catatan\n\n\"\"\r\n"),
    ] {
        let (out, stats) = run(input.as_bytes(), Format::Csv).unwrap();
        assert_eq!(out, want, "{input:?}");
        assert_eq!(stats.count(K::CreditCard), 1, "{input:?}");
    }
}

#[test]
fn csv_semicolon_and_multiline_field() {
    let input = "nama;catatan\nBudi;\"HP 081234567890\nresi JP1234567890\"\n";
    let (out, _) = run(input.as_bytes(), Format::Csv).unwrap();
    assert_eq!(
        out,
        "nama;catatan\n[PERSON];\"HP ********7890\nresi JP1234567890\"\n"
    );
}

#[test]
fn malformed_csv_is_an_error_with_a_line_number() {
    let err = run(b"a,b\n1,\"open\n2,3\n", Format::Csv).unwrap_err();
    assert!(matches!(err, RedactError::Csv { line: 2, .. }), "{err}");
    let err = run(b"a,b\n1,\"x\"y\n", Format::Csv).unwrap_err();
    assert!(matches!(err, RedactError::Csv { line: 2, .. }), "{err}");
}

#[test]
fn jsonl_round_trip_with_offsets_into_input() {
    let input = "{\"id\": 7, \"text\": \"WA 0812-3456-7890 ya\", \"secret\": \"x\"}\n\n{\"id\":\"b\",\"text\":\"halo\"}\n";
    let (out, stats) = run(input.as_bytes(), Format::Jsonl).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"id":7,"text":"WA ****-****-7890 ya","findings":[{"kind":"PHONE","start":3,"end":17,"score":0.95}]}"#
    );
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], r#"{"id":"b","text":"halo","findings":[]}"#);
    assert_eq!(stats.records, 2);
}

#[test]
fn jsonl_errors_do_not_quote_input() {
    let err = run(
        b"{\"id\":1,\"text\":\"NIK 3174051204900003\"\n",
        Format::Jsonl,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("line 1") && !msg.contains("3174"), "{msg}");
    let err = run(b"{\"id\":1}\n", Format::Jsonl).unwrap_err();
    assert!(matches!(err, RedactError::Jsonl { line: 1, .. }));
}

#[test]
fn invalid_utf8_and_binary_are_errors() {
    assert!(matches!(
        run(b"ok\n\xff\xfe\n", Format::Text),
        Err(RedactError::InvalidUtf8 { line: 2 })
    ));
    assert!(matches!(
        run(b"ok\nab\0cd\n", Format::Text),
        Err(RedactError::Binary { line: 2 })
    ));
    assert!(matches!(
        run(b"a\n\xff\n", Format::Csv),
        Err(RedactError::InvalidUtf8 { line: 2 })
    ));
}

#[test]
fn huge_lines_are_split_for_text_and_refused_for_records() {
    let mut input = "kata ".repeat(50_000).into_bytes();
    input.extend_from_slice(b"HP 081234567890\n");
    let opts = StreamOptions {
        max_line_bytes: 4096,
        max_record_bytes: 4096,
        ..Default::default()
    };
    let mut out = Vec::new();
    let stats = redact_stream_with(
        &input[..],
        &mut out,
        Format::Text,
        &Policy::default(),
        &opts,
        |_| {},
    )
    .unwrap();
    assert!(stats.lines_split > 0);
    assert_eq!(out.len(), input.len());
    assert!(
        String::from_utf8(out)
            .unwrap()
            .ends_with("HP ********7890\n")
    );
    let mut jl = b"{\"text\":\"".to_vec();
    jl.extend(std::iter::repeat_n(b'a', 10_000));
    jl.extend_from_slice(b"\"}\n");
    let err = redact_stream_with(
        &jl[..],
        Vec::new(),
        Format::Jsonl,
        &Policy::default(),
        &opts,
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(
        err,
        RedactError::RecordTooLong {
            line: 1,
            limit: 4096
        }
    ));
}

#[test]
fn eml_headers_text_parts_and_attachments() {
    let eml = "From: \"Budi Santoso\" <budi@example.com>\r\n\
        To: cs@toko.id\r\n\
        Subject: refund ke rek BCA 1234567890\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"XX\"\r\n\
        \r\n\
        preamble\r\n\
        --XX\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\
        \r\n\
        NIK saya 3174051204900003, kartu 4111 1111 =\r\n\
        1111 1111\r\n\
        --XX\r\n\
        Content-Type: image/jpeg; name=\"ktp.jpg\"\r\n\
        Content-Transfer-Encoding: base64\r\n\
        \r\n\
        /9j/4AAQSkZJRg==\r\n\
        --XX--\r\n";
    let (out, stats) = run(eml.as_bytes(), Format::Eml).unwrap();
    assert!(out.starts_with("From: \"[PERSON]\" <[EMAIL]>\r\nTo: [EMAIL]\r\nSubject: refund ke rek BCA ******7890\r\n"), "{out}");
    assert!(out.contains("Content-Transfer-Encoding: 8bit"));
    assert!(
        out.contains("NIK saya [NIK], kartu \r\n") || out.contains("NIK saya [NIK], kartu "),
        "{out}"
    );
    assert!(!out.contains("4111") && !out.contains("/9j/") && !out.contains("3174"));
    assert!(out.contains("X-Jaga-Redacted: part removed"));
    assert!(out.ends_with("--XX--\r\n"), "{out}");
    assert_eq!((stats.parts_removed, stats.count(K::CreditCard)), (1, 1));
}

#[test]
fn eml_base64_text_part_and_garbage() {
    let eml = "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nTklLIDMxNzQwNTEyMDQ5MDAwMDM=\n";
    let (out, _) = run(eml.as_bytes(), Format::Eml).unwrap();
    assert!(out.ends_with("\nNIK [NIK]"), "{out}");
    assert!(matches!(
        run(b"\x00\x01binary", Format::Eml),
        Err(RedactError::Eml { .. })
    ));
}

/// A reader that produces `n` bytes of repeated CS text without holding them.
struct Repeat {
    chunk: Vec<u8>,
    left: usize,
    pos: usize,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            buf[n] = self.chunk[self.pos];
            self.pos = (self.pos + 1) % self.chunk.len();
            self.left -= 1;
            n += 1;
        }
        Ok(n)
    }
}

/// A writer that counts bytes only.
struct Sink(u64);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn streams_large_input_with_progress() {
    let chunk = b"Halo kak, saya Budi Santoso, NIK 3174051204900003, HP 0812-3456-7890. Order INV/2025/11/00123 total Rp 1.250.000.\n".to_vec();
    let total = 8 * 1024 * 1024;
    let reader: Box<dyn BufRead> = Box::new(BufReader::new(Repeat {
        chunk,
        left: total,
        pos: 0,
    }));
    let mut calls = 0u64;
    let mut last = 0;
    let mut sink = Sink(0);
    let stats = redact_stream(reader, &mut sink, Format::Text, &Policy::default(), |n| {
        assert!(n >= last);
        last = n;
        calls += 1;
    })
    .unwrap();
    assert_eq!(stats.bytes_in, total as u64);
    assert_eq!(last, total as u64);
    assert!(calls > 100);
    // the last line may be cut off mid-NIK by the byte budget
    assert!(stats.count(K::Nik) + 1 >= stats.records && stats.records > 70_000);
    assert_eq!(stats.bytes_out, sink.0);
}
