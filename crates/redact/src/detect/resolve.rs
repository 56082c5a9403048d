//! Overlap resolution: one finding per span.
//!
//! Findings are taken in order of kind priority (card > CVV > IBAN > NPWP > KK > NIK >
//! passport > e-mail > phone > bank account > IP > birth date > address > person), then score,
//! then length. A finding that overlaps one already taken is dropped, except names and
//! addresses (and e-mails glued to a number), which are cut down to their longest free piece (an address that contains a
//! phone number keeps the part before it).

use crate::kind::{EntityKind, Finding};

pub(crate) fn resolve(text: &str, out: &mut Vec<Finding>) {
    if out.len() < 2 {
        return;
    }
    out.sort_by(|a, b| {
        b.kind
            .priority()
            .cmp(&a.kind.priority())
            .then(b.score.total_cmp(&a.score))
            .then(b.len().cmp(&a.len()))
            .then(a.start.cmp(&b.start))
    });
    let mut taken: Vec<Finding> = Vec::with_capacity(out.len());
    for f in out.drain(..) {
        // `taken` is kept sorted by start; find neighbours that overlap.
        let idx = taken.partition_point(|t| t.end <= f.start);
        let overlaps = taken[idx..].iter().take_while(|t| t.start < f.end);
        let mut free_start = f.start;
        let mut best: Option<(usize, usize)> = None;
        let mut any = false;
        for t in overlaps {
            any = true;
            if t.start > free_start {
                best = longer(best, (free_start, t.start));
            }
            free_start = free_start.max(t.end);
        }
        if !any {
            taken.insert(idx, f);
            continue;
        }
        if !matches!(f.kind, EntityKind::Address | EntityKind::Person | EntityKind::Email) {
            continue;
        }
        if free_start < f.end {
            best = longer(best, (free_start, f.end));
        }
        if let Some((mut s, e)) = best {
            let b = text.as_bytes();
            while s < e && matches!(b[s], b'.' | b'-' | b'_' | b'+' | b' ' | b',') {
                s += 1;
            }
            // Pieces are cut at other findings' edges, which are ASCII-bounded or text ends.
            let mut g = f;
            g.start = s;
            g.end = e;
            if e > s && e - s >= 4 {
                let i = taken.partition_point(|t| t.end <= g.start);
                taken.insert(i, g);
            }
        }
    }
    *out = taken;
}

fn longer(a: Option<(usize, usize)>, b: (usize, usize)) -> Option<(usize, usize)> {
    match a {
        Some(x) if x.1 - x.0 >= b.1 - b.0 => Some(x),
        _ => Some(b),
    }
}
