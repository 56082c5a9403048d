//! Integration tests for `jaga-redact` (one binary, modules inside).

mod boundary;
mod cards;
mod handwritten;
mod presidio;
mod props;
mod quality;
mod stream;
