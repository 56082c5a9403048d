//! Integration tests for `jaga-redact` (one binary, modules inside).

mod boundary;
mod props;
mod quality;
mod stream;
