//! An adaptive client-side rate limiter, shared by every call a process makes to one endpoint.
//!
//! It is the AWS SDKs' "adaptive" retry mode (botocore `retries/adaptive.py`, aws-smithy-runtime's
//! `ClientRateLimiter`) with two changes that matter when many calls are in flight:
//!
//! - **Unpaced until the first throttle, as the SDK is, but the first cut lands on the rate the
//!   service let through.** Until the service first throttles, the pacer admits every call at
//!   once: only the caller's concurrency limit bounds the listing, so a service that never
//!   throttles is listed as fast as the round trip allows (16 in flight at 20 ms: ~800 calls a
//!   second). The first throttle then sets the rate to [`PacerConfig::beta`] × *the calls that
//!   succeeded in the last second* (not the rate that was sent, which with 16 in flight can be
//!   many times the service's limit, and which the SDK's first cut starts from). Against a token
//!   bucket of `r` requests/s holding one second's worth (Identity Center's portal, the emulator's
//!   `--tps`), that count is about `r`, so the pacer is at ~0.7 `r` after the first round trip
//!   that was refused, and climbs back to `r` along the CUBIC curve below.
//! - **A cut only when the throttles rise.** A service shared with other clients refuses a
//!   share of calls whatever this client sends (each call independently, at random); cutting for
//!   each of those would collapse the rate to its floor while the service lets half the calls
//!   through. So a throttle cuts only when the share of throttled answers among the last 32 is
//!   above its baseline (the share while the rate was below the last rate that was cut, after a
//!   second of settling) by more than chance explains (10 points plus three standard
//!   deviations), or when almost every recent answer is a throttle. Before the first cut there
//!   is no baseline: the newer half of those answers must be refused more than the older half
//!   by 10 points plus three standard deviations of the difference of two halves drawn from
//!   the same share (so that four answers that happened to pass do not make a baseline of 0 %). Against a token bucket the share jumps when the rate passes the
//!   bucket's, and the pacer cuts; against random throttling it stays flat, and the pacer keeps
//!   the rate the service accepts calls at (counted as `tolerated` in [`PacerStats`]).
//! - **One decrease per congestion event.** Each call carries the pacer's *epoch* from when it
//!   was admitted; a throttle cuts the rate only if the call was admitted after the last cut.
//!   Calls already in flight when the service pushed back report the same congestion, and cutting
//!   again for each of them would collapse the rate to its floor. So the unpaced start costs at
//!   most one round trip of refusals: no more throttles than calls in flight (16 by default), each
//!   retried once the pacer admits it again, a few tokens of the retry budget.
//!
//! After a throttle the rate follows the SDK's CUBIC curve: it climbs back quickly to just under
//! the rate that was throttled, lingers there, then probes above it; a throttle of a call admitted
//! since the last cut cuts again, to [`PacerConfig::beta`] × the rate actually sent. The rate never
//! grows past twice the rate actually sent (so an idle or latency-bound client does not bank a rate
//! the service never saw; [`PacerConfig::base_rate`] is always allowed), and stays within
//! [`PacerConfig::min_rate`]..[`PacerConfig::max_rate`].
//!
//! A caller that knows the service is tight can start paced instead
//! ([`PacerConfig::initial_rate`]): a token bucket from the first call, growing by one request a
//! second per success (so doubling every second at full use) until the first throttle.
//!
//! [`PacerState`] is the pure state machine (every method takes `now`), tested deterministically;
//! [`Pacer`] wraps it for async callers: [`Pacer::acquire`] waits for a token, first come first
//! served.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The knobs of a [`Pacer`].
#[derive(Debug, Clone, PartialEq)]
pub struct PacerConfig {
    /// `None` (the default): no pacing until the service first throttles, only the caller's
    /// concurrency limit. `Some(rate)`: paced from the first call, starting at `rate` requests
    /// per second and growing by one per success until the first throttle.
    pub initial_rate: Option<f64>,
    /// A rate the pacer may always grow to, whatever it has sent (10/s).
    pub base_rate: f64,
    /// The floor: the rate never drops below this.
    pub min_rate: f64,
    /// The ceiling: once paced, the rate never grows past this.
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
            initial_rate: None,
            base_rate: 10.0,
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
    /// Throttles that did not cut the rate: the share of throttled answers had not risen.
    pub tolerated: u64,
    /// The current rate, in requests per second; `None` while unpaced (no throttle yet).
    pub rate: Option<f64>,
}

