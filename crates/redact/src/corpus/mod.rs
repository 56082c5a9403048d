//! Evaluation tooling (placeholder while the generator is written).
