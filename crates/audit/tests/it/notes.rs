//! Signed notes: the Go `sumdb/note` reference key and note, key IDs, unknown keys, many
//! signatures, and malformed input.

use jaga_audit::note::{MAX_SIGNATURES, Note, key_id, open_note, sign_note};
use jaga_audit::{AuditError, SigningKeyPair, VerifierKey};

// The example key and note of golang.org/x/mod/sumdb/note.
const GO_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                       then you don't know what your problem is.\n";
const GO_SIG: &str =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

fn go_note() -> String {
    format!("{GO_TEXT}\n\u{2014} PeterNeumann {GO_SIG}\n")
}

fn key(name: &str, seed: u8) -> SigningKeyPair {
    SigningKeyPair::from_seed(name, &[seed; 32]).unwrap()
}

#[test]
fn go_reference_keys_and_signature() {
    let signer = SigningKeyPair::parse(GO_SKEY).unwrap();
    assert_eq!(signer.verifier().to_string(), GO_VKEY);
    assert_eq!(signer.verifier().id(), 0xc74f20a3);
    let verifier = VerifierKey::parse(GO_VKEY).unwrap();
    assert_eq!(key_id("PeterNeumann", &verifier.public_key()), 0xc74f20a3);
    use secrecy::ExposeSecret;
    assert_eq!(signer.to_secret_string().expose_secret(), GO_SKEY);
    // Ed25519 is deterministic: we must reproduce the Go note byte for byte.
    assert_eq!(sign_note(GO_TEXT, &[&signer]).unwrap(), go_note());
    assert_eq!(
        open_note(&go_note(), std::slice::from_ref(&verifier)).unwrap(),
        GO_TEXT
    );
    let forged = go_note().replace("cryptography", "cryptographY");
    assert_eq!(
        open_note(&forged, &[verifier]),
        Err(AuditError::BadSignature {
            name: "PeterNeumann".into()
        })
    );
}

#[test]
fn debug_output_redacts_the_secret() {
    let signer = SigningKeyPair::parse(GO_SKEY).unwrap();
    let shown = format!("{signer:?}");
    assert!(
        shown.contains("REDACTED") && shown.contains("c74f20a3"),
        "{shown}"
    );
    assert!(!shown.contains("AYEKFALV"), "{shown}");
    let err = SigningKeyPair::parse(
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    )
    .unwrap_err();
    assert!(!err.to_string().contains("AYEKFALV"));
}

#[test]
fn key_strings_reject_manglings() {
    // Every proper substring of the verifier key fails to parse.
    for i in 0..GO_VKEY.len() {
        for j in i + 1..=GO_VKEY.len() {
            if (i, j) != (0, GO_VKEY.len())
                && GO_VKEY.is_char_boundary(i)
                && GO_VKEY.is_char_boundary(j)
            {
                assert!(
                    VerifierKey::parse(&GO_VKEY[i..j]).is_err(),
                    "{}",
                    &GO_VKEY[i..j]
                );
            }
        }
    }
    assert!(
        VerifierKey::parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    assert!(
        VerifierKey::parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    assert!(
        VerifierKey::parse("PeterNeumann+c74f20a3+ApqcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
            .is_err()
    );
    assert!(SigningKeyPair::from_seed("bad+name", &[1; 32]).is_err());
    assert!(SigningKeyPair::from_seed("", &[1; 32]).is_err());
    // A base64 key containing '+' (transparency-dev/formats test key) parses.
    let plus = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
    assert_eq!(VerifierKey::parse(plus).unwrap().to_string(), plus);
}

#[test]
fn unknown_keys_are_ignored_and_at_least_16_signatures_accepted() {
    let text = "log.example/a\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    let keys: Vec<SigningKeyPair> = (0..20).map(|i| key(&format!("witness{i}"), i)).collect();
    let refs: Vec<&SigningKeyPair> = keys.iter().collect();
    let note = sign_note(text, &refs).unwrap();
    assert_eq!(Note::parse(&note).unwrap().signatures.len(), 20);
    // Trust only the last signer: the 19 others are unknown and ignored.
    let trusted = [keys[19].verifier().clone()];
    assert_eq!(open_note(&note, &trusted).unwrap(), text);
    // Trust all of them: all 20 verify.
    let all: Vec<VerifierKey> = keys.iter().map(|k| k.verifier().clone()).collect();
    assert_eq!(Note::parse(&note).unwrap().verify(&all).unwrap().len(), 20);
    // An unknown key with a garbage signature is still ignored.
    let junk = format!("{note}\u{2014} stranger AAAAAAAAAAAAAAAAAAAA\n");
    assert_eq!(open_note(&junk, &trusted).unwrap(), text);
    // Same name, different key ID: unknown, ignored; nothing trusted left → error.
    let other = key("witness19", 99);
    let only_other = sign_note(text, &[&other]).unwrap();
    assert_eq!(
        open_note(&only_other, &trusted),
        Err(AuditError::NoTrustedSignature)
    );
    // A trusted key whose signature is wrong is an error, not ignored.
    let mut sig = Note::parse(&note).unwrap();
    sig.signatures[19].signature[0] ^= 1;
    assert!(matches!(
        sig.verify(&trusted),
        Err(AuditError::BadSignature { .. })
    ));
}

#[test]
fn too_many_signatures_are_rejected() {
    let text = "t\n";
    let k = key("k", 1);
    let line = sign_note(text, &[&k])
        .unwrap()
        .trim_start_matches("t\n\n")
        .to_owned();
    let ok = format!("t\n\n{}", line.repeat(MAX_SIGNATURES));
    assert!(Note::parse(&ok).is_ok());
    let too_many = format!("t\n\n{}", line.repeat(MAX_SIGNATURES + 1));
    assert!(Note::parse(&too_many).is_err());
}

#[test]
fn malformed_notes_are_rejected() {
    let good = go_note();
    let bad = [
        String::new(),
        GO_TEXT.to_owned(),
        format!("{GO_TEXT}\n"),
        good.trim_end_matches('\n').to_owned(),
        good.replace('\u{2014}', "-"),
        good.replace("PeterNeumann x08", "PeterNeumann\tx08"),
        good.replace("x08go/", "x08go!"),
        format!("{GO_TEXT}\n\u{2014} PeterNeumann AAAA\n"),
        format!("{GO_TEXT}\n\u{2014}  x08go\n"),
        format!("no newline\n\u{2014} PeterNeumann {GO_SIG}\n")
            .replace("no newline\n", "no newline"),
        format!("bell\u{7}\n\n\u{2014} PeterNeumann {GO_SIG}\n"),
        format!("{good}\n"),
    ];
    for b in bad {
        assert!(Note::parse(&b).is_err(), "{b:?}");
    }
    assert!(sign_note("no newline", &[&key("k", 1)]).is_err());
    assert!(sign_note("t\n", &[]).is_err());
}
