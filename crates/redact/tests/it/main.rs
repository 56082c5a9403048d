//! Integration tests for `jaga-redact` (one binary, modules inside).

mod quality;
