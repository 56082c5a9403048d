#!/usr/bin/env bash
# HTTPS load test of `jaga serve` on loopback with wrk (keep-alive): `/healthz` (the HTTP/TLS
# stack alone), customer create (POST) and masked read (GET /v1/customers/{id}), on SQLite and
# on PostgreSQL, against one server per store. See docs/BENCHMARKS.md.
#
#   bench/http.sh                      # both stores, 3 repeats of 15 s each, 32 connections
#   STORES=sqlite REPEATS=1 bench/http.sh
#
# Env: STORES ("sqlite postgres"), DURATION (15, seconds per run), CONNS (32), THREADS (2),
#      REPEATS (3), WARMUP (3, seconds), PORT (18443), RESTART (0), PGURL (postgres://postgres@127.0.0.1:5432),
#      CARGO_TARGET_DIR (target), SKIP_BUILD (0; 1 uses the jaga binary already built). Needs wrk (installed with apt-get when missing), curl,
#      sqlite3, psql (for postgres).
# Prints one RESULT line per run, a median summary per store and load, and RATIO lines: each
# load's median throughput as a share of the same store run's /healthz median, and its p99
# (issue 12's targets: SQLite read >= 20 %, create >= 10 %, p99 < 20 ms; PostgreSQL read
# >= 10 %, create >= 6 %, p99 < 25 ms; zero non-2xx).
set -euo pipefail

STORES=${STORES:-"sqlite postgres"}
DURATION=${DURATION:-15}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
WARMUP=${WARMUP:-3}
PORT=${PORT:-18443}
RESTART=${RESTART:-0}
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
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$ROOT" && cargo build --release -p jaga)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "wrk: $(wrk -v 2>&1 | head -1)"
echo "settings: duration=${DURATION}s conns=$CONNS threads=$THREADS repeats=$REPEATS warmup=${WARMUP}s restart=$RESTART"

WORK=$(mktemp -d -t jaga-http-bench.XXXXXX)
RESULTS="$WORK/results.txt"
: >"$RESULTS"
SERVER_PID=""
DB_NAME=""

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
    if [ -n "$DB_NAME" ]; then
        "${PGADMIN[@]}" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
        DB_NAME=""
    fi
}
trap 'cleanup; rm -rf "$WORK"' EXIT

start_server() {
    "$JAGA" serve >>"$dir/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -ksf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    cat "$dir/serve.log"
    exit 1
}

# RESTART=1 starts a fresh server process before each measured run (once needed to work around
# sqlx #3932, fixed since); by default one process serves every run of a store, as in production.
restart_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    start_server
}

run_wrk() { # label script
    BENCH_LABEL="$1" timeout $((DURATION + 30)) \
        wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency \
        -s "$HERE/$2" "https://127.0.0.1:$PORT" | tee -a "$WORK/wrk.log" | grep '^RESULT' | tee -a "$RESULTS"
}

