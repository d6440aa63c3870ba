//! Latency, throttling and fault injection in front of the OIDC and portal APIs.
//!
//! The control endpoints and the HTML pages are routed around this layer, so a test can always
//! read stats or approve a code however hostile the configuration.

use std::{
    sync::{Arc, Mutex},
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    config::EmulatorConfig,
    errors::{OidcError, OidcErrorKind, PortalError, PortalErrorKind},
    server::Connection,
    state::Shared,
    stats::Counter,
};

/// Which API a route belongs to, so injected errors take that API's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Oidc,
    Portal,
}

/// A fault chosen for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Drop,
    TooManyRequests,
    InternalServer,
}

/// A token bucket refilled at `rate` per second, holding at most `capacity` (one second's worth).
#[derive(Debug)]
struct Bucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(tps: Option<f64>) -> Option<Self> {
        tps.filter(|t| t.is_finite()).map(|rate| {
            let rate = rate.max(0.0);
            let capacity = rate.max(1.0);
            Bucket {
                rate,
                capacity,
                tokens: capacity,
                last: Instant::now(),
            }
        })
    }
}

/// The throttle and fault rates, settable while the emulator runs
/// ([`crate::Control::set_faults`], `POST /_emulator/faults`).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSettings {
    /// Requests per second past which calls answer 429 (`None`: unlimited).
    pub tps: Option<f64>,
    /// Probability of a 429 TooManyRequestsException.
    #[serde(default, rename = "fault429")]
    pub fault_429: f64,
    /// Probability of a 500 InternalServerException.
    #[serde(default, rename = "fault500")]
    pub fault_500: f64,
    /// Probability of a connection closed without an answer.
    #[serde(default)]
    pub fault_drop: f64,
    /// A deterministic schedule on top of the probabilities: when `n` > 0, the `n`th, `2n`th,
    /// `3n`th... call admitted since these settings were set answers 429 (0: never). A test
    /// that needs a fault to happen, and only a few times, uses this rather than luck.
    #[serde(default, rename = "every429")]
    pub every_429: u32,
    /// The same schedule for 500 InternalServerException.
    #[serde(default, rename = "every500")]
    pub every_500: u32,
    /// The same schedule for dropped connections. Where schedules meet, a drop wins over a 429,
    /// and a 429 over a 500.
    #[serde(default)]
    pub every_drop: u32,
    /// Milliseconds every API call waits before it is answered, replacing the configured
    /// latency (`None`: the configured one).
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

impl FaultSettings {
    /// The settings an [`EmulatorConfig`] starts with.
    pub fn of(config: &EmulatorConfig) -> Self {
        Self {
            tps: config.tps,
            fault_429: config.fault_429,
            fault_500: config.fault_500,
            fault_drop: config.fault_drop,
            ..Self::default()
        }
    }
}

#[derive(Debug)]
struct Dice {
    bucket: Option<Bucket>,
    drop: f64,
    too_many: f64,
    internal: f64,
    /// The schedules (drop, 429, 500), and the calls rolled since the settings were set.
    every: [u32; 3],
    rolled: u64,
    latency: Option<std::time::Duration>,
}

