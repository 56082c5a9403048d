//! Helpers of the feature scans: which velocity features a rule set reads ([`Needs`]) and the
//! distinct-value sets of one backward scan.

use crate::keys::VELOCITY;
use crate::names::WINDOWS;

/// A set of distinct non-zero `u32` keys (already uniform hashes) for one backward scan:
/// open addressing, emptied in O(1) by bumping a generation stamp.
#[derive(Default)]
pub(crate) struct Distinct {
    /// (key, generation); a slot of another generation is empty.
    slots: Vec<(u32, u32)>,
    generation: u32,
    len: usize,
}

impl Distinct {
    pub(crate) fn clear(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.fill((0, 0));
            self.generation = 1;
        }
        self.len = 0;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn insert(&mut self, v: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (v.wrapping_mul(0x9e37_79b1) >> 7) as usize & mask;
        loop {
            let s = &mut self.slots[i];
            if s.1 != self.generation {
                *s = (v, self.generation);
                self.len += 1;
                return;
            }
            if s.0 == v {
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let live: Vec<u32> = self
            .slots
            .iter()
            .filter(|s| s.1 == self.generation)
            .map(|s| s.0)
            .collect();
        let cap = (self.slots.len() * 2).max(64);
        self.slots = vec![(0, 0); cap];
        self.generation = 1;
        self.len = 0;
        for v in live {
            self.insert(v);
        }
    }
}

/// Which velocity features a rule set reads: per velocity entity (in [`VELOCITY`] order) the
/// number of windows to compute (0 = none; windows nest, so the longest read one decides) and
/// which of its distinct counts are read. The other velocity features read as zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub(crate) windows: [u8; VELOCITY.len()],
    /// Bit d: distinct metric d (cards, customers, devices) is read.
    pub(crate) distinct: [u8; VELOCITY.len()],
}

impl Needs {
    /// Every feature.
    pub fn all() -> Self {
        Needs {
            windows: [WINDOWS.len() as u8; VELOCITY.len()],
            distinct: [0b111; VELOCITY.len()],
        }
    }

    /// No velocity feature (events recorded without scoring).
    pub fn none() -> Self {
        Needs {
            windows: [0; VELOCITY.len()],
            distinct: [0; VELOCITY.len()],
        }
    }

    /// Adds the feature called `name` (unknown names and other features change nothing).
    pub fn add(&mut self, name: &str) {
        let Some(crate::names::Slot::Num(i)) = crate::names::registry().slot(name) else {
            return;
        };
        let Some(v) = i.checked_sub(crate::names::N_EVENT) else {
            return;
        };
        let per = crate::names::PER_ENTITY;
        let (e, m, w) = (v / per, (v % per) / WINDOWS.len(), v % WINDOWS.len());
        self.windows[e] = self.windows[e].max(w as u8 + 1);
        let d0 = crate::window::DISTINCT0;
        if m >= d0 {
            self.distinct[e] |= 1 << (m - d0);
        }
    }
}
