//! Error assertions shared by the integration tests: an error test states
//! the variant and its fields, not only that some error came back.

use arithgrad::{Error, Result};

/// The `name` and `reason` of an [`Error::InvalidArgument`]; panics (at the
/// caller) on `Ok` or on any other variant.
#[track_caller]
pub fn invalid<T>(r: Result<T>) -> (&'static str, String) {
    match r {
        Err(Error::InvalidArgument { name, reason }) => (name, reason),
        Err(e) => panic!("expected Error::InvalidArgument, got {e:?}"),
        Ok(_) => panic!("expected Error::InvalidArgument, got Ok"),
    }
}
