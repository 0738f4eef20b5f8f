//! Database calls that concurrent callers share. A caller that finds no call under way starts one in a task of
//! its own; that task serves everyone who arrived meanwhile in one call, and then the next group, until nobody
//! waits. Under load many callers cost one parse, one transaction and one commit; a caller alone waits for
//! nothing. The call runs in its own task so that a caller who goes away (a closed connection) cannot cut a
//! shared write short for the others.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

pub(super) struct Batcher<T, A> {
    queue: Mutex<Queue<T, A>>,
}

struct Queue<T, A> {
    waiting: Vec<(T, oneshot::Sender<A>)>,
    /// A task is serving the queue.
    serving: bool,
}

impl<T, A> Default for Batcher<T, A> {
    fn default() -> Self {
        Batcher { queue: Mutex::new(Queue { waiting: Vec::new(), serving: false }) }
    }
}

impl<T: Send + 'static, A: Send + 'static> Batcher<T, A> {
    /// Hands `item` over and waits for its answer. `serve` answers a group of items with `with` (the store), one
    /// answer per item in the order given. None only if `serve` panicked.
    pub(super) async fn submit<W, S, F>(self: &Arc<Self>, with: &W, item: T, serve: S) -> Option<A>
    where
        W: Clone + Send + 'static,
        S: Fn(W, Vec<T>) -> F + Send + 'static,
        F: Future<Output = Vec<A>> + Send,
    {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut queue = self.lock();
            queue.waiting.push((item, reply));
            !std::mem::replace(&mut queue.serving, true)
        };
        if start {
            let (this, with) = (Arc::clone(self), with.clone());
            tokio::spawn(async move { this.serve(with, serve).await });
        }
        answer.await.ok()
    }

    async fn serve<W: Clone, S, F>(&self, with: W, serve: S)
    where
        S: Fn(W, Vec<T>) -> F,
        F: Future<Output = Vec<A>>,
    {
        let _on_panic = OnPanic(self);
        loop {
            let group = {
                // Checked and marked under one lock: an item pushed after this starts a new task.
                let mut queue = self.lock();
                if queue.waiting.is_empty() {
                    queue.serving = false;
                    return;
                }
                std::mem::take(&mut queue.waiting)
            };
            let (items, replies): (Vec<T>, Vec<_>) = group.into_iter().unzip();
            for (reply, answer) in replies.into_iter().zip(serve(with.clone(), items).await) {
                let _ = reply.send(answer);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue<T, A>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// If serving panics, whoever waits is answered None (their senders drop) and the next caller starts anew.
struct OnPanic<'a, T, A>(&'a Batcher<T, A>);

impl<T, A> Drop for OnPanic<'_, T, A> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut queue = self.0.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.serving = false;
            queue.waiting.clear();
        }
    }
}
