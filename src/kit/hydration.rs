//! When the page has finished hydrating. With lazy routes hydration is asynchronous: the shell
//! hydrates, then waits for the open page's WASM chunk, then hydrates the page. Anything that
//! changes the page's DOM from the browser's own state in between (a socket's status, an event
//! that arrived early) would change it where hydration has not been yet, and hydration then
//! fails. Such work waits here: `after_hydration` runs it once `finished` has been called
//! (`lib.rs::hydrate`), at once if that already happened.

use std::cell::{Cell, RefCell};

thread_local! {
    static DONE: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` once the page has hydrated.
pub fn after_hydration(work: impl FnOnce() + 'static) {
    if DONE.get() {
        work();
    } else {
        WAITING.with_borrow_mut(|waiting| waiting.push(Box::new(work)));
    }
}

/// Hydration is over: runs what waited for it.
pub fn finished() {
    DONE.set(true);
    for work in WAITING.take() {
        work();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn work_waits_for_the_end_of_hydration_then_runs_at_once() {
        let ran = Rc::new(RefCell::new(Vec::new()));
        let log = |name: &'static str| {
            let ran = ran.clone();
            move || ran.borrow_mut().push(name)
        };
        after_hydration(log("socket"));
        after_hydration(log("notices"));
        assert!(
            ran.borrow().is_empty(),
            "nothing runs while the page hydrates"
        );
        finished();
        assert_eq!(*ran.borrow(), ["socket", "notices"]);
        after_hydration(log("later"));
        assert_eq!(*ran.borrow(), ["socket", "notices", "later"]);
    }
}
