//! Layer 4: optimizers.
