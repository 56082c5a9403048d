//! Overlap resolution: one finding per span.
//!
//! Findings are taken in order of kind priority (card > CVV > IBAN > NPWP > KK > NIK >
//! passport > e-mail > phone > bank account > IP > birth date > address > person), then score,
//! then length. A finding that overlaps one already taken is dropped, except names and
//! addresses (and e-mails glued to a number), which are cut down to their longest free piece (an address that contains a
//! phone number keeps the part before it).

use std::collections::BTreeMap;

use crate::kind::{EntityKind, Finding};

pub(crate) fn resolve(text: &str, out: &mut Vec<Finding>) {
    if out.len() < 2 {
        return;
    }
    // Findings that overlap nothing are the common case: sort by position and resolve each
    // cluster of overlapping findings on its own (findings of different clusters never
    // overlap, so this is the same as resolving all at once, without the priority sort and
    // the map for the whole text).
    // A stable sort: the input is a few sorted runs (e-mails, IPv6, the main pass).
    out.sort_by_key(|f| (f.start, f.end));
    if out.windows(2).all(|w| w[0].end <= w[1].start) {
        return;
    }
    let all = std::mem::take(out);
    let mut i = 0;
    while i < all.len() {
        let mut j = i + 1;
        let mut end = all[i].end;
        while j < all.len() && all[j].start < end {
            end = end.max(all[j].end);
            j += 1;
        }
        if j == i + 1 {
            out.push(all[i]);
        } else {
            let mut cluster = all[i..j].to_vec();
            resolve_cluster(text, &mut cluster);
            out.extend(cluster);
        }
        i = j;
    }
}

fn resolve_cluster(text: &str, out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        b.kind
            .priority()
            .cmp(&a.kind.priority())
            .then(b.score.total_cmp(&a.score))
            .then(b.len().cmp(&a.len()))
            .then(a.start.cmp(&b.start))
    });
    // `taken` is keyed by start; its findings never overlap, so the ones overlapping `f` are
    // the last few that start before `f.end` (walked backwards while they end after `f.start`).
    let mut taken: BTreeMap<usize, Finding> = BTreeMap::new();
    for f in out.drain(..) {
        let mut overlapping: Vec<(usize, usize)> = taken
            .range(..f.end)
            .rev()
            .take_while(|(_, t)| t.end > f.start)
            .map(|(_, t)| (t.start, t.end))
            .collect();
        if overlapping.is_empty() {
            taken.insert(f.start, f);
            continue;
        }
        if !matches!(
            f.kind,
            EntityKind::Address | EntityKind::Person | EntityKind::Email
        ) {
            continue;
        }
        overlapping.reverse();
        let mut free_start = f.start;
        let mut best: Option<(usize, usize)> = None;
        for (ts, te) in overlapping {
            if ts > free_start {
                best = longer(best, (free_start, ts));
            }
            free_start = free_start.max(te);
        }
        if free_start < f.end {
            best = longer(best, (free_start, f.end));
        }
        if let Some((mut s, e)) = best {
            // Pieces are cut at other findings' edges, which are ASCII-bounded or text ends.
            let b = text.as_bytes();
            while s < e && matches!(b[s], b'.' | b'-' | b'_' | b'+' | b' ' | b',') {
                s += 1;
            }
            if e > s && e - s >= 4 {
                let mut g = f;
                g.start = s;
                g.end = e;
                taken.insert(s, g);
            }
        }
    }
    out.extend(taken.into_values());
}

fn longer(a: Option<(usize, usize)>, b: (usize, usize)) -> Option<(usize, usize)> {
    match a {
        Some(x) if x.1 - x.0 >= b.1 - b.0 => Some(x),
        _ => Some(b),
    }
}
