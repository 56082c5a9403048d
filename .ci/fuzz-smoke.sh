#!/usr/bin/env bash
# A short smoke run of every cargo-fuzz target (default 30 s each, FUZZ_SECONDS to change): each
# target must build and run without a crash or a failed invariant. Long campaigns are run by hand
# (see docs/testing.md). No nightly toolchain is installed here, so RUSTC_BOOTSTRAP=1 lets the
# stable compiler accept the flags cargo-fuzz passes, and the sanitizer is off.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-30}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
for dir in crates/*/fuzz; do
  crate="$(basename "$(dirname "$dir")")"
  for target in $(cd "$dir" && cargo fuzz list); do
    echo "== fuzz smoke: $crate/$target (${SECONDS_EACH}s)"
    corpus="$CARGO_TARGET_DIR/corpus/$crate/$target"
    mkdir -p "$corpus"
    seeds=()
    [ -d "$dir/seeds/$target" ] && seeds=("$PWD/$dir/seeds/$target")
    log="$CARGO_TARGET_DIR/$crate-$target.log"
    if ! (cd "$dir" && cargo fuzz run "$target" --sanitizer none "$corpus" "${seeds[@]}" -- \
        -max_total_time="$SECONDS_EACH" -max_len=8192 -print_final_stats=1) >"$log" 2>&1; then
      tail -40 "$log"
      echo "FAIL: fuzz target $crate/$target"
      exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" | sed 's/^/  /' || true
  done
done
echo "fuzz smoke: every target ran ${SECONDS_EACH}s without a failure"
