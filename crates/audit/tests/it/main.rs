//! Integration tests for `jaga-audit` (one test binary, one module per area).

mod bundles;
mod notes;
mod props;
mod reference;
mod signer;
mod vectors;
