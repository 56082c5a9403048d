//! Password hashing off the async threads, with bounded concurrency and a bounded queue: a login
//! flood can use at most `concurrency × m_kib` of memory and `concurrency` cores, and once the
//! queue is full further logins are refused at once with [`CoreError::Busy`] instead of piling
//! up.

use crate::CoreError;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

pub(crate) struct Hasher {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Hasher {
    pub(crate) fn new(concurrency: usize, max_waiting: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs `f` (a slow hash) on the blocking pool once a slot is free.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, CoreError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(CoreError::Busy);
        }
        let permit = self.slots.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|_| CoreError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let r = f();
            drop(permit);
            r
        })
        .await
        .map_err(|_| CoreError::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::{Duration, Instant};

    /// Waits (with a deadline, yielding to the runtime) until `f` holds.
    async fn until(what: &str, f: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !f() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::task::yield_now().await;
        }
    }

    /// One slot and a queue of two, driven by a gate the test opens (no timing assumption):
    /// while the slot is held, two callers queue and every further one is refused at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queue_is_bounded_and_concurrency_limited() {
        let h = Arc::new(Hasher::new(1, 2));
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let job = |h: &Arc<Hasher>| {
            let (h, gate, running, peak, done) = (
                h.clone(),
                gate.clone(),
                running.clone(),
                peak.clone(),
                done.clone(),
            );
            async move {
                h.run(move || {
                    let n = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    let (open, cv) = &*gate;
                    let mut g = open.lock().unwrap();
                    while !*g {
                        g = cv.wait(g).unwrap();
                    }
                    running.fetch_sub(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                })
                .await
            }
        };
        // The first caller takes the slot and holds it until the gate opens.
        let first = tokio::spawn(job(&h));
        until("the first hash to run", || {
            running.load(Ordering::SeqCst) == 1
        })
        .await;
        // Two more queue for the slot.
        let queued: Vec<_> = (0..2).map(|_| tokio::spawn(job(&h))).collect();
        until("two callers queued", || {
            h.waiting.load(Ordering::SeqCst) == 2
        })
        .await;
        // The queue is full: every further caller is refused at once, and nothing of theirs runs.
        for _ in 0..3 {
            assert!(matches!(job(&h).await, Err(CoreError::Busy)));
        }
        assert_eq!(
            h.waiting.load(Ordering::SeqCst),
            2,
            "refusals leave the queue as it was"
        );
        {
            let (open, cv) = &*gate;
            *open.lock().unwrap() = true;
            cv.notify_all();
        }
        first.await.unwrap().unwrap();
        for q in queued {
            q.await.unwrap().unwrap();
        }
        assert_eq!(
            done.load(Ordering::SeqCst),
            3,
            "the first and the two queued ran"
        );
        assert_eq!(peak.load(Ordering::SeqCst), 1, "one hash at a time");
        assert_eq!(h.waiting.load(Ordering::SeqCst), 0);
    }
}
