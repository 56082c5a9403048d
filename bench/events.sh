#!/usr/bin/env bash
# Fraud scoring over HTTPS at a steady rate (issue 13's "p99 < 10 ms at 1,000 events/s on 2
# cores, on SQLite and on PostgreSQL"): `jaga serve` on loopback, events from
# `jaga fraud simulate` posted one per request to POST /v1/events by wrk, paced with wrk's
# delay() hook (bench/events.lua). Prints one RESULT line per run: achieved rate, p50/p99.
# Not run in CI. See docs/BENCHMARKS.md § 9.
#
#   bench/events.sh                        # both stores, 30 s each
#   STORES=sqlite DURATION=15 bench/events.sh
#
# Env: STORES ("sqlite postgres"), DURATION (30), CONNS (24), DELAY_MS (20: offered rate about
#      CONNS × 1000 / (DELAY_MS + latency) ≈ 1,100/s), N (events simulated, 120000), PORT (18453),
#      PGURL, CARGO_TARGET_DIR (target), SKIP_BUILD (0). Needs wrk, curl, psql (postgres).
set -euo pipefail

STORES=${STORES:-"sqlite postgres"}
DURATION=${DURATION:-30}
CONNS=${CONNS:-24}
DELAY_MS=${DELAY_MS:-20}
N=${N:-120000}
PORT=${PORT:-18453}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
PGADMIN=(psql -h 127.0.0.1 -U postgres -d test -v ON_ERROR_STOP=1 -qAt)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
JAGA="$TARGET/release/jaga"
export BENCH_DIR="$HERE"

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$ROOT" && cargo build --release --locked -p jaga)
echo "machine: $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

WORK=$(mktemp -d -t jaga-events-bench.XXXXXX)
SERVER_PID=""
DB_NAME=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi
    if [ -n "$DB_NAME" ]; then "${PGADMIN[@]}" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true; DB_NAME=""; fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT

"$JAGA" fraud simulate --seed 7 --count "$N" --labels "$WORK/labels.jsonl" >"$WORK/events.jsonl"
export BENCH_EVENTS="$WORK/events.jsonl" BENCH_DELAY_MS="$DELAY_MS" BENCH_THREADS=2
echo "events: $(wc -l <"$BENCH_EVENTS") simulated"

for store in $STORES; do
    dir="$WORK/$store"
    mkdir -p "$dir"
    export JAGA_DATA_DIR="$dir/data" JAGA_LISTEN="127.0.0.1:$PORT" JAGA_LOG=warn
    unset JAGA_DATABASE_URL
    if [ "$store" = postgres ]; then
        DB_NAME="jaga_events_bench_$(date +%s)_$$"
        "${PGADMIN[@]}" -c "CREATE DATABASE $DB_NAME"
        export JAGA_DATABASE_URL="$PGURL/$DB_NAME"
    fi
    "$JAGA" init >"$dir/init.log"
    export JAGA_KEY
    JAGA_KEY=$("$JAGA" apikey create --name bench --scopes events:write 2>/dev/null)
    "$JAGA" serve >>"$dir/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do curl -ksf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    # Warm-up at the same pace, then the measured run (the events continue where they stopped).
    for label in warmup measured; do
        d=$DURATION; [ "$label" = warmup ] && d=5
        BENCH_LABEL="$store-events-$label" timeout $((d + 30)) \
            wrk -t2 -c"$CONNS" -d"${d}s" --timeout 5s --latency -s "$HERE/events.lua" \
            "https://127.0.0.1:$PORT" | grep '^RESULT' | { [ "$label" = warmup ] && cat >/dev/null || cat; }
    done
    echo "$store: load after the run: $(cut -d' ' -f1-3 /proc/loadavg); $(grep -ciE 'error|panic' "$dir/serve.log" || true) error lines in the server log"
    cleanup
done
