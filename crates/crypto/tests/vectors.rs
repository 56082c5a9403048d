//! Known-answer tests: the committed vectors in `tests/vectors/` were produced by an independent
//! implementation (`tests/vectors/generate.py`, Python `cryptography` + the standard library)
//! from the formats' written description. A reimplementation or a migration tool can be checked
//! against the same files.

use data_encoding::HEXLOWER;
use jaga_crypto::blind::BlindIndexKey;
use jaga_crypto::field::{self, Context};
use jaga_crypto::{Key32, code, keys};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("vector file")).expect("json")
}

fn hex(v: &Value) -> Vec<u8> {
    HEXLOWER
        .decode(v.as_str().expect("hex string").as_bytes())
        .expect("valid hex")
}

fn key(v: &Value) -> Key32 {
    Key32::from_slice(&hex(v)).expect("32-byte key")
}

fn ctx(c: &Value) -> Context<'_> {
    Context {
        segment: c["segment"].as_str().unwrap(),
        table: c["table"].as_str().unwrap(),
        record_id: c["record_id"].as_str().unwrap(),
        field: c["field"].as_str().unwrap(),
    }
}

#[test]
fn field_ciphertexts_open_to_the_known_plaintexts() {
    let v = load("field.json");
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for c in cases {
        let ct = hex(&c["ciphertext"]);
        let expected = match c.get("plaintext") {
            Some(p) => p.as_str().unwrap().as_bytes().to_vec(),
            None => hex(&c["plaintext_hex"]),
        };
        let name = c["name"].as_str().unwrap();
        // Layout: version, algorithm, key version, then the nonce the generator used.
        assert_eq!((ct[0], ct[1]), (field::VERSION, field::ALG_AES256_GCM_SIV));
        assert_eq!(
            u64::from(field::key_version(&ct).unwrap()),
            c["key_version"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(ct[6..18], hex(&c["nonce"])[..], "{name}");
        assert_eq!(ct.len(), expected.len() + field::OVERHEAD, "{name}");
        let opened = field::open(&key(&c["key"]), &ctx(c), &ct).expect(name);
        assert_eq!(&opened[..], &expected[..], "{name}");
    }
}

#[test]
fn field_vectors_fail_in_another_context_or_when_altered() {
    let v = load("field.json");
    for c in v["cases"].as_array().unwrap() {
        let ct = hex(&c["ciphertext"]);
        let k = key(&c["key"]);
        let good = ctx(c);
        let moved = Context {
            record_id: "another-record",
            ..good
        };
        assert!(field::open(&k, &moved, &ct).is_err());
        let other_segment = Context {
            segment: "elsewhere",
            ..good
        };
        assert!(field::open(&k, &other_segment, &ct).is_err());
        for i in [2, 6, ct.len() - 1] {
            let mut bad = ct.clone();
            bad[i] ^= 1;
            assert!(field::open(&k, &good, &bad).is_err(), "byte {i}");
        }
        assert!(field::open(&Key32::from_bytes([0xEE; 32]), &good, &ct).is_err());
    }
}

#[test]
fn our_ciphertexts_use_the_same_layout() {
    // seal() draws a random nonce, so its output cannot be compared byte for byte; check that
    // what it writes opens under the vector's key and context and has the vector's layout.
    let v = load("field.json");
    let c = &v["cases"][0];
    let k = key(&c["key"]);
    let pt = c["plaintext"].as_str().unwrap().as_bytes();
    let ct = field::seal(&k, 1, &ctx(c), pt);
    assert_eq!(ct.len(), hex(&c["ciphertext"]).len());
    assert_eq!(ct[..6], hex(&c["ciphertext"])[..6]);
    assert_eq!(&field::open(&k, &ctx(c), &ct).unwrap()[..], pt);
}

#[test]
fn wrapped_dek_vector_matches_the_segment_kek_derivation() {
    let v = load("field.json");
    let c = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.get("kek").is_some())
        .expect("a wrapped-DEK case");
    let kek = key(&c["kek"]);
    let seg = keys::derive(&kek, "segment-kek/vip");
    assert_eq!(seg.expose()[..], hex(&c["segment_kek"])[..]);
    assert_eq!(
        keys::segment_kek(&kek, "vip").expose()[..],
        hex(&c["segment_kek"])[..]
    );
    let ring = keys::Keyring::new([(3u32, kek)].into_iter().collect(), 3).unwrap();
    let dek = ring
        .unwrap_dek("vip", "cust-123", &hex(&c["ciphertext"]))
        .expect("unwraps");
    assert_eq!(dek.expose()[..], hex(&c["plaintext_hex"])[..]);
    assert!(
        ring.unwrap_dek("default", "cust-123", &hex(&c["ciphertext"]))
            .is_err()
    );
}

#[test]
fn key_derivation_matches_hkdf_vectors() {
    let v = load("derive.json");
    let root = key(&v["key"]);
    for c in v["cases"].as_array().unwrap() {
        let label = c["label"].as_str().unwrap();
        assert_eq!(
            keys::derive(&root, label).expose()[..],
            hex(&c["derived"])[..],
            "{label}"
        );
    }
}

#[test]
fn blind_index_terms_match() {
    let v = load("blind_index.json");
    let root = key(&v["index_root"]);
    for c in v["cases"].as_array().unwrap() {
        let k = BlindIndexKey::derive(
            &root,
            c["field"].as_str().unwrap(),
            c["len"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            k.term(c["normalized"].as_str().unwrap().as_bytes()),
            hex(&c["term"]),
            "{c}"
        );
    }
}

#[test]
fn customer_codes_parse_as_the_vectors_say() {
    let v = load("customer_code.json");
    for c in v["valid"].as_array().unwrap() {
        let s = c["code"].as_str().unwrap();
        assert_eq!(code::parse(s).unwrap(), s);
    }
    for c in v["forgiving"].as_array().unwrap() {
        assert_eq!(
            code::parse(c["input"].as_str().unwrap()).unwrap(),
            c["canonical"].as_str().unwrap(),
            "{c}"
        );
    }
    for c in v["invalid"].as_array().unwrap() {
        assert!(code::parse(c.as_str().unwrap()).is_err(), "{c}");
    }
}
