//! Caches shared with the AWS CLI v2.
