//! An adaptive client-side rate limiter, shared by every call a process makes to one endpoint.
//!
//! It is the AWS SDKs' "adaptive" retry mode (botocore `retries/adaptive.py`, aws-smithy-runtime's
//! `ClientRateLimiter`) with two changes that matter when hundreds of calls are in flight:
//!
//! - **A token bucket from the first call**, starting at [`PacerConfig::initial_rate`] and growing
//!   (slow start: +1 request/s per success, so it doubles every second at full use) until the
//!   service first throttles. The SDK sends unpaced until then, which with 16 calls in flight
//!   means a storm of 429s before pacing starts.
//! - **One decrease per congestion event.** Each call carries the pacer's *epoch* from when it
//!   was admitted; a throttle cuts the rate (×[`PacerConfig::beta`]) only if the call was admitted
//!   after the last cut. Calls already in flight when the service pushed back report the same
//!   congestion, and cutting again for each of them would collapse the rate to its floor.
//!
//! After a throttle the rate follows the SDK's CUBIC curve: it climbs back quickly to just under
//! the rate that was throttled, lingers there, then probes above it. The rate never grows past
//! twice the rate actually sent (so an idle or latency-bound client does not bank a rate the
//! service never saw), and stays within [`PacerConfig::min_rate`]..[`PacerConfig::max_rate`].
//!
//! [`PacerState`] is the pure state machine (every method takes `now`), tested deterministically;
//! [`Pacer`] wraps it for async callers: [`Pacer::acquire`] waits for a token, first come first
//! served.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The knobs of a [`Pacer`].
#[derive(Debug, Clone, PartialEq)]
pub struct PacerConfig {
    /// The rate (requests per second) before the service has said anything.
    pub initial_rate: f64,
    /// The floor: the rate never drops below this.
    pub min_rate: f64,
    /// The ceiling: the rate never grows past this.
    pub max_rate: f64,
    /// How much of the rate is kept on a throttle (the SDK uses 0.7).
    pub beta: f64,
    /// The CUBIC scale constant (the SDK's 0.4): how fast the rate grows back.
    pub scale: f64,
    /// How many seconds of the current rate may be sent at once after an idle spell.
    pub burst_seconds: f64,
}

impl Default for PacerConfig {
    fn default() -> Self {
        Self {
            initial_rate: 10.0,
            min_rate: 0.5,
            max_rate: 500.0,
            beta: 0.7,
            scale: 0.4,
            burst_seconds: 0.5,
        }
    }
}

/// Proof that a call was admitted, and when (its epoch); hand it back with the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    epoch: u64,
}

/// What the pacer has seen, for logs and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PacerStats {
    /// Calls admitted.
    pub admitted: u64,
    /// Calls that succeeded (or failed for a reason other than a throttle).
    pub successes: u64,
    /// Calls the service throttled.
    pub throttles: u64,
    /// Times the rate was cut (one per congestion event).
    pub decreases: u64,
    /// The current rate, in requests per second.
    pub rate: f64,
}

/// How long [`RateMeter`] buckets are, in seconds (the SDK's `_TIME_BUCKET_RANGE`).
const METER_BUCKET: f64 = 0.5;
/// The weight of the newest bucket in the smoothed rate (the SDK's `_DEFAULT_SMOOTHING`).
const METER_SMOOTHING: f64 = 0.8;

/// The smoothed rate at which calls are actually sent (the SDK's `RateClocker`).
#[derive(Debug, Clone)]
struct RateMeter {
    origin: Instant,
    last_bucket: f64,
    count: f64,
    rate: f64,
}

impl RateMeter {
    fn new(origin: Instant, rate: f64) -> Self {
        Self {
            origin,
            last_bucket: 0.0,
            count: 0.0,
            rate,
        }
    }

    fn record(&mut self, now: Instant) {
        let t = now.saturating_duration_since(self.origin).as_secs_f64();
        let bucket = (t / METER_BUCKET).floor() * METER_BUCKET;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let current = self.count / (bucket - self.last_bucket);
            self.rate = current * METER_SMOOTHING + self.rate * (1.0 - METER_SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
    }
}

/// The pure pacing state machine: a token bucket whose fill rate adapts to throttles.
#[derive(Debug, Clone)]
pub struct PacerState {
    config: PacerConfig,
    rate: f64,
    tokens: f64,
    last_refill: Instant,
    slow_start: bool,
    w_max: f64,
    k: f64,
    last_throttle: Instant,
    epoch: u64,
    meter: RateMeter,
    stats: PacerStats,
}

impl PacerState {
    /// A fresh state at `now`: the initial rate, a full burst of tokens, slow start.
    pub fn new(config: PacerConfig, now: Instant) -> Self {
        let rate = config.initial_rate.clamp(config.min_rate, config.max_rate);
        let mut state = Self {
            rate,
            tokens: 0.0,
            last_refill: now,
            slow_start: true,
            w_max: rate,
            k: 0.0,
            last_throttle: now,
            epoch: 0,
            meter: RateMeter::new(now, rate),
            stats: PacerStats::default(),
            config,
        };
        state.tokens = state.capacity();
        state
    }

