//! How failed sign-ins slow and then stop the next attempt, per account and per client address. The
//! counts are of failures within the settings' window; the store keeps them, this decides.

/// The limits (settings `login_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures of one account within the window after which it is refused until the window passes.
    pub max_failures: u32,
    /// Failures from one client address (over every account) within the window after which it is refused.
    pub max_failures_per_client: u32,
    /// Wait added to an attempt for each recent failure, before the password is even looked at.
    pub delay_ms: u64,
    pub window_secs: u64,
}

/// What happens to a sign-in attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The password is checked, after waiting this long.
    Open { delay_ms: u64 },
    /// Refused without looking at the password, even a right one: ask again after this many seconds.
    Locked { retry_after_secs: u64 },
}

impl Throttle {
    /// `account` and `client`: the recent failures of the account named and of the caller's address.
    /// A wrong password waits one step per failure so far, so a person who mistyped once hardly notices, and
    /// a guesser's tenth try waits nine steps; at the limit, guessing stops until the window has passed.
    pub fn gate(&self, account: u32, client: u32) -> Gate {
        if account >= self.max_failures || client >= self.max_failures_per_client {
            return Gate::Locked { retry_after_secs: self.window_secs.max(1) };
        }
        Gate::Open { delay_ms: self.delay_ms.saturating_mul(u64::from(account.max(client))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_table() {
        let t = Throttle { max_failures: 10, max_failures_per_client: 30, delay_ms: 200, window_secs: 900 };
        // (account failures, client failures, gate)
        let table = [
            (0, 0, Gate::Open { delay_ms: 0 }),
            (1, 1, Gate::Open { delay_ms: 200 }),
            (3, 0, Gate::Open { delay_ms: 600 }),
            (0, 5, Gate::Open { delay_ms: 1000 }),
            (9, 9, Gate::Open { delay_ms: 1800 }),
            (10, 10, Gate::Locked { retry_after_secs: 900 }),
            (11, 0, Gate::Locked { retry_after_secs: 900 }),
            (0, 29, Gate::Open { delay_ms: 5800 }),
            (0, 30, Gate::Locked { retry_after_secs: 900 }),
        ];
        for (account, client, gate) in table {
            assert_eq!(t.gate(account, client), gate, "account {account}, client {client}");
        }
        let no_window = Throttle { window_secs: 0, ..t };
        assert_eq!(no_window.gate(10, 0), Gate::Locked { retry_after_secs: 1 });
        let huge = Throttle { delay_ms: u64::MAX, ..t };
        assert_eq!(huge.gate(2, 0), Gate::Open { delay_ms: u64::MAX });
    }
}
