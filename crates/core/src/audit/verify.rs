//! Verifying the whole audit log against its head and checkpoints: what `jaga audit verify`
//! and the console's "verify now" both run.
//!
//! The events are streamed once (pages of 10,000) and re-hashed; positions must be contiguous
//! and each leaf must decode and name its own position (an event that does not is reported and
//! checking goes on over its stored bytes, so it cannot hide later tampering); the running root is compared with every stored
//! checkpoint (whose signatures are checked when the verifier key is known) and an external
//! checkpoint as it passes their sizes, and finally with the head. A leaf-level fault names
//! its exact position; a rewrite that also recomputed leaf hashes can only be located between
//! the last checkpoint that still matches and the first that does not (the lower bound is
//! reported).

use crate::CoreError;
use crate::store::{Store, StoredCheckpoint};
use jaga_audit::event::MAX_EVENT_BYTES;
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

impl ProblemKind {
    /// Stable machine-readable name (`jaga audit verify --json`).
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::BadSignature => "bad_signature",
            ProblemKind::Missing => "missing",
            ProblemKind::Undecodable => "undecodable",
            ProblemKind::Modified => "modified",
            ProblemKind::CheckpointMismatch => "checkpoint_mismatch",
            ProblemKind::Truncated => "truncated",
            ProblemKind::HeadMismatch => "head_mismatch",
        }
    }
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// Events checked.
    pub events: u64,
    /// The recomputed root over `events`.
    pub root: [u8; 32],
    /// The first problem found (the earliest fault); `None` when everything matched.
    pub problem: Option<VerifyProblem>,
    /// Every problem found, in the order found (at most [`MAX_PROBLEMS`]). Verification does not
    /// stop at an event it cannot decode or whose bytes were modified: it recomputes the tree
    /// over the stored bytes past it, so later tampering is reported too.
    pub problems: Vec<VerifyProblem>,
    /// Problems found beyond the first [`MAX_PROBLEMS`].
    pub more_problems: u64,
}

/// Problems listed in one [`VerifyOutcome`]; further ones are only counted.
pub const MAX_PROBLEMS: usize = 100;

#[derive(Default)]
struct Problems {
    list: Vec<VerifyProblem>,
    more: u64,
}

impl Problems {
    fn push(&mut self, pos: u64, kind: ProblemKind, why: String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(VerifyProblem { pos, kind, why });
        } else {
            self.more += 1;
        }
    }

    fn has(&self, kind: ProblemKind) -> bool {
        self.list.iter().any(|p| p.kind == kind)
    }
}

impl VerifyOutcome {
    fn failed(pos: u64, kind: ProblemKind, why: String) -> Self {
        let p = VerifyProblem { pos, kind, why };
        Self {
            events: 0,
            root: [0; 32],
            problem: Some(p.clone()),
            problems: vec![p],
            more_problems: 0,
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
    let mut found = Problems::default();
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
                // Without the missing leaves the tree cannot be recomputed any further.
                found.push(
                    pos,
                    ProblemKind::Missing,
                    format!("event {pos} is missing (next stored position is {})", e.seq),
                );
                break 'pages;
            }
            // An event that does not decode is reported and the check goes on: its stored bytes
            // still enter the tree, so later tampering is still caught.
            if e.leaf.len() > MAX_EVENT_BYTES {
                found.push(
                    pos,
                    ProblemKind::Undecodable,
                    format!(
                        "event is {} bytes, over the {MAX_EVENT_BYTES}-byte limit (checking goes on)",
                        e.leaf.len()
                    ),
                );
            } else if jaga_audit::event::decode(&e.leaf).map(|ev| ev.seq) != Ok(pos) {
                found.push(
                    pos,
                    ProblemKind::Undecodable,
                    "event does not decode or names another position (checking goes on)".into(),
                );
            }
            // The tree is built from the hash of the stored bytes; a leaf whose bytes do not
            // match its stored hash is reported at its exact position.
            if check.push_leaf(&e.leaf, &e.leaf_hash) != e.leaf_hash {
                found.push(
                    pos,
                    ProblemKind::Modified,
                    "event bytes do not match their stored hash (modified)".into(),
                );
            }
            while let Some((size, root, what)) = marks.next_if(|m| m.0 == check.size()) {
                if check.root() != root {
                    found.push(
                        good,
                        ProblemKind::CheckpointMismatch,
                        format!(
                            "the events before position {size} differ from {what} (rewritten at or after position {good})"
                        ),
                    );
                } else {
                    good = size;
                }
            }
        }
        next = page.last().map_or(next, |e| e.seq + 1);
    }
    if !found.has(ProblemKind::Missing)
        && let Some((size, _, what)) = marks.next()
    {
        found.push(
            check.size(),
            ProblemKind::Truncated,
            format!(
                "the database holds {} events but {what} covers {size}: the log was truncated",
                check.size()
            ),
        );
    }
    if check.size() != head.size {
        found.push(
            check.size().min(head.size),
            ProblemKind::HeadMismatch,
            format!(
                "the head says {} events but {} are stored (truncated or inserted)",
                head.size,
                check.size()
            ),
        );
    } else if check.root() != head.root {
        found.push(
            good,
            ProblemKind::HeadMismatch,
            "the recomputed root differs from the stored head".into(),
        );
    }
    let problems = found.list;
    let problem = problems.first().cloned();
    Ok(VerifyOutcome {
        events: check.size(),
        root: check.root(),
        problem,
        problems,
        more_problems: found.more,
    })
}
