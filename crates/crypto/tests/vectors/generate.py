#!/usr/bin/env python3
"""Writes the known-answer vectors in this folder from an independent implementation.

Jaga's formats are re-implemented here from their written description (docs/architecture.md,
"Keys and formats") with Python's `cryptography` (AES-256-GCM-SIV, RFC 8452) and the standard
library (HMAC, HKDF), so the Rust crate is checked against code that does not share its bugs.
Run: python3 crates/crypto/tests/vectors/generate.py   (needs `pip install cryptography>=42`)
Deterministic: keys and nonces are fixed, so re-running yields the same files.
"""
import hashlib, hmac, json, os, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV

HERE = os.path.dirname(os.path.abspath(__file__))

def hkdf(key: bytes, info: str) -> bytes:
    # HKDF-SHA256 (RFC 5869), salt "jaga/v1", 32 bytes out.
    prk = hmac.new(b"jaga/v1", key, hashlib.sha256).digest()
    t, okm, i = b"", b"", 1
    while len(okm) < 32:
        t = hmac.new(prk, t + info.encode() + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:32]

def aad(header: bytes, segment: str, table: str, record_id: str, field: str) -> bytes:
    out = b""
    for p in [header, segment.encode(), table.encode(), record_id.encode(), field.encode()]:
        out += struct.pack(">I", len(p)) + p
    return out

def seal(key: bytes, key_version: int, nonce: bytes, ctx, plaintext: bytes):
    header = bytes([1, 1]) + struct.pack(">I", key_version)
    a = aad(header, *ctx)
    return header + nonce + AESGCMSIV(key).encrypt(nonce, plaintext, a), a

def field_vectors():
    cases = []
    specs = [
        ("customer e-mail field", bytes(range(32)), 1, bytes(range(100, 112)),
         ("default", "customers", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "email"), "dewi.sari@example.co.id"),
        ("customer address, vip segment, DEK generation 7", bytes([0x42] * 32), 7, bytes([0] * 12),
         ("vip", "customers", "0b9c1d2e-3f40-4152-8364-75a6b7c8d9e0", "address"), "Jl. Kenanga No. 5, RT 02/RW 05, Bandung 40115"),
        ("empty plaintext", bytes(range(31, -1, -1)), 4294967295, bytes([0xff] * 12),
         ("", "orders", "x", "notes"), ""),
        ("non-ASCII plaintext", bytes([7] * 32), 2, bytes(range(12)),
         ("reseller", "orders", "ord-1", "items"), "Serum niacinamide 10% × 2 — ¥, é, 日本"),
    ]
    for name, key, ver, nonce, ctx, pt in specs:
        ct, a = seal(key, ver, nonce, ctx, pt.encode())
        cases.append({"name": name, "key": key.hex(), "key_version": ver, "nonce": nonce.hex(),
                      "segment": ctx[0], "table": ctx[1], "record_id": ctx[2], "field": ctx[3],
                      "plaintext": pt, "aad": a.hex(), "ciphertext": ct.hex()})
    # A DEK wrapped under a segment KEK, as Keyring::wrap_dek does.
    kek = bytes(range(32, 64))
    seg_kek = hkdf(kek, "segment-kek/vip")
    dek = bytes(range(200, 232))
    ct, a = seal(seg_kek, 3, bytes([9] * 12), ("vip", "customer_keys", "cust-123", "dek"), dek)
    cases.append({"name": "DEK wrapped under the vip segment KEK of KEK v3", "kek": kek.hex(),
                  "segment_kek": seg_kek.hex(), "key": seg_kek.hex(), "key_version": 3,
                  "nonce": (bytes([9] * 12)).hex(), "segment": "vip", "table": "customer_keys",
                  "record_id": "cust-123", "field": "dek", "plaintext_hex": dek.hex(),
                  "aad": a.hex(), "ciphertext": ct.hex()})
    return {"format": "version(1)=1 ‖ alg(1)=1 AES-256-GCM-SIV ‖ key_version(4,BE) ‖ nonce(12) ‖ ct ‖ tag(16); "
                      "AAD = len32BE-prefixed header, segment, table, record_id, field",
            "cases": cases}

def derive_vectors():
    root = bytes(range(32))
    labels = ["api-key-digest", "redact-hash", "segment-kek/default", "segment-kek/vip",
              "blind-index/email", "blind-index/phone", "blind-index/national_id"]
    return {"kdf": "HKDF-SHA256, salt \"jaga/v1\", info = label, 32 bytes",
            "key": root.hex(), "cases": [{"label": l, "derived": hkdf(root, l).hex()} for l in labels]}

def blind_vectors():
    root = bytes([0xa5] * 32)
    specs = [("email", 16, "dewi.sari@example.co.id"), ("phone", 16, "+6281234567890"),
             ("national_id", 2, "3174051204900003"), ("national_id", 2, "3578011205900001"),
             ("tokens", 32, "NIK|3174051204900003")]
    cases = []
    for field, n, value in specs:
        k = hkdf(root, f"blind-index/{field}")
        cases.append({"field": field, "len": n, "normalized": value,
                      "term": hmac.new(k, value.encode(), hashlib.sha256).digest()[:n].hex()})
    return {"index": "HMAC-SHA256(HKDF(index_root, \"blind-index/<field>\"), normalized value), truncated to len",
            "index_root": root.hex(), "cases": cases}

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

def check_char(values):
    factor, total = 2, 0
    for v in reversed(values):
        addend = factor * v
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]

def code_for(n40: int) -> str:
    values = [(n40 >> (5 * (7 - i))) & 31 for i in range(8)]
    body = "".join(ALPHABET[v] for v in values)
    return f"JG-{body[:4]}-{body[4:]}-{check_char(values)}"

def code_vectors():
    valid = []
    for n in [0, 1, 31, 32, 0x123456789A, 0xFFFFFFFFFF, 0x8000000000, 0x0F0F0F0F0F, 987654321012]:
        c = code_for(n)
        valid.append({"bits40": n, "code": c})
    forgiving = []
    for v in valid[3:7]:
        c = v["code"]
        forgiving += [{"input": c.lower(), "canonical": c},
                      {"input": c.replace("-", ""), "canonical": c},
                      {"input": c.replace("-", " "), "canonical": c},
                      {"input": c.replace("0", "O").replace("1", "I"), "canonical": c}]
    invalid = []
    for v in valid[2:6]:
        c = v["code"]
        # change one body character: the check must catch every single substitution
        i = 3
        wrong = ALPHABET[(ALPHABET.index(c[i]) + 1) % 32]
        invalid.append(c[:i] + wrong + c[i + 1:])
    invalid += ["JG-1234-5678", "XX-0000-0000-0", "JG-0000-0000-00", "JG-00U0-0000-0", ""]
    return {"code": "JG-XXXX-XXXX-C: 40 bits as 8 Crockford base32 characters, C = Luhn mod 32 check",
            "valid": valid, "forgiving": forgiving, "invalid": invalid}

for name, data in [("field.json", field_vectors()), ("derive.json", derive_vectors()),
                   ("blind_index.json", blind_vectors()), ("customer_code.json", code_vectors())]:
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
print("written")
