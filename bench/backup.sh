#!/usr/bin/env bash
# Backup and restore of 1,000,000 customers (issue 15: backup < 60 s, restore < 120 s, SQLite).
# Seeds a SQLite data directory through the vault's bulk create path (batches of 1,000; every
# field filled, a DEK and an audit event per customer) unless DIR already holds one, then times
# `jaga_backup::create` (online VACUUM INTO snapshot, zstd level 3 with two workers, age to one
# recipient, checksums, fsync, rename) and, after ERASE erasures, `jaga_backup::restore`
# (decrypt, decompress, checksums, extract, open, replay the erasure ledger, rename).
# Not run in CI. See docs/BENCHMARKS.md § 12.
#
#   bench/backup.sh                    # N=1000000 ERASE=100 DIR=$TMPDIR/jaga-backup-bench
#   N=100000 bench/backup.sh
#
# Env: N (1000000), ERASE (100), DIR (a directory kept between runs: the seeded database is
#      reused), CARGO_TARGET_DIR (target), SKIP_BUILD (0; 1 runs the example already built).
set -euo pipefail

N=${N:-1000000}
ERASE=${ERASE:-100}
DIR=${DIR:-${TMPDIR:-/tmp}/jaga-backup-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== cargo build --release -p jaga-backup --example backup_bench"
  (cd "$ROOT" && CARGO_INCREMENTAL=0 cargo build --release --locked -p jaga-backup --example backup_bench)
fi
mkdir -p "$DIR"
echo "== N=$N ERASE=$ERASE DIR=$DIR ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
/usr/bin/time -v "$TARGET/release/examples/backup_bench" "$N" "$ERASE" "$DIR" 2> >(tee "$DIR/time.log" >&2)
echo "== peak RSS: $(grep 'Maximum resident' "$DIR/time.log" | awk '{print $NF}') KiB"