/// How long [`RateMeter`] buckets are, in seconds (the SDK's `_TIME_BUCKET_RANGE`).
const METER_BUCKET: f64 = 0.5;
/// The weight of the newest bucket in the smoothed rate (the SDK's `_DEFAULT_SMOOTHING`).
const METER_SMOOTHING: f64 = 0.8;
/// The window over which successes are counted for the first cut: one second.
const ACCEPTED_WINDOW: Duration = Duration::from_secs(1);

/// Answers in the window whose share of throttles is compared with the baseline.
const SHORT_WINDOW: usize = 32;
/// Answers needed before their share is a baseline.
const BASELINE_ANSWERS: u64 = 16;
/// About how many answers the baseline averages over.
const BASELINE_SPAN: f64 = 200.0;
/// How long after a cut answers start counting toward the baseline.
const SETTLING: Duration = Duration::from_secs(1);
/// A recent share of throttles at which the pacer cuts whatever the baseline.
const ALMOST_ALL: f64 = 0.95;
/// Answers needed before a throttle may cut at all (four at least in each half of the window).
const MIN_ANSWERS: usize = 8;

/// The share of throttled answers: the last [`SHORT_WINDOW`] answers against a baseline, the
/// share among the answers admitted while the rate was below the last rate that was cut (after
/// [`SETTLING`]): what the service refuses when this client is not pushing it.
#[derive(Debug, Clone, Default)]
struct ThrottleShare {
    /// The last answers, oldest first: true for a throttle.
    recent: VecDeque<bool>,
    recent_throttled: usize,
    /// Whether the rate was ever cut.
    cut: bool,
    /// The baseline share, and the answers in it (a mean, then an average over the last
    /// [`BASELINE_SPAN`] or so).
    baseline: f64,
    baseline_answers: u64,
}

impl ThrottleShare {
    fn record(&mut self, throttled: bool, below_cut_rate: bool) {
        self.recent.push_back(throttled);
        self.recent_throttled += usize::from(throttled);
        if self.recent.len() > SHORT_WINDOW {
            let old = self.recent.pop_front().unwrap_or_default();
            self.recent_throttled -= usize::from(old);
        }
        if below_cut_rate {
            self.baseline_answers += 1;
            let weight = (1.0 / self.baseline_answers as f64).max(1.0 / BASELINE_SPAN);
            self.baseline += weight * (f64::from(u8::from(throttled)) - self.baseline);
        }
    }

    /// Whether the recent share of throttles is above the baseline by more than chance: the
    /// service refuses more at this rate than below it, so the rate is what it refuses. Before
    /// the first cut the newer half of the window is compared with the older half; with no
    /// baseline yet, a rate above the one cut is compared with none refused, one below it
    /// waits (only a window of throttles cuts).
    fn rose(&self, above_cut_rate: bool) -> bool {
        let n = self.recent.len();
        if n < MIN_ANSWERS {
            return false;
        }
        let share = self.recent_throttled as f64 / n as f64;
        if share >= ALMOST_ALL {
            return true;
        }
        if !self.cut {
            // Two halves of few answers each: their difference is compared with what chance
            // gives two samples of the same share (the pooled share, both halves' variance),
            // not with the older half alone, which at four answers is often 0 % or 100 %.
            let older_n = n / 2;
            let older = self.recent.iter().take(older_n).filter(|t| **t).count();
            let newer_n = n - older_n;
            let pooled = share;
            let spread = pooled * (1.0 - pooled) * (1.0 / older_n as f64 + 1.0 / newer_n as f64);
            let older_share = older as f64 / older_n as f64;
            let newer_share = (self.recent_throttled - older) as f64 / newer_n as f64;
            return newer_share > older_share + 0.1 + 3.0 * spread.sqrt();
        }
        let base = if self.baseline_answers >= BASELINE_ANSWERS {
            self.baseline
        } else if above_cut_rate {
            0.0
        } else {
            return false;
        };
        let chance = 3.0 * (base * (1.0 - base) / n as f64).sqrt();
        share > base + 0.1 + chance
    }
}

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

