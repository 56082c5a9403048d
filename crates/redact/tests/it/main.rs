//! Integration tests for `jaga-redact` (one binary, modules inside).

mod props;
mod quality;
mod stream;