    /// The current fill rate, in requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Whether the service has not throttled yet.
    pub fn in_slow_start(&self) -> bool {
        self.slow_start
    }

    /// The counters so far.
    pub fn stats(&self) -> PacerStats {
        PacerStats {
            rate: self.rate,
            ..self.stats
        }
    }

    fn capacity(&self) -> f64 {
        (self.rate * self.config.burst_seconds).max(1.0)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.last_refill)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity());
        self.last_refill = now;
    }

    /// Takes a token at `now`, or says how long to wait before asking again.
    pub fn try_acquire(&mut self, now: Instant) -> Result<Ticket, Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.meter.record(now);
            self.stats.admitted += 1;
            return Ok(Ticket { epoch: self.epoch });
        }
        let wait = (1.0 - self.tokens) / self.rate;
        // At least a millisecond: timers are no finer, and a zero wait would spin.
        Err(Duration::from_secs_f64(wait).max(Duration::from_millis(1)))
    }

    /// The call admitted with `ticket` was answered without a throttle.
    pub fn on_success(&mut self, _ticket: Ticket, now: Instant) {
        self.stats.successes += 1;
        self.refill(now);
        let wanted = if self.slow_start {
            self.rate + 1.0
        } else {
            let t = now
                .saturating_duration_since(self.last_throttle)
                .as_secs_f64();
            self.config.scale * (t - self.k).powi(3) + self.w_max
        };
        // Never more than twice what is actually sent (but the initial rate is always allowed).
        let ceiling = (2.0 * self.meter.rate).max(self.config.initial_rate);
        self.set_rate(wanted.min(ceiling));
    }

    /// The call admitted with `ticket` was throttled (429, TooManyRequestsException).
    pub fn on_throttle(&mut self, ticket: Ticket, now: Instant) {
        self.stats.throttles += 1;
        if ticket.epoch != self.epoch {
            // Admitted before the last cut: the same congestion, already answered.
            return;
        }
        self.refill(now);
        let sent = self.meter.rate.min(self.rate);
        self.w_max = sent;
        self.k = (self.w_max * (1.0 - self.config.beta) / self.config.scale).cbrt();
        self.last_throttle = now;
        self.slow_start = false;
        self.epoch += 1;
        self.stats.decreases += 1;
        self.set_rate(sent * self.config.beta);
    }

    fn set_rate(&mut self, rate: f64) {
        let rate = if rate.is_finite() {
            rate
        } else {
            self.config.min_rate
        };
        self.rate = rate.clamp(self.config.min_rate, self.config.max_rate);
        self.tokens = self.tokens.min(self.capacity());
    }
}

/// A [`PacerState`] shared by concurrent tasks.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<PacerState>,
    /// Waiters take turns in arrival order (tokio's mutex is fair).
    queue: tokio::sync::Mutex<()>,
}

impl Pacer {
    /// A pacer starting now.
    pub fn new(config: PacerConfig) -> Self {
        Self {
            state: Mutex::new(PacerState::new(config, Instant::now())),
            queue: tokio::sync::Mutex::new(()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut PacerState) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut state)
    }

