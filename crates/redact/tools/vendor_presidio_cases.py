#!/usr/bin/env python3
"""Vendors Presidio's own recognizer test cases as data for `tests/it/presidio.rs`.

Reads the parametrized cases of `presidio-analyzer/tests/test_{credit_card,email,iban,ip,
phone,date}_recognizer.py` from a local Presidio checkout (no network) with `ast` (the test
modules are never imported or run) and writes `tests/data/presidio_cases.json`: one object per
case with the recognizer, the text, the expected spans as UTF-8 byte offsets, the expected
count, and the highest score Presidio expects (when the case states one).

    python3 vendor_presidio_cases.py /path/to/presidio [COMMIT] > ../tests/data/presidio_cases.json

Presidio is MIT-licensed (Copyright (c) Microsoft Corporation); the licence text and the
source commit are stored in the output's `licence` and `source` fields.
"""
import ast
import json
import subprocess
import sys

FILES = {
    "credit_card": "test_credit_card_recognizer.py",
    "email": "test_email_recognizer.py",
    "iban": "test_iban_recognizer.py",
    "ip": "test_ip_recognizer.py",
    "phone": "test_phone_recognizer.py",
    "date": "test_date_recognizer.py",
}
POSITIONS = ("expected_positions", "expected_res")
SCORES = ("expected_score_ranges", "expected_scores", "score")


def const(node):
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(v.value for v in node.values)
    return ast.literal_eval(node)


def max_score(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    flat = []
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, (int, float)):
            flat.append(float(x))
    return max(flat) if flat else None


def byte_off(text, i):
    return len(text[:i].encode("utf-8"))


def cases(root, recognizer, fname):
    path = f"{root}/presidio-analyzer/tests/{fname}"
    tree = ast.parse(open(path, encoding="utf-8").read())
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for dec in fn.decorator_list:
            if not (isinstance(dec, ast.Call) and getattr(dec.func, "attr", "") == "parametrize"):
                continue
            names = [n.strip() for n in const(dec.args[0]).split(",")]
            if "leniency" in names or "expected_len" not in names:
                continue  # leniency cases depend on a Presidio-specific option
            for elt in dec.args[1].elts:
                try:
                    row = dict(zip(names, const(elt)))
                except (ValueError, TypeError, SyntaxError):
                    continue  # built by a helper at run time: not a literal case
                text = row.get("text", row.get("iban"))
                pos = next((row[p] for p in POSITIONS if p in row), ())
                score = next((row[s] for s in SCORES if s in row), None)
                spans = [[byte_off(text, s), byte_off(text, e)] for s, e in pos]
                out.append({
                    "recognizer": recognizer,
                    "test": fn.name,
                    "text": text,
                    "expected_len": row["expected_len"],
                    "spans": spans,
                    "max_score": max_score(score),
                })
    return out


def main():
    root = sys.argv[1]
    if len(sys.argv) > 2:  # an exported tree (`git archive`) has no history: name the commit
        commit = sys.argv[2]
    else:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    licence = open(f"{root}/LICENSE", encoding="utf-8").read()
    data = {
        "source": f"https://github.com/microsoft/presidio at commit {commit}, "
                  "presidio-analyzer/tests/test_*_recognizer.py",
        "licence": licence,
        "cases": [c for r, f in FILES.items() for c in cases(root, r, f)],
    }
    json.dump(data, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
