//! A circuit breaker for calls to outside services (the hosted AI, market-data providers): after
//! a run of failures the service is left alone for a while, so that a dead network costs pages
//! no waiting; when the pause is over, the next call tries again and decides.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct CircuitBreaker {
    failures_to_open: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    consecutive_failures: u32,
    open_until: Option<Instant>,
}

impl CircuitBreaker {
    pub fn new(failures_to_open: u32, cooldown: Duration) -> CircuitBreaker {
        CircuitBreaker {
            failures_to_open: failures_to_open.max(1),
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a call may go out now. Once the pause is over the circuit is half-open: the
    /// next call's outcome opens or closes it.
    pub fn allows(&self) -> bool {
        let mut state = self.state();
        match state.open_until {
            Some(until) if Instant::now() < until => false,
            Some(_) => {
                state.open_until = None;
                true
            }
            None => true,
        }
    }

    pub fn succeeded(&self) {
        self.state().consecutive_failures = 0;
    }

    /// Counts a failure; returns true when this one opened the circuit.
    pub fn failed(&self) -> bool {
        let mut state = self.state();
        state.consecutive_failures += 1;
        if state.consecutive_failures >= self.failures_to_open {
            state.consecutive_failures = 0;
            state.open_until = Some(Instant::now() + self.cooldown);
            true
        } else {
            false
        }
    }

    /// Opens the circuit at once for `pause` (a service that said "come back later").
    pub fn pause(&self, pause: Duration) {
        let mut state = self.state();
        state.consecutive_failures = 0;
        state.open_until = Some(Instant::now() + pause);
    }

    pub fn cooldown(&self) -> Duration {
        self.cooldown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_and_half_opens_after_the_cooldown() {
        let breaker = CircuitBreaker::new(2, Duration::from_millis(30));
        assert!(breaker.allows());
        assert!(!breaker.failed());
        breaker.succeeded();
        assert!(!breaker.failed(), "a success in between resets the run");
        assert!(breaker.failed(), "the second failure in a row opens it");
        assert!(!breaker.allows());
        std::thread::sleep(Duration::from_millis(40));
        assert!(breaker.allows(), "half-open: one call may try");
        assert!(!breaker.failed(), "the run starts again from zero");
        breaker.pause(Duration::from_secs(60));
        assert!(!breaker.allows());
    }
}
