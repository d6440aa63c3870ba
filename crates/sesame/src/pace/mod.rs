//! Paced, retried calls to AWS services, one adaptive rate per endpoint: what the Identity
//! Center listing, the role-credential fan-out of `sesame run` and `sesame admin` all go through.
//!
//! - [`Pacer`] (and its pure state machine [`PacerState`]): the SDKs' adaptive client rate
//!   limiter, unpaced until the first throttle (or paced from [`PacerConfig::initial_rate`]),
//!   then CUBIC.
//! - [`Pacing`]: a pacer, a shared [`RetryBudget`] and a [`RetryPolicy`]; [`Pacing::call`] runs
//!   one call paced and retried, for any error type that says what kind of failure it is
//!   ([`Classify`]: a throttle, worth another try, or final).

mod pacer;
mod retry;

pub use pacer::{Pacer, PacerConfig, PacerState, PacerStats, Ticket};
pub use retry::{
    CallError, CallStats, Classify, Deadline, DeadlinePassed, Failure, Pacing, RetryBudget,
    RetryPolicy,
};
