//! A per-caller token bucket: each bearer token (or, without one, each address) may send
//! `burst` requests at once and `per_second` on average; past that, 429 with Retry-After.
//! Requests with a token are also charged to their address at ten times that rate, since a
//! token is not checked before it is counted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How many requests a caller may make.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once.
    pub burst: f64,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets by caller key.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter with `limit` for every caller.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 100_000 {
            // Forget idle callers rather than grow without bound under a flood of keys.
            buckets.retain(|_, bucket| now.duration_since(bucket.updated).as_secs() < 60);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.limit.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.limit.per_second).min(self.limit.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.limit.per_second.max(f64::MIN_POSITIVE);
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_passes_then_the_caller_waits_and_others_are_unaffected() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 3.0,
        });
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("a", start).is_ok());
        }
        assert_eq!(limiter.check("a", start), Err(1));
        assert!(
            limiter.check("b", start).is_ok(),
            "another caller has its own bucket"
        );
        assert!(
            limiter
                .check("a", start + Duration::from_millis(600))
                .is_ok(),
            "refilled"
        );
    }
}
