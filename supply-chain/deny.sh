#!/usr/bin/env bash
# Runs `cargo deny check` against the vendored advisory snapshot (no network needed).
# cargo-deny opens its advisory database as a git repository, so the snapshot is copied into a
# scratch git repository under target/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
DB_ROOT="$TARGET/advisory-dbs"
# The folder name cargo-deny derives from the db-urls entry in deny.toml.
DB="$DB_ROOT/advisory-db-3157b0e258782691"
rm -rf "$DB_ROOT"
mkdir -p "$DB"
cp -r supply-chain/advisory-db/. "$DB/"
git -C "$DB" init -q
git -C "$DB" -c user.name=jaga -c user.email=ci@jaga.invalid add -A
git -C "$DB" -c user.name=jaga -c user.email=ci@jaga.invalid commit -qm snapshot
# cargo-deny reads `cargo metadata` for every target platform, so the crates of platforms this
# machine never builds for must be in the local registry cache too; `cargo fetch` (no --target)
# downloads them from the registry. The advisory database itself stays offline.
cargo fetch --locked --quiet
cargo deny --offline --exclude-dev check --hide-inclusion-graph \
  advisories licenses bans sources 2>&1 | sed 's/^/  /'
