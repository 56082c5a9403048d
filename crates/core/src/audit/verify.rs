//! Verifying the whole audit log against its head and checkpoints: what `jaga audit verify`
//! and the console's "verify now" both run.
//!
//! The events are streamed once (pages of 10,000) and re-hashed; positions must be contiguous
//! and each leaf must name its own position; the running root is compared with every stored
//! checkpoint (whose signatures are checked when the verifier key is known) and an external
//! checkpoint as it passes their sizes, and finally with the head. A leaf-level fault names
//! its exact position; a rewrite that also recomputed leaf hashes can only be located between
//! the last checkpoint that still matches and the first that does not (the lower bound is
//! reported).

use crate::CoreError;
use crate::store::{Store, StoredCheckpoint};
use jaga_audit::{SignedCheckpoint, TreeCheck, VerifierKey, open_checkpoint};

/// The first position that is (or may be) bad, and why. The reason names positions and sizes,
/// never event contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyProblem {
    /// First bad position (a lower bound when only a checkpoint mismatch locates it).
    pub pos: u64,
    /// What kind of fault (for messages in other languages).
    pub kind: ProblemKind,
    /// Why, in English.
    pub why: String,
}

/// The kinds of fault verification finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A stored checkpoint's signature does not verify under the log's key.
    BadSignature,
    /// A position is missing (deleted event).
    Missing,
    /// An event does not decode or names another position (inserted or reordered).
    Undecodable,
    /// Event bytes do not match their stored hash (modified).
    Modified,
    /// The events before a checkpoint's size do not give its root (rewritten).
    CheckpointMismatch,
    /// A checkpoint covers more events than the database holds (truncated).
    Truncated,
    /// The stored head disagrees with the events (truncated, inserted or rewritten).
    HeadMismatch,
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// Events checked.
    pub events: u64,
    /// The recomputed root over `events`.
    pub root: [u8; 32],
    /// `None` when everything matched.
    pub problem: Option<VerifyProblem>,
}

impl VerifyOutcome {
    fn failed(pos: u64, kind: ProblemKind, why: String) -> Self {
        Self {
            events: 0,
            root: [0; 32],
            problem: Some(VerifyProblem { pos, kind, why }),
        }
    }
}

/// Verifies the log in `store` against its head, its stored checkpoints (signatures checked
/// with `key` when given) and an optional externally held checkpoint.
pub async fn verify_log(
    store: &dyn Store,
    key: Option<&VerifierKey>,
    external: Option<&SignedCheckpoint>,
) -> Result<VerifyOutcome, CoreError> {
    let stored = store.checkpoint_list().await?;
    check_log(store, &stored, key, external).await
}

async fn check_log(
    store: &dyn Store,
    stored: &[StoredCheckpoint],
    key: Option<&VerifierKey>,
    external: Option<&SignedCheckpoint>,
) -> Result<VerifyOutcome, CoreError> {
    // Every point where a root must match: stored checkpoints (signature checked when the key
    // is known) and the external one. `good` is the largest size known to match so far.
    let mut marks: Vec<(u64, [u8; 32], String)> = Vec::new();
    for cp in stored {
        if let Some(k) = key {
            match open_checkpoint(&cp.note, k) {
                Ok(s) if s.checkpoint.size == cp.size && s.checkpoint.root == cp.root => {}
                _ => {
                    return Ok(VerifyOutcome::failed(
                        0,
                        ProblemKind::BadSignature,
                        format!(
                            "the stored checkpoint at size {} does not carry a valid signature of this log",
                            cp.size
                        ),
                    ));
                }
            }
        }
        marks.push((
            cp.size,
            cp.root,
            format!("the stored checkpoint at size {}", cp.size),
        ));
    }
    if let Some(e) = external {
        marks.push((
            e.checkpoint.size,
            e.checkpoint.root,
            format!("the external checkpoint at size {}", e.checkpoint.size),
        ));
    }
    marks.sort_by_key(|m| m.0);
    let mut marks = marks.into_iter().peekable();
    while marks.peek().is_some_and(|m| m.0 == 0) {
        marks.next();
    }
    let head = store.audit_head().await?;
    let mut check = TreeCheck::new();
    let mut problem: Option<VerifyProblem> = None;
    let mut good = 0u64;
    let mut next = 0u64;
    'pages: loop {
        let page = store.audit_events(next, 10_000).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            let pos = check.size();
            if e.seq != pos {
                problem = Some(VerifyProblem {
                    pos,
                    kind: ProblemKind::Missing,
                    why: format!("event {pos} is missing (next stored position is {})", e.seq),
                });
                break 'pages;
            }
            if jaga_audit::event::decode(&e.leaf).map(|ev| ev.seq) != Ok(pos) {
                problem = Some(VerifyProblem {
                    pos,
                    kind: ProblemKind::Undecodable,
                    why: "event does not decode or names another position".into(),
                });
                break 'pages;
            }
            check.push_leaf(&e.leaf, &e.leaf_hash);
            if let Some(m) = check.first_mismatch() {
                problem = Some(VerifyProblem {
                    pos: m.position(),
                    kind: ProblemKind::Modified,
                    why: "event bytes do not match their stored hash (modified)".into(),
                });
                break 'pages;
            }
            while let Some((size, root, what)) = marks.next_if(|m| m.0 == check.size()) {
                if check.root() != root {
                    problem = Some(VerifyProblem {
                        pos: good,
                        kind: ProblemKind::CheckpointMismatch,
                        why: format!(
                            "the events before position {size} differ from {what} (rewritten at or after position {good})"
                        ),
                    });
                    break 'pages;
                }
                good = size;
            }
        }
        next = page.last().map_or(next, |e| e.seq + 1);
    }
    if problem.is_none()
        && let Some((size, _, what)) = marks.next()
    {
        problem = Some(VerifyProblem {
            pos: check.size(),
            kind: ProblemKind::Truncated,
            why: format!(
                "the database holds {} events but {what} covers {size}: the log was truncated",
                check.size()
            ),
        });
    }
    if problem.is_none() {
        if check.size() != head.size {
            problem = Some(VerifyProblem {
                pos: check.size().min(head.size),
                kind: ProblemKind::HeadMismatch,
                why: format!(
                    "the head says {} events but {} are stored (truncated or inserted)",
                    head.size,
                    check.size()
                ),
            });
        } else if check.root() != head.root {
            problem = Some(VerifyProblem {
                pos: good,
                kind: ProblemKind::HeadMismatch,
                why: "the recomputed root differs from the stored head".into(),
            });
        }
    }
    Ok(VerifyOutcome {
        events: check.size(),
        root: check.root(),
        problem,
    })
}
