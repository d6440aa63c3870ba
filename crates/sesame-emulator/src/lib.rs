//! A local IAM Identity Center for tests, demos and benchmarks.
