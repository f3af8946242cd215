//! Layer 3: gradient checks.
