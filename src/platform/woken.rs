//! Polling only what woke.
//!
//! A realtime connection's task waits on several things at once: the tab's input, the person's
//! own topic, each subscribed topic, the server stopping. `select!` and `StreamMap` poll every
//! one of them whenever any of them wakes the task — twice per delivery, once to take the event
//! and once to find nothing else waiting — and polling something idle is not free: a broadcast
//! receiver takes its topic's lock (shared with every other reader of the room), the socket's
//! reader zero-fills its read buffer before it finds nothing to read, a watch takes its
//! notifier's lock (shared by every connection of the instance). [`Woken`] gives what it wraps
//! a waker of its own and polls it only after that waker fired, as `FuturesUnordered` does for
//! its futures; polling it otherwise is two atomic operations.

use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

use futures::{
    task::{waker_ref, ArcWake, AtomicWaker},
    Stream,
};

/// A stream polled only when it woke the task (or may still hold items).
///
/// It registers the polling task's waker only when it polls the stream, so it must be polled
/// by one task for its whole life (as a connection's streams are): registering on every poll
/// was the largest single cost of a delivery.
pub struct Woken<S> {
    inner: S,
    signal: Arc<Signal>,
}

struct Signal {
    /// Set by the inner stream's waker, and after an item (there may be more at once).
    woken: AtomicBool,
    /// The task that polls the [`Woken`].
    task: AtomicWaker,
}

impl ArcWake for Signal {
    fn wake_by_ref(signal: &Arc<Self>) {
        signal.woken.store(true, Ordering::Release);
        signal.task.wake();
    }
}

impl<S> Woken<S> {
    pub fn new(inner: S) -> Self {
        Woken {
            inner,
            signal: Arc::new(Signal {
                // The first poll reaches the stream: it has never registered a waker.
                woken: AtomicBool::new(true),
                task: AtomicWaker::new(),
            }),
        }
    }
}

impl<S: Stream + Unpin> Stream for Woken<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.get_mut();
        if !this.signal.woken.load(Ordering::Acquire) {
            // The task's waker, registered when the stream was last polled, is still there:
            // only a wake takes it, and a wake sets the flag.
            return Poll::Pending;
        }
        // Registered before the flag is cleared: a wake between the two is not lost.
        this.signal.task.register(cx.waker());
        this.signal.woken.store(false, Ordering::Release);
        let waker = waker_ref(&this.signal);
        let polled = Pin::new(&mut this.inner).poll_next(&mut Context::from_waker(&waker));
        if polled.is_ready() {
            this.signal.woken.store(true, Ordering::Release);
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use futures::{channel::mpsc, task::noop_waker_ref, StreamExt};

    use super::*;

    /// Counts how often the stream it wraps is polled.
    struct Counted<S> {
        inner: S,
        polls: Arc<AtomicUsize>,
    }

    impl<S: Stream + Unpin> Stream for Counted<S> {
        type Item = S::Item;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
            self.polls.fetch_add(1, Ordering::Relaxed);
            Pin::new(&mut self.inner).poll_next(cx)
        }
    }

    #[test]
    fn an_idle_stream_is_polled_once_until_it_wakes_and_then_until_it_is_empty() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let polls = Arc::new(AtomicUsize::new(0));
        let mut woken = Woken::new(Counted {
            inner: rx,
            polls: polls.clone(),
        });
        let mut cx = Context::from_waker(noop_waker_ref());
        for _ in 0..10 {
            assert!(woken.poll_next_unpin(&mut cx).is_pending());
        }
        assert_eq!(
            polls.load(Ordering::Relaxed),
            1,
            "idle: polled once, then left alone"
        );

        tx.unbounded_send(1).unwrap();
        tx.unbounded_send(2).unwrap();
        assert_eq!(woken.poll_next_unpin(&mut cx), Poll::Ready(Some(1)));
        // After an item it is polled again without a wake: the second was already there.
        assert_eq!(woken.poll_next_unpin(&mut cx), Poll::Ready(Some(2)));
        assert!(woken.poll_next_unpin(&mut cx).is_pending());
        let settled = polls.load(Ordering::Relaxed);
        assert!(woken.poll_next_unpin(&mut cx).is_pending());
        assert_eq!(polls.load(Ordering::Relaxed), settled);

        drop(tx);
        assert_eq!(woken.poll_next_unpin(&mut cx), Poll::Ready(None));
    }

    #[tokio::test]
    async fn a_wake_reaches_the_task_that_waits() {
        let (tx, rx) = mpsc::unbounded::<u32>();
        let mut woken = Woken::new(rx);
        let waiting = tokio::spawn(async move { woken.next().await });
        tokio::task::yield_now().await;
        tx.unbounded_send(7).unwrap();
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("the waiting task was woken")
            .unwrap();
        assert_eq!(got, Some(7));
    }
}
