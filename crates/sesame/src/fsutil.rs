//! Atomic writes and cross-process locks.
