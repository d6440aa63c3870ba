//! The AWS shared config and credentials files.