for store in $STORES; do
    dir="$WORK/$store"
    mkdir -p "$dir"
    export JAGA_DATA_DIR="$dir/data" JAGA_LISTEN="127.0.0.1:$PORT" JAGA_LOG=warn
    unset JAGA_DATABASE_URL
    if [ "$store" = postgres ]; then
        DB_NAME="jaga_bench_$(date +%s)_$$"
        "${PGADMIN[@]}" -c "CREATE DATABASE $DB_NAME"
        export JAGA_DATABASE_URL="$PGURL/$DB_NAME"
    fi
    "$JAGA" init >"$dir/init.log"
    export JAGA_KEY
    JAGA_KEY=$("$JAGA" apikey create --name bench --scopes customers:write,customers:read 2>/dev/null)
    start_server

    # Warm up (and create the customers the reads will fetch).
    DURATION=$WARMUP run_wrk "$store-warmup" create.lua >/dev/null
    export BENCH_IDS="$dir/ids.txt"
    if [ "$store" = postgres ]; then
        psql "$JAGA_DATABASE_URL" -qAt -c "SELECT id::text FROM customers LIMIT 20000" >"$BENCH_IDS"
    else
        sqlite3 "file:$JAGA_DATA_DIR/jaga.db?mode=ro" "SELECT id FROM customers LIMIT 20000" >"$BENCH_IDS"
    fi
    echo "$store: $(wc -l <"$BENCH_IDS") ids for reads"
    DURATION=$WARMUP run_wrk "$store-warmup" read.lua >/dev/null

    for r in $(seq "$REPEATS"); do
        [ "$RESTART" = 1 ] && restart_server
        run_wrk "$store-healthz" healthz.lua
        [ "$RESTART" = 1 ] && restart_server
        run_wrk "$store-create" create.lua
        [ "$RESTART" = 1 ] && restart_server
        run_wrk "$store-read" read.lua
    done
    if [ "$store" = postgres ]; then
        echo "$store: $(psql "$JAGA_DATABASE_URL" -qAt -c 'SELECT count(*) FROM customers') customers, $(psql "$JAGA_DATABASE_URL" -qAt -c 'SELECT count(*) FROM audit_event') audit events"
    else
        echo "$store: $(sqlite3 "file:$JAGA_DATA_DIR/jaga.db?mode=ro" 'SELECT count(*) FROM customers') customers, $(sqlite3 "file:$JAGA_DATA_DIR/jaga.db?mode=ro" 'SELECT count(*) FROM audit_event') audit events"
    fi
    echo "$store: $(grep -ciE 'error|panic' "$dir/serve.log" || true) error lines in the server log"
    grep -iE 'error|panic' "$dir/serve.log" | sort | uniq -c | sort -rn | head -3 || true
    cleanup
done

echo
echo "MEDIANS over $REPEATS runs (rps, p50/p99 ms)"
awk '
  /^RESULT/ && $2 !~ /warmup/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    l = v["label"]; n[l]++; rps[l, n[l]] = v["rps"]; p50[l, n[l]] = v["p50_ms"]; p99[l, n[l]] = v["p99_ms"]
    bad[l] += v["non2xx"] + v["sock_err"]
  }
  function med(a, l, k,   i, j, t, m) {
    for (i = 1; i <= k; i++) m[i] = a[l, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (m[j] + 0 < m[i] + 0) { t = m[i]; m[i] = m[j]; m[j] = t }
    return (k % 2) ? m[(k + 1) / 2] : (m[k / 2] + m[k / 2 + 1]) / 2
  }
  END { for (l in n) printf "%-16s runs=%d rps=%.0f p50=%.2f ms p99=%.2f ms errors=%d%s\n", l, n[l], med(rps, l, n[l]), med(p50, l, n[l]), med(p99, l, n[l]), bad[l], (bad[l] ? "  INVALID: failed requests" : "") }
' "$RESULTS" | sort

echo
echo "RATIOS (median throughput / median /healthz throughput of the same store's runs; p99 of the load)"
awk '
  /^RESULT/ && $2 !~ /warmup/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    l = v["label"]; n[l]++; rps[l, n[l]] = v["rps"]; p99[l, n[l]] = v["p99_ms"]
    bad[l] += v["non2xx"] + v["sock_err"]
  }
  function med(a, l, k,   i, j, t, m) {
    for (i = 1; i <= k; i++) m[i] = a[l, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (m[j] + 0 < m[i] + 0) { t = m[i]; m[i] = m[j]; m[j] = t }
    return (k % 2) ? m[(k + 1) / 2] : (m[k / 2] + m[k / 2 + 1]) / 2
  }
  END {
    target["sqlite-read"] = 20; target["sqlite-create"] = 10; target["postgres-read"] = 10; target["postgres-create"] = 6
    p99t["sqlite"] = 20; p99t["postgres"] = 25
    for (l in n) {
      if (l ~ /healthz/) continue
      split(l, parts, "-"); store = parts[1]; h = store "-healthz"
      if (!(h in n)) continue
      share = 100 * med(rps, l, n[l]) / med(rps, h, n[h]); p = med(p99, l, n[l])
      ok = (share >= target[l] && p < p99t[store] && bad[l] == 0) ? "MET" : "MISSED"
      printf "RATIO %-16s %.1f%% of /healthz (%.0f / %.0f req/s), p99 %.2f ms, non-2xx+errors %d; target >= %d%%, p99 < %d ms: %s\n", l, share, med(rps, l, n[l]), med(rps, h, n[h]), p, bad[l], target[l], p99t[store], ok
    }
  }
' "$RESULTS" | sort