impl Dice {
    fn new(settings: &FaultSettings) -> Self {
        let p = |x: f64| {
            if x.is_finite() {
                x.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        Self {
            bucket: Bucket::new(settings.tps),
            drop: p(settings.fault_drop),
            too_many: p(settings.fault_429),
            internal: p(settings.fault_500),
            every: [settings.every_drop, settings.every_429, settings.every_500],
            rolled: 0,
            latency: settings.latency_ms.map(std::time::Duration::from_millis),
        }
    }
}

/// The throttle and the seeded dice of one emulator.
#[derive(Debug)]
pub(crate) struct Faults {
    dice: Mutex<Dice>,
    rng: Mutex<fastrand::Rng>,
}

impl Faults {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        Self {
            dice: Mutex::new(Dice::new(&FaultSettings::of(config))),
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
        }
    }

    /// Replaces the throttle (a full bucket) and the fault rates; the seeded dice go on.
    pub(crate) fn set(&self, settings: &FaultSettings) {
        *self.dice.lock().unwrap_or_else(|e| e.into_inner()) = Dice::new(settings);
    }

    /// The latency set at run time, if any.
    pub(crate) fn latency(&self) -> Option<std::time::Duration> {
        self.dice.lock().unwrap_or_else(|e| e.into_inner()).latency
    }

    /// Takes one token from the bucket; false means the call is throttled.
    pub(crate) fn admit(&self) -> bool {
        let mut dice = self.dice.lock().unwrap_or_else(|e| e.into_inner());
        let Some(b) = &mut dice.bucket else {
            return true;
        };
        let now = Instant::now();
        let elapsed = now.duration_since(b.last).as_secs_f64();
        b.last = now;
        b.tokens = (b.tokens + elapsed * b.rate).min(b.capacity);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Rolls the dice once for a call: drop, 429, 500 or nothing (the schedule first).
    pub(crate) fn roll(&self) -> Option<Fault> {
        let (drop, too_many, internal) = {
            let mut d = self.dice.lock().unwrap_or_else(|e| e.into_inner());
            d.rolled += 1;
            let kinds = [Fault::Drop, Fault::TooManyRequests, Fault::InternalServer];
            let scheduled = d.every.iter().zip(kinds).find(|(every, _)| {
                let every = u64::from(**every);
                every > 0 && d.rolled.is_multiple_of(every)
            });
            if let Some((_, fault)) = scheduled {
                return Some(fault);
            }
            (d.drop, d.too_many, d.internal)
        };
        if drop == 0.0 && too_many == 0.0 && internal == 0.0 {
            return None;
        }
        let r = self.rng.lock().unwrap_or_else(|e| e.into_inner()).f64();
        if r < drop {
            Some(Fault::Drop)
        } else if r < drop + too_many {
            Some(Fault::TooManyRequests)
        } else if r < drop + too_many + internal {
            Some(Fault::InternalServer)
        } else {
            None
        }
    }
}

/// The operation name of an API request, as counted in [`crate::Stats::requests`].
pub(crate) fn operation(method: &Method, path: &str) -> &'static str {
    match (method, path) {
        (&Method::POST, "/client/register") => "RegisterClient",
        (&Method::POST, "/device_authorization") => "StartDeviceAuthorization",
        (&Method::POST, "/token") => "CreateToken",
        (&Method::GET, "/assignment/accounts") => "ListAccounts",
        (&Method::GET, "/assignment/roles") => "ListAccountRoles",
        (&Method::GET, "/federation/credentials") => "GetRoleCredentials",
        (&Method::POST, "/logout") => "Logout",
        (&Method::GET, "/federation") => "Federation",
        (&Method::POST, "/v1/token") => "CreateOAuth2Token",
        _ => "Unknown",
    }
}

/// Middleware of the API routes: count, wait `latency`, throttle, then maybe inject a fault.
pub(crate) async fn api_layer(
    State((shared, api)): State<(Arc<Shared>, Api)>,
    request: Request,
    next: Next,
) -> Response {
    shared
        .stats
        .request(operation(request.method(), request.uri().path()));
    let latency = shared.faults.latency().unwrap_or(shared.config.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !shared.faults.admit() {
        shared.stats.bump(Counter::Throttled);
        return too_many_requests(api);
    }
    match shared.faults.roll() {
        None => next.run(request).await,
        Some(Fault::TooManyRequests) => {
            shared.stats.bump(Counter::Faults429);
            too_many_requests(api)
        }
        Some(Fault::InternalServer) => {
            shared.stats.bump(Counter::Faults500);
            internal_error(api)
        }
        Some(Fault::Drop) => {
            shared.stats.bump(Counter::FaultsDropped);
            if let Some(ConnectInfo(conn)) = request.extensions().get::<ConnectInfo<Connection>>() {
                conn.drop_without_answer();
            }
            // Never reaches the client when served by `start`: its connection is closed.
            internal_error(api)
        }
    }
}

fn too_many_requests(api: Api) -> Response {
    match api {
        Api::Oidc => {
            OidcError::new(OidcErrorKind::TooManyRequests, "Rate exceeded").into_response()
        }
        Api::Portal => {
            PortalError::new(PortalErrorKind::TooManyRequests, "Too many requests").into_response()
        }
    }
}

fn internal_error(api: Api) -> Response {
    const MESSAGE: &str = "An internal error occurred (injected by sesame-emulator)";
    match api {
        Api::Oidc => OidcError::new(OidcErrorKind::InternalServer, MESSAGE).into_response(),
        Api::Portal => PortalError::new(PortalErrorKind::InternalServer, MESSAGE).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(drop: f64, too_many: f64, internal: f64, seed: u64) -> Faults {
        Faults::new(&EmulatorConfig {
            fault_drop: drop,
            fault_429: too_many,
            fault_500: internal,
            seed,
            ..EmulatorConfig::default()
        })
    }

    #[test]
    fn rates_follow_the_probabilities() {
        let f = faults(0.1, 0.2, 0.3, 7);
        let mut counts = [0usize; 4];
        for _ in 0..20_000 {
            let i = match f.roll() {
                Some(Fault::Drop) => 0,
                Some(Fault::TooManyRequests) => 1,
                Some(Fault::InternalServer) => 2,
                None => 3,
            };
            counts[i] += 1;
        }
        let rate = |n: usize| n as f64 / 20_000.0;
        assert!((rate(counts[0]) - 0.1).abs() < 0.02, "{counts:?}");
        assert!((rate(counts[1]) - 0.2).abs() < 0.02, "{counts:?}");
        assert!((rate(counts[2]) - 0.3).abs() < 0.02, "{counts:?}");
        assert!((rate(counts[3]) - 0.4).abs() < 0.02, "{counts:?}");
    }

    #[test]
    fn the_seed_replays_the_same_faults() {
        let a = faults(0.3, 0.3, 0.3, 42);
        let b = faults(0.3, 0.3, 0.3, 42);
        let ra: Vec<_> = (0..100).map(|_| a.roll()).collect();
        let rb: Vec<_> = (0..100).map(|_| b.roll()).collect();
        assert_eq!(ra, rb);
        assert_eq!(faults(0.0, 0.0, 0.0, 1).roll(), None);
    }

    #[test]
    fn schedules_fail_every_nth_call() {
        let f = faults(0.0, 0.0, 0.0, 5);
        f.set(&FaultSettings {
            every_429: 3,
            every_500: 4,
            every_drop: 6,
            ..FaultSettings::default()
        });
        let rolls: Vec<_> = (0..13).map(|_| f.roll()).collect();
        use Fault::*;
        let (t, i, d) = (Some(TooManyRequests), Some(InternalServer), Some(Drop));
        assert_eq!(
            rolls,
            [None, None, t, i, None, d, None, i, t, None, None, d, None]
        );
        // New settings start the count again.
        f.set(&FaultSettings {
            every_500: 1,
            ..FaultSettings::default()
        });
        assert_eq!(f.roll(), i);
        let parsed: FaultSettings =
            serde_json::from_str(r#"{"every429": 7, "every500": 2, "everyDrop": 5}"#).unwrap();
        assert_eq!(
            (parsed.every_429, parsed.every_500, parsed.every_drop),
            (7, 2, 5)
        );
    }

    #[test]
    fn the_bucket_admits_a_burst_then_throttles() {
        let f = Faults::new(&EmulatorConfig {
            tps: Some(5.0),
            ..EmulatorConfig::default()
        });
        let admitted = (0..20).filter(|_| f.admit()).count();
        assert!((5..=6).contains(&admitted), "{admitted}");
    }

    #[test]
    fn settings_change_while_running() {
        let f = faults(0.0, 0.0, 0.0, 3);
        assert!((0..100).all(|_| f.admit() && f.roll().is_none()));
        f.set(&FaultSettings {
            tps: Some(2.0),
            fault_429: 1.0,
            ..FaultSettings::default()
        });
        assert_eq!((0..10).filter(|_| f.admit()).count(), 2);
        assert_eq!(f.roll(), Some(Fault::TooManyRequests));
        f.set(&FaultSettings::default());
        assert!(f.admit() && f.roll().is_none());
        let parsed: FaultSettings =
            serde_json::from_str(r#"{"tps": 20, "fault429": 0.1, "faultDrop": 0.05}"#).unwrap();
        assert_eq!(
            parsed,
            FaultSettings {
                tps: Some(20.0),
                fault_429: 0.1,
                fault_500: 0.0,
                fault_drop: 0.05,
                ..FaultSettings::default()
            }
        );
    }
}
