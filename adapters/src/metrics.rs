//! Prometheus text metrics: requests and latencies by route, commands by outcome, timers fired;
//! the outbox backlog is read from the store and the official calendar's reach from the service
//! when scraped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters shared by the server.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    commands: Mutex<BTreeMap<(String, String), u64>>,
    timers: Mutex<crate::worker::TimerPass>,
    checkpoint_failures: std::sync::atomic::AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        *lock(&self.requests)
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        let mut latency = lock(&self.latency);
        let histogram = latency.entry(route.to_owned()).or_default();
        for (bucket, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// Counts a command by name and outcome ("ok", "refused", "conflict", "error").
    pub fn command(&self, command: &str, outcome: &str) {
        *lock(&self.commands)
            .entry((command.to_owned(), outcome.to_owned()))
            .or_default() += 1;
    }

    /// Adds one timer pass to the totals by outcome.
    pub fn timer_pass(&self, pass: &crate::worker::TimerPass) {
        let mut timers = lock(&self.timers);
        timers.raised += pass.raised;
        timers.released += pass.released;
        timers.already += pass.already;
        timers.deferred += pass.deferred;
    }

    /// Counts an audit checkpoint that could not be signed.
    pub fn checkpoint_failed(&self) {
        self.checkpoint_failures
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The metrics in Prometheus text format; `calendar_days_left` is
    /// [`hoso_engine::clock::Calendars::official_days_left`] for today, `store` what the store
    /// answered (nothing when it did not), `checkpoint_age_seconds` how old the latest signed
    /// checkpoint is, when one was signed.
    pub fn render(
        &self,
        store: Option<crate::store::StoreGauges>,
        checkpoint_age_seconds: Option<i64>,
        calendar_days_left: i64,
    ) -> String {
        let mut out = String::new();
        // An operator's alert: below 90 the next year's official notice is due, below 0 every
        // deadline into the coming days is provisional or refused.
        let _ = writeln!(
            out,
            "# HELP hoso_calendar_days_left Days until the last day covered by an official (not provisional) calendar; -1 when today has none."
        );
        let _ = writeln!(out, "# TYPE hoso_calendar_days_left gauge");
        let _ = writeln!(out, "hoso_calendar_days_left {calendar_days_left}");
        let _ = writeln!(
            out,
            "# HELP hoso_http_requests_total HTTP requests by method, route and status."
        );
        let _ = writeln!(out, "# TYPE hoso_http_requests_total counter");
        for ((method, route, status), count) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "hoso_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP hoso_http_request_duration_seconds HTTP request latency by route."
        );
        let _ = writeln!(out, "# TYPE hoso_http_request_duration_seconds histogram");
        for (route, histogram) in lock(&self.latency).iter() {
            for (bound, count) in BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(
                    out,
                    "hoso_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "hoso_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "hoso_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "hoso_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP hoso_commands_total Dossier commands by name and outcome."
        );
        let _ = writeln!(out, "# TYPE hoso_commands_total counter");
        for ((command, outcome), count) in lock(&self.commands).iter() {
            let _ = writeln!(
                out,
                "hoso_commands_total{{command=\"{command}\",outcome=\"{outcome}\"}} {count}"
            );
        }
        // "already" counts timers this node claimed after another had fired them: on a healthy
        // cluster it stays 0, so a rising value means leases expire before passes finish.
        let _ = writeln!(
            out,
            "# HELP hoso_timers_total Deadline timers claimed by this node, by outcome."
        );
        let _ = writeln!(out, "# TYPE hoso_timers_total counter");
        let timers = *lock(&self.timers);
        for (outcome, count) in [
            ("raised", timers.raised),
            ("released", timers.released),
            ("already", timers.already),
            ("deferred", timers.deferred),
        ] {
            let _ = writeln!(out, "hoso_timers_total{{outcome=\"{outcome}\"}} {count}");
        }
        let mut gauge = |name: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} gauge");
            let _ = writeln!(out, "{name} {value}");
        };
        if let Some(store) = store {
            gauge(
                "hoso_outbox_backlog",
                "Side effects waiting for delivery.",
                store.outbox_backlog.to_string(),
            );
            gauge(
                "hoso_outbox_dead",
                "Side effects given up on (dead letters), waiting for an operator's retry or drop.",
                store.dead_letters.to_string(),
            );
            gauge(
                "hoso_timer_lag_seconds",
                "Seconds the most overdue deadline timer has waited past its due instant.",
                store.timer_lag_seconds.to_string(),
            );
        }
        if let Some(age) = checkpoint_age_seconds {
            gauge(
                "hoso_checkpoint_age_seconds",
                "Seconds since the latest signed audit checkpoint.",
                age.to_string(),
            );
        }
        let failures = self
            .checkpoint_failures
            .load(std::sync::atomic::Ordering::Relaxed);
        let _ = writeln!(
            out,
            "# HELP hoso_checkpoint_failures_total Audit checkpoints this node could not sign."
        );
        let _ = writeln!(out, "# TYPE hoso_checkpoint_failures_total counter");
        let _ = writeln!(out, "hoso_checkpoint_failures_total {failures}");
        out
    }
}