    /// Waits for a token; callers are served in the order they asked.
    pub async fn acquire(&self) -> Ticket {
        let _turn = self.queue.lock().await;
        loop {
            match self.with(|s| s.try_acquire(Instant::now())) {
                Ok(ticket) => return ticket,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Reports a call answered without a throttle.
    pub fn on_success(&self, ticket: Ticket) {
        self.with(|s| s.on_success(ticket, Instant::now()));
    }

    /// Reports a throttled call.
    pub fn on_throttle(&self, ticket: Ticket) {
        self.with(|s| s.on_throttle(ticket, Instant::now()));
    }

    /// The counters so far and the current rate.
    pub fn stats(&self) -> PacerStats {
        self.with(|s| s.stats())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(base: Instant, secs: f64) -> Instant {
        base + Duration::from_secs_f64(secs)
    }

    fn config() -> PacerConfig {
        PacerConfig {
            initial_rate: 10.0,
            ..PacerConfig::default()
        }
    }

    #[test]
    fn a_burst_then_waits_at_the_rate() {
        let t0 = Instant::now();
        let mut p = PacerState::new(config(), t0);
        // Half a second of burst at 10/s: five calls at once.
        for _ in 0..5 {
            assert!(p.try_acquire(t0).is_ok());
        }
        let wait = p.try_acquire(t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(100));
        assert!(p.try_acquire(at(t0, 0.1)).is_ok());
        assert!(p.try_acquire(at(t0, 0.1)).is_err());
    }

    #[test]
    fn slow_start_grows_by_one_per_success_up_to_twice_what_is_sent() {
        let t0 = Instant::now();
        let mut p = PacerState::new(config(), t0);
        // Sending 10/s for two seconds: the meter sees ~10/s, so the rate may reach ~20.
        let mut t = 0.0;
        for _ in 0..20 {
            let ticket = loop {
                match p.try_acquire(at(t0, t)) {
                    Ok(k) => break k,
                    Err(w) => t += w.as_secs_f64(),
                }
            };
            p.on_success(ticket, at(t0, t));
        }
        assert!(p.in_slow_start());
        assert!(p.rate() > 10.0, "it grew: {}", p.rate());
        assert!(
            p.rate() <= 2.0 * 20.0,
            "bounded by what was sent: {}",
            p.rate()
        );
    }

    #[test]
    fn an_idle_client_does_not_bank_rate() {
        let t0 = Instant::now();
        let mut p = PacerState::new(config(), t0);
        // One call a second, a hundred successes: the rate stays at the initial rate.
        for i in 0..100 {
            let ticket = p.try_acquire(at(t0, f64::from(i))).unwrap();
            p.on_success(ticket, at(t0, f64::from(i) + 0.05));
        }
        assert_eq!(p.rate(), 10.0);
    }

    #[test]
    fn a_throttle_cuts_once_per_congestion_event() {
        let t0 = Instant::now();
        let mut p = PacerState::new(
            PacerConfig {
                initial_rate: 20.0,
                ..config()
            },
            t0,
        );
        // Ten calls in flight, all admitted in the same epoch, all throttled.
        let tickets: Vec<Ticket> = (0..10).map(|_| p.try_acquire(t0).unwrap()).collect();
        let before = p.rate();
        for t in &tickets {
            p.on_throttle(*t, at(t0, 0.05));
        }
        let stats = p.stats();
        assert_eq!((stats.throttles, stats.decreases), (10, 1));
        assert!(!p.in_slow_start());
        assert!(
            p.rate() <= before * 0.7 + 1e-9,
            "{} -> {}",
            before,
            p.rate()
        );
        // A call admitted after the cut is a new event.
        let later = p.try_acquire(at(t0, 0.2)).expect("a token after the cut");
        let cut = p.rate();
        p.on_throttle(later, at(t0, 0.3));
        assert_eq!(p.stats().decreases, 2);
        assert!(p.rate() < cut);
    }

    #[test]
    fn after_a_throttle_the_rate_climbs_back_along_the_cubic() {
        let t0 = Instant::now();
        let mut p = PacerState::new(
            PacerConfig {
                initial_rate: 20.0,
                ..config()
            },
            t0,
        );
        let ticket = p.try_acquire(t0).unwrap();
        p.on_throttle(ticket, t0);
        let w_max = p.w_max;
        let low = p.rate();
        assert!((low - 0.7 * w_max).abs() < 1e-9);
        // Keep the meter busy so the "twice what is sent" ceiling does not bind.
        p.meter.rate = 100.0;
        let rate_at = |p: &mut PacerState, s: f64| {
            p.on_success(Ticket { epoch: p.epoch }, at(t0, s));
            p.rate()
        };
        let r1 = rate_at(&mut p, 1.0);
        let k = p.k;
        let rk = rate_at(&mut p, k);
        let r5 = rate_at(&mut p, k + 2.0);
        assert!(low < r1 && r1 < w_max, "{low} < {r1} < {w_max}");
        assert!(
            (rk - w_max).abs() < 1e-9,
            "at K it is back at w_max: {rk} vs {w_max}"
        );
        assert!(r5 > w_max, "then it probes above: {r5}");
    }

    #[test]
    fn the_rate_stays_within_its_bounds() {
        let t0 = Instant::now();
        let cfg = PacerConfig {
            initial_rate: 1.0,
            min_rate: 0.5,
            max_rate: 3.0,
            ..config()
        };
        let mut p = PacerState::new(cfg, t0);
        for i in 0..20 {
            let ticket = Ticket { epoch: p.epoch };
            p.on_throttle(ticket, at(t0, f64::from(i)));
        }
        assert_eq!(p.rate(), 0.5);
        p.meter.rate = 1000.0;
        for i in 0..200 {
            p.on_success(Ticket { epoch: p.epoch }, at(t0, 30.0 + f64::from(i)));
        }
        assert_eq!(p.rate(), 3.0);
    }
}
