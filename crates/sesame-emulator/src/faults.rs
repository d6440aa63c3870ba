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

/// The throttle and the seeded dice of one emulator.
#[derive(Debug)]
pub(crate) struct Faults {
    bucket: Option<Mutex<Bucket>>,
    rng: Mutex<fastrand::Rng>,
    drop: f64,
    too_many: f64,
    internal: f64,
}

impl Faults {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let bucket = config.tps.filter(|t| t.is_finite()).map(|rate| {
            let rate = rate.max(0.0);
            let capacity = rate.max(1.0);
            Mutex::new(Bucket {
                rate,
                capacity,
                tokens: capacity,
                last: Instant::now(),
            })
        });
        let p = |x: f64| {
            if x.is_finite() {
                x.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        Self {
            bucket,
            rng: Mutex::new(fastrand::Rng::with_seed(config.seed)),
            drop: p(config.fault_drop),
            too_many: p(config.fault_429),
            internal: p(config.fault_500),
        }
    }

    /// Takes one token from the bucket; false means the call is throttled.
    pub(crate) fn admit(&self) -> bool {
        let Some(bucket) = &self.bucket else {
            return true;
        };
        let mut b = bucket.lock().unwrap_or_else(|e| e.into_inner());
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

    /// Rolls the dice once for a call: drop, 429, 500 or nothing.
    pub(crate) fn roll(&self) -> Option<Fault> {
        if self.drop == 0.0 && self.too_many == 0.0 && self.internal == 0.0 {
            return None;
        }
        let r = self.rng.lock().unwrap_or_else(|e| e.into_inner()).f64();
        if r < self.drop {
            Some(Fault::Drop)
        } else if r < self.drop + self.too_many {
            Some(Fault::TooManyRequests)
        } else if r < self.drop + self.too_many + self.internal {
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
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
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
    fn the_bucket_admits_a_burst_then_throttles() {
        let f = Faults::new(&EmulatorConfig {
            tps: Some(5.0),
            ..EmulatorConfig::default()
        });
        let admitted = (0..20).filter(|_| f.admit()).count();
        assert!((5..=6).contains(&admitted), "{admitted}");
    }
}