/// Who may read `/metrics`: it tells an outsider the routes, the load and the backlog, so it is
/// never open to everyone.
#[derive(Clone, Default)]
pub enum MetricsAccess {
    /// Callers on this machine (loopback) only: a Prometheus agent beside the server.
    #[default]
    Loopback,
    /// Callers that send `Authorization: Bearer <token>`; the SHA-256 of the token is kept.
    Token([u8; 32]),
    /// Served on a separate, private address (`--metrics-bind`); not on this listener.
    Elsewhere,
    /// Anyone who reaches the listener: only the private metrics listener itself.
    Open,
}

impl MetricsAccess {
    /// Token access, keeping only the token's hash.
    pub fn token(token: &str) -> Self {
        Self::Token(Sha256::digest(token.as_bytes()).into())
    }

    /// Whether a request from `peer` with this `Authorization` header may read the metrics.
    pub fn allows(
        &self,
        peer: Option<std::net::IpAddr>,
        authorization: Option<&str>,
        proxied: bool,
    ) -> bool {
        match self {
            Self::Open => true,
            Self::Elsewhere => false,
            // A request a local proxy forwarded looks local but comes from anywhere.
            Self::Loopback => peer.is_some_and(|peer| peer.is_loopback()) && !proxied,
            Self::Token(expected) => authorization
                .and_then(|value| value.strip_prefix("Bearer "))
                .is_some_and(|token| {
                    let sent: [u8; 32] = Sha256::digest(token.as_bytes()).into();
                    // Equal-length hashes compared without an early exit.
                    sent.iter()
                        .zip(expected)
                        .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
                        == 0
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MetricsAccess;

    #[test]
    fn metrics_answer_only_this_machine_unless_a_token_or_a_private_address_is_set() {
        let local: std::net::IpAddr = "127.0.0.1".parse().expect("address");
        let remote: std::net::IpAddr = "203.0.113.7".parse().expect("address");
        let loopback = MetricsAccess::Loopback;
        assert!(loopback.allows(Some(local), None, false));
        assert!(loopback.allows(Some("::1".parse().expect("address")), None, false));
        assert!(!loopback.allows(Some(remote), None, false));
        assert!(!loopback.allows(None, None, false));
        assert!(
            !loopback.allows(Some(local), None, true),
            "forwarded by a local proxy: from anywhere"
        );

        let token = MetricsAccess::token("a-long-metrics-token");
        assert!(token.allows(Some(remote), Some("Bearer a-long-metrics-token"), true));
        assert!(
            !token.allows(Some(local), None, false),
            "the token is asked of everyone"
        );
        assert!(!token.allows(Some(remote), Some("Bearer a-long-metrics-tokem"), false));
        assert!(!token.allows(Some(remote), Some("a-long-metrics-token"), false));

        assert!(!MetricsAccess::Elsewhere.allows(Some(local), None, false));
        assert!(MetricsAccess::Open.allows(Some(remote), None, true));
    }
}
