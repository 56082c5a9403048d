#!/usr/bin/env bash
# Browser tests of the staff console: installs what they need (Chromium from Debian, the pinned
# playwright-core from package-lock.json), builds `jaga` (debug) and runs the tests against it.
# Usage: e2e/run.sh [node --test options, e.g. --test-name-pattern=idle]
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$(cd .. && pwd)"

if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "== installing nodejs and npm (apt)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi

echo "== npm ci (e2e)"
npm ci --no-audit --no-fund --loglevel=error

if [ -z "${JAGA_BIN:-}" ]; then
  # --workspace: the same feature set as `cargo test --workspace`, so CI reuses that build
  # instead of compiling every dependency a second time (time and disk).
  echo "== cargo build --workspace --bins (debug)"
  (cd "$ROOT" && cargo build --workspace --bins --locked)
  TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
  export JAGA_BIN="$TARGET/debug/jaga"
fi

if [ "${CI:-}" = "true" ] && [ -z "${JAGA_SCREENSHOTS:-}" ]; then
  # CI must not dirty its clone: screenshots go under target/ (refresh docs/screenshots/ by hand).
  export JAGA_SCREENSHOTS="${CARGO_TARGET_DIR:-$ROOT/target}/e2e-screenshots"
fi

# Arguments go to node's test runner (e.g. --test-name-pattern=idle runs one test); every test
# sets up its own state, and JAGA_E2E_ORDER=reverse|shuffle[:SEED] changes their order.
echo "== browser tests (JAGA_BIN=$JAGA_BIN, screenshots in ${JAGA_SCREENSHOTS:-docs/screenshots}, order ${JAGA_E2E_ORDER:-file})"
node --test --test-concurrency=1 --test-timeout=600000 "$@" tests/