/// Where the pacer is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No throttle yet, no pacing: every call is admitted at once.
    Unpaced,
    /// No throttle yet, paced from [`PacerConfig::initial_rate`], +1/s per success.
    SlowStart,
    /// The service has throttled: the rate follows the CUBIC curve from the last cut.
    Cubic,
}

/// The pure pacing state machine: no pacing until the first throttle, then a token bucket whose
/// fill rate adapts to throttles.
#[derive(Debug, Clone)]
pub struct PacerState {
    config: PacerConfig,
    phase: Phase,
    rate: f64,
    tokens: f64,
    last_refill: Instant,
    w_max: f64,
    k: f64,
    last_throttle: Instant,
    epoch: u64,
    meter: RateMeter,
    /// When each success of the last [`ACCEPTED_WINDOW`] came (kept until the first throttle).
    accepted: VecDeque<Instant>,
    share: ThrottleShare,
    stats: PacerStats,
}

impl PacerState {
    /// A fresh state at `now`: unpaced, or (with [`PacerConfig::initial_rate`]) at that rate
    /// with a full burst of tokens.
    pub fn new(config: PacerConfig, now: Instant) -> Self {
        let (phase, rate) = match config.initial_rate {
            None => (Phase::Unpaced, config.max_rate),
            Some(r) => (Phase::SlowStart, r),
        };
        let rate = rate.clamp(config.min_rate, config.max_rate);
        let mut state = Self {
            phase,
            rate,
            tokens: 0.0,
            last_refill: now,
            w_max: rate,
            k: 0.0,
            last_throttle: now,
            epoch: 0,
            meter: RateMeter::new(now, config.initial_rate.unwrap_or(config.base_rate)),
            accepted: VecDeque::new(),
            share: ThrottleShare::default(),
            stats: PacerStats::default(),
            config,
        };
        state.tokens = state.capacity();
        state
    }

    /// The current fill rate in requests per second, or `None` while unpaced.
    pub fn rate(&self) -> Option<f64> {
        (self.phase != Phase::Unpaced).then_some(self.rate)
    }

    /// Whether the service has not throttled yet.
    pub fn in_slow_start(&self) -> bool {
        self.phase != Phase::Cubic
    }

