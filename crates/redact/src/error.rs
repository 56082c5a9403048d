//! The error type. Messages name positions (line numbers, limits), never input values.

use crate::kind::EntityKind;
use crate::policy::TokenizeError;

/// Everything that can go wrong while redacting.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// Reading the input or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The input is not valid UTF-8.
    #[error("input is not valid UTF-8 (line {line})")]
    InvalidUtf8 {
        /// 1-based line number.
        line: u64,
    },
    /// The input contains NUL bytes, so it is binary, not text.
    #[error("input looks binary: NUL byte on line {line}")]
    Binary {
        /// 1-based line number.
        line: u64,
    },
    /// A CSV record, JSONL line or e-mail part is larger than the configured limit.
    #[error("record starting on line {line} is longer than the limit of {limit} bytes")]
    RecordTooLong {
        /// 1-based line number where the record starts.
        line: u64,
        /// The limit in bytes ([`crate::StreamOptions::max_record_bytes`]).
        limit: usize,
    },
    /// The CSV input is malformed.
    #[error("malformed CSV on line {line}: {reason}")]
    Csv {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// A JSONL line is malformed.
    #[error("malformed JSONL on line {line}: {reason}")]
    Jsonl {
        /// 1-based line number.
        line: u64,
        /// What is wrong (never quotes the input).
        reason: String,
    },
    /// The e-mail message is malformed.
    #[error("malformed e-mail on line {line}: {reason}")]
    Eml {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The policy uses the hash operator but has no key.
    #[error("the hash operator needs a key (Policy::with_hash_key)")]
    MissingHashKey,
    /// The policy uses the tokenize operator but has no tokenizer.
    #[error("the tokenize operator needs a tokenizer (Policy::with_tokenizer)")]
    MissingTokenizer,
    /// The caller's tokenizer failed.
    #[error("tokenizer failed for a {kind} value")]
    Tokenizer {
        /// Kind of the value being tokenized.
        kind: EntityKind,
        /// The tokenizer's error.
        #[source]
        source: TokenizeError,
    },
}
