//! Sliding-window rate limits. The events being limited are rows in the database (a sender's
//! recent messages), so every instance sees the same count; this module only decides.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window; 0 switches the limit off.
    pub max: u32,
    pub window: Duration,
}

impl RateLimit {
    /// Whether the limit is switched off (`max` of 0): nothing needs counting.
    pub fn is_off(&self) -> bool {
        self.max == 0
    }

    /// Where the window starts for a decision at `now`.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }

    /// Given how many events fall in the window and when the oldest of them happened: allowed,
    /// or how many whole seconds until the oldest leaves the window (at least 1).
    pub fn check(
        &self,
        in_window: u64,
        oldest_in_window: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        if self.is_off() || in_window < u64::from(self.max) {
            return Ok(());
        }
        let frees_at = oldest_in_window.unwrap_or(now) + self.window;
        let wait_ms = (frees_at - now).num_milliseconds().max(0) as u64;
        Err(wait_ms.div_ceil(1000).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit() -> RateLimit {
        RateLimit {
            max: 10,
            window: Duration::seconds(60),
        }
    }

    #[test]
    fn allows_up_to_the_limit() {
        let now = Utc::now();
        for n in 0..10 {
            assert_eq!(
                limit().check(n, Some(now - Duration::seconds(5)), now),
                Ok(())
            );
        }
    }

    #[test]
    fn the_eleventh_waits_until_the_oldest_leaves_the_window() {
        let now = Utc::now();
        let oldest = now - Duration::seconds(42);
        assert_eq!(limit().check(10, Some(oldest), now), Err(18));
        // Part of a second rounds up: never "try again in 0 s".
        let oldest = now - Duration::milliseconds(59_500);
        assert_eq!(limit().check(10, Some(oldest), now), Err(1));
    }

    #[test]
    fn zero_switches_it_off() {
        let off = RateLimit {
            max: 0,
            window: Duration::seconds(60),
        };
        assert_eq!(off.check(1_000_000, Some(Utc::now()), Utc::now()), Ok(()));
    }

    #[test]
    fn the_window_slides() {
        let now = Utc::now();
        assert_eq!(limit().window_start(now), now - Duration::seconds(60));
    }
}