    /// The counters so far.
    pub fn stats(&self) -> PacerStats {
        PacerStats {
            rate: self.rate(),
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

    /// Takes a token at `now`, or says how long to wait before asking again. Unpaced, there is
    /// always one.
    pub fn try_acquire(&mut self, now: Instant) -> Result<Ticket, Duration> {
        if self.phase != Phase::Unpaced {
            self.refill(now);
            if self.tokens < 1.0 {
                let wait = (1.0 - self.tokens) / self.rate;
                // At least a millisecond: timers are no finer, and a zero wait would spin.
                return Err(Duration::from_secs_f64(wait).max(Duration::from_millis(1)));
            }
            self.tokens -= 1.0;
        }
        self.meter.record(now);
        self.stats.admitted += 1;
        Ok(Ticket { epoch: self.epoch })
    }

    /// Successes in the last [`ACCEPTED_WINDOW`] before `now`.
    fn accepted_in_window(&mut self, now: Instant) -> usize {
        while self
            .accepted
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= ACCEPTED_WINDOW)
        {
            self.accepted.pop_front();
        }
        self.accepted.len()
    }

    /// The call admitted with `ticket` was answered without a throttle.
    pub fn on_success(&mut self, ticket: Ticket, now: Instant) {
        self.stats.successes += 1;
        let below = self.settled(ticket, now);
        self.share.record(false, below);
        if self.phase != Phase::Cubic {
            self.accepted.push_back(now);
            self.accepted_in_window(now);
        }
        if self.phase == Phase::Unpaced {
            return;
        }
        self.refill(now);
        let wanted = if self.phase == Phase::SlowStart {
            self.rate + 1.0
        } else {
            let t = now
                .saturating_duration_since(self.last_throttle)
                .as_secs_f64();
            self.config.scale * (t - self.k).powi(3) + self.w_max
        };
        // Never more than twice what is actually sent (but the base rate is always allowed).
        let ceiling = (2.0 * self.meter.rate).max(self.config.base_rate);
        self.set_rate(wanted.min(ceiling));
    }

    /// The call admitted with `ticket` was throttled (429, TooManyRequestsException). Says
    /// whether the service is refusing this client's rate: the throttle cut it now, or came
    /// from a call admitted before the last cut (false: a refusal put down to chance).
    pub fn on_throttle(&mut self, ticket: Ticket, now: Instant) -> bool {
        self.stats.throttles += 1;
        let below = self.settled(ticket, now);
        self.share.record(true, below);
        if ticket.epoch != self.epoch {
            // Admitted before the last cut: the same congestion, already answered.
            return true;
        }
        if !self
            .share
            .rose(self.phase == Phase::Cubic && self.rate >= self.w_max)
        {
            // As many refused as before: not this client's rate (a quota shared with others,
            // random refusals). Retrying is the answer, not slowing down.
            self.stats.tolerated += 1;
            return false;
        }
        let allowed = if self.phase == Phase::Cubic {
            self.refill(now);
            // What was sent: the service refused more than that.
            self.meter.rate.min(self.rate)
        } else {
            // The first throttle: the calls the service let through in the last second say
            // what it allows; what was sent (unpaced: up to the concurrency limit per round
            // trip) can be many times that.
            let accepted = self.accepted_in_window(now) as f64 / ACCEPTED_WINDOW.as_secs_f64();
            self.accepted = VecDeque::new();
            // The service just refused: no burst from here.
            self.tokens = 0.0;
            self.last_refill = now;
            accepted
        };
        self.phase = Phase::Cubic;
        self.w_max = allowed;
        self.k = (self.w_max * (1.0 - self.config.beta) / self.config.scale).cbrt();
        self.last_throttle = now;
        self.epoch += 1;
        self.stats.decreases += 1;
        self.share.cut = true;
        self.set_rate(allowed * self.config.beta);
        true
    }

    /// Whether an answer counts toward the baseline share of throttles: admitted since the
    /// last cut, a settling time after it (the service's bucket refills from what was sent
    /// before), while the rate is below the rate that was cut.
    fn settled(&self, ticket: Ticket, now: Instant) -> bool {
        self.phase == Phase::Cubic
            && ticket.epoch == self.epoch
            && now.saturating_duration_since(self.last_throttle) >= SETTLING
            && self.rate < self.w_max
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

    /// Reports a throttled call; true when the service is refusing this client's rate (see
    /// [`PacerState::on_throttle`]).
    pub fn on_throttle(&self, ticket: Ticket) -> bool {
        self.with(|s| s.on_throttle(ticket, Instant::now()))
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

    /// Paced from the first call at 10/s (the slow-start variant).
    fn paced() -> PacerConfig {
        PacerConfig {
            initial_rate: Some(10.0),
            ..PacerConfig::default()
        }
    }

    /// `n` calls admitted and answered with success, evenly between `from` and `to` seconds.
    fn successes(p: &mut PacerState, t0: Instant, n: u32, from: f64, to: f64) {
        for i in 0..n {
            let t = at(t0, from + (to - from) * f64::from(i) / f64::from(n));
            let ticket = p.try_acquire(t).expect("admitted");
            p.on_success(ticket, t);
        }
    }

    #[test]
    fn unpaced_until_the_first_throttle() {
        let t0 = Instant::now();
        let mut p = PacerState::new(PacerConfig::default(), t0);
        // A thousand calls at the same instant, then a thousand successes: no waiting, no rate.
        let tickets: Vec<Ticket> = (0..1000).map(|_| p.try_acquire(t0).unwrap()).collect();
        for t in tickets {
            p.on_success(t, at(t0, 0.02));
        }
        assert_eq!(p.rate(), None);
        assert!(p.in_slow_start());
        let s = p.stats();
        assert_eq!((s.admitted, s.successes, s.rate), (1000, 1000, None));
    }

    #[test]
    fn the_first_throttle_cuts_once_to_what_the_service_let_through_in_the_last_second() {
        let t0 = Instant::now();
        let mut p = PacerState::new(PacerConfig::default(), t0);
        // 40 successes in the first half second (older than a second when the throttle comes),
        // then 25 between 1.0 s and 1.5 s.
        successes(&mut p, t0, 40, 0.0, 0.5);
        successes(&mut p, t0, 25, 1.0, 1.5);
        // 16 calls in flight, all admitted unpaced, all refused.
        let tickets: Vec<Ticket> = (0..16)
            .map(|_| p.try_acquire(at(t0, 1.5)).unwrap())
            .collect();
        for t in &tickets {
            p.on_throttle(*t, at(t0, 1.55));
        }
        let s = p.stats();
        assert_eq!((s.throttles, s.decreases), (16, 1), "{s:?}");
        assert!(!p.in_slow_start());
        let rate = p.rate().expect("paced after a throttle");
        assert!(
            (rate - 0.7 * 25.0).abs() < 1e-9,
            "0.7 x 25 accepted: {rate}"
        );
        // Paced now, with no burst: the next token comes at the new rate.
        let wait = p.try_acquire(at(t0, 1.55)).unwrap_err();
        assert_eq!(wait, Duration::from_secs_f64(1.0 / rate));
        assert!(p.try_acquire(at(t0, 1.55 + 0.9 / rate)).is_err());
        assert!(p.try_acquire(at(t0, 1.55 + 1.01 / rate)).is_ok());
    }

    #[test]
    fn throttles_before_any_success_fall_to_the_floor_then_climb_to_the_base_rate() {
        let t0 = Instant::now();
        let mut p = PacerState::new(PacerConfig::default(), t0);
        // One refusal is not enough to judge; sixteen in a row are.
        let tickets: Vec<Ticket> = (0..16).map(|_| p.try_acquire(t0).unwrap()).collect();
        p.on_throttle(tickets[0], at(t0, 0.05));
        assert_eq!(p.rate(), None);
        for t in &tickets[1..] {
            p.on_throttle(*t, at(t0, 0.05));
        }
        assert_eq!(p.rate(), Some(0.5));
        // The CUBIC curve from zero: 0.4 t^3, capped by what is sent but the base rate allowed.
        let ticket = p.try_acquire(at(t0, 2.05)).unwrap();
        p.on_success(ticket, at(t0, 2.05));
        let r2 = p.rate().unwrap();
        assert!((r2 - 0.4 * 8.0).abs() < 1e-9, "{r2}");
        let ticket = p.try_acquire(at(t0, 4.05)).unwrap();
        p.on_success(ticket, at(t0, 4.05));
        assert_eq!(p.rate(), Some(10.0));
    }

    #[test]
    fn a_burst_then_waits_at_the_rate() {
        let t0 = Instant::now();
        let mut p = PacerState::new(paced(), t0);
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
        let mut p = PacerState::new(paced(), t0);
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
        let rate = p.rate().unwrap();
        assert!(rate > 10.0, "it grew: {rate}");
        assert!(rate <= 2.0 * 20.0, "bounded by what was sent: {rate}");
    }

    #[test]
    fn an_idle_client_does_not_bank_rate() {
        let t0 = Instant::now();
        let mut p = PacerState::new(paced(), t0);
        // One call a second, a hundred successes: the rate stays at the base rate.
        for i in 0..100 {
            let ticket = p.try_acquire(at(t0, f64::from(i))).unwrap();
            p.on_success(ticket, at(t0, f64::from(i) + 0.05));
        }
        assert_eq!(p.rate(), Some(10.0));
    }

    #[test]
    fn a_throttle_cuts_once_per_congestion_event() {
        let t0 = Instant::now();
        let mut p = PacerState::new(PacerConfig::default(), t0);
        successes(&mut p, t0, 20, 0.0, 0.1);
        // Ten calls in flight, all admitted in the same epoch, all throttled.
        let tickets: Vec<Ticket> = (0..10)
            .map(|_| p.try_acquire(at(t0, 0.1)).unwrap())
            .collect();
        for t in &tickets {
            p.on_throttle(*t, at(t0, 0.15));
        }
        let stats = p.stats();
        assert_eq!((stats.throttles, stats.decreases), (10, 1));
        let cut = p.rate().unwrap();
        assert!((cut - 14.0).abs() < 1e-9, "0.7 x 20: {cut}");
        // A lone throttle of a call admitted after the cut, below the rate that was cut: too
        // little to tell the service's limit from its random refusals.
        let later = p.try_acquire(at(t0, 0.3)).expect("a token after the cut");
        p.on_throttle(later, at(t0, 0.35));
        assert_eq!(p.stats().decreases, 1);
        // Back above the rate that was cut, a throttle is a new event: cut again, by beta of
        // what was sent.
        p.meter.rate = 100.0;
        p.on_success(Ticket { epoch: p.epoch }, at(t0, 0.15 + p.k + 1.0));
        let above = p.rate().unwrap();
        assert!(above > 20.0, "{above}");
        p.on_throttle(Ticket { epoch: p.epoch }, at(t0, 0.15 + p.k + 1.05));
        assert_eq!(p.stats().decreases, 2);
        let again = p.rate().unwrap();
        assert!(again <= above * 0.7 + 1e-9, "{above} -> {again}");
    }

    #[test]
    fn after_a_throttle_the_rate_climbs_back_along_the_cubic() {
        let t0 = Instant::now();
        let mut p = PacerState::new(PacerConfig::default(), t0);
        successes(&mut p, t0, 20, 0.0, 0.5);
        // Ten calls in flight throttled after twenty answered: the newer half of the window
        // is two thirds refused, the older none, more than chance gives two halves of fifteen.
        let tickets: Vec<Ticket> = (0..10)
            .map(|_| p.try_acquire(at(t0, 0.5)).unwrap())
            .collect();
        for t in tickets {
            p.on_throttle(t, at(t0, 0.5));
        }
        assert_eq!(p.stats().decreases, 1);
        let w_max = p.w_max;
        assert_eq!(w_max, 20.0);
        let low = p.rate().unwrap();
        assert!((low - 0.7 * w_max).abs() < 1e-9);
        // Keep the meter busy so the "twice what is sent" ceiling does not bind.
        p.meter.rate = 100.0;
        let rate_at = |p: &mut PacerState, s: f64| {
            p.on_success(Ticket { epoch: p.epoch }, at(t0, 0.5 + s));
            p.rate().unwrap()
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
            initial_rate: Some(1.0),
            min_rate: 0.5,
            max_rate: 3.0,
            ..PacerConfig::default()
        };
        let mut p = PacerState::new(cfg, t0);
        for i in 0..20 {
            let ticket = Ticket { epoch: p.epoch };
            p.on_throttle(ticket, at(t0, f64::from(i)));
        }
        assert_eq!(p.rate(), Some(0.5));
        p.meter.rate = 1000.0;
        for i in 0..200 {
            p.on_success(Ticket { epoch: p.epoch }, at(t0, 30.0 + f64::from(i)));
        }
        assert_eq!(p.rate(), Some(3.0));
    }

    #[test]
    fn random_throttles_at_a_steady_share_do_not_cut_a_rising_share_does() {
        let t0 = Instant::now();
        let mut p = PacerState::new(paced(), t0);
        let mut rng = fastrand::Rng::with_seed(3);
        // 2000 answers, half throttled at random, a new epoch each time (the worst case: every
        // throttle may cut).
        for i in 0..2000 {
            let t = at(t0, f64::from(i) * 0.01);
            let ticket = Ticket { epoch: p.epoch };
            if rng.bool() {
                p.on_throttle(ticket, t);
            } else {
                p.on_success(ticket, t);
            }
        }
        let s = p.stats();
        assert!(s.decreases <= 1, "{s:?}");
        assert!(s.tolerated > 900, "{s:?}");
        // Then everything is refused: the share rises, the pacer cuts.
        for i in 0..32 {
            p.on_throttle(
                Ticket { epoch: p.epoch },
                at(t0, 20.0 + f64::from(i) * 0.01),
            );
        }
        assert!(p.stats().decreases > s.decreases, "{:?}", p.stats());
    }
}
