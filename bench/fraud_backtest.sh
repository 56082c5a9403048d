#!/usr/bin/env bash
# The fraud engine's offline targets (issue 13), through the release `jaga` binary: a seeded
# synthetic stream of N events (default 1,000,000), then `jaga fraud score --jsonl` and
# `jaga fraud backtest` over it, each timed (wall, user and system CPU, peak memory). Not run
# in CI. See docs/BENCHMARKS.md § 9.
#
#   bench/fraud_backtest.sh              # 1,000,000 events
#   N=200000 bench/fraud_backtest.sh     # smaller
#
# Env: N (1000000), SEED (1), CARGO_TARGET_DIR (target), SKIP_BUILD (0; 1 uses the binary
#      already built), KEEP (0; 1 keeps the temporary directory with the files).
set -euo pipefail

N=${N:-1000000}
SEED=${SEED:-1}
TARGET=${CARGO_TARGET_DIR:-target}
JAGA="$TARGET/release/jaga"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  CARGO_INCREMENTAL=0 cargo build --release --locked -p jaga
fi
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }

tmp=$(mktemp -d)
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$tmp"' EXIT; fi
fmt='%e s wall, %U s user, %S s system, %M KB peak'

echo "simulate: $N events, seed $SEED"
"$TIME" -f "RESULT simulate: $fmt" "$JAGA" fraud simulate --seed "$SEED" --count "$N" \
  --labels "$tmp/labels.jsonl" > "$tmp/events.jsonl"
echo "events: $(wc -l < "$tmp/events.jsonl") lines, $(du -h "$tmp/events.jsonl" | cut -f1)"

"$TIME" -f "RESULT score --jsonl: $fmt" "$JAGA" fraud score --events "$tmp/events.jsonl" --jsonl \
  > "$tmp/scores.jsonl"
echo "scored: $(wc -l < "$tmp/scores.jsonl") lines"

"$TIME" -f "RESULT backtest: $fmt" "$JAGA" fraud backtest --events "$tmp/events.jsonl" \
  --labels "$tmp/labels.jsonl" --json > "$tmp/report.json"
python3 - "$tmp/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["rules"]["metrics"]
print(f"backtest: events {r['events']}, fraud {r['fraud']}, precision {m['precision']:.3f}, "
      f"recall {m['recall']:.3f}, false-positive rate {m['false_positive_rate']:.4f}")
PY
