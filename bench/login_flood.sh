#!/usr/bin/env bash
# Does a login flood starve other requests? p99 of a masked customer read (wrk, API key) alone and
# while 50 staff logins per second (correct password, so each costs a full Argon2id hash) hammer
# POST /v1/auth/login. SQLite store, loopback. See docs/BENCHMARKS.md § Staff login flood.
#
#   bench/login_flood.sh
# Env: DURATION (15 s per run), RATE (50 logins/s), CONNS (16), THREADS (2), PORT (18453),
#      REPEATS (3), CARGO_TARGET_DIR. Needs wrk, curl, sqlite3, python3.
set -euo pipefail
DURATION=${DURATION:-15}
RATE=${RATE:-50}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
PORT=${PORT:-18453}
REPEATS=${REPEATS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
JAGA="$TARGET/release/jaga"
export BENCH_DIR="$HERE"
(cd "$ROOT" && cargo build --release -p jaga)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
WORK=$(mktemp -d -t jaga-login-bench.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
export JAGA_DATA_DIR="$WORK/data" JAGA_LISTEN="127.0.0.1:$PORT" JAGA_LOG=warn
URL="https://127.0.0.1:$PORT"
"$JAGA" init >"$WORK/init.log"
export JAGA_KEY
JAGA_KEY=$("$JAGA" apikey create --name bench --scopes customers:write,customers:read 2>/dev/null)
TOKEN=$("$JAGA" staff add --email flood@bench.id --role cs_staff | grep -o 'token=[A-Za-z0-9_-]*' | cut -d= -f2)
PASSWORD="violet kettle marmalade oxbow"
"$JAGA" serve >>"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -ksf "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 "$HERE/login_flood.py" enrol "$URL" "$TOKEN" flood@bench.id "$PASSWORD"
wrk_read() { # label
    BENCH_LABEL="$1" timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
        --timeout 5s --latency -s "$HERE/read.lua" "$URL" | grep '^RESULT'
}
BENCH_LABEL=warmup timeout 30 wrk -t2 -c8 -d3s -s "$HERE/create.lua" "$URL" >/dev/null
export BENCH_IDS="$WORK/ids.txt"
sqlite3 "file:$JAGA_DATA_DIR/jaga.db?mode=ro" "SELECT id FROM customers LIMIT 20000" >"$BENCH_IDS"
echo "$(wc -l <"$BENCH_IDS") customers for reads"
for r in $(seq "$REPEATS"); do
    wrk_read "read-alone"
    python3 "$HERE/login_flood.py" flood "$URL" flood@bench.id "$PASSWORD" "$RATE" $((DURATION + 2)) &
    FLOOD=$!
    sleep 1
    wrk_read "read-during-${RATE}-logins-per-s"
    wait "$FLOOD"
done
echo "server log errors: $(grep -ciE 'error|panic' "$WORK/serve.log" || true)"
