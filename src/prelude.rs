//! The names most programs need, in one import:
//! `use arithgrad::prelude::*;`.
//!
//! The tape and its handles, tensors, the error type, the expression API,
//! the optimizers (with the [`Optimizer`] trait, so `step` and `update` are
//! callable) and the seeded random-number generator.

pub use crate::error::{Error, Result};
pub use crate::expr::{Expr, Graph};
pub use crate::optim::{
    Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, RmsProp, RmsPropConfig, Sgd, SgdConfig,
};
pub use crate::random::Rng;
pub use crate::tape::{ParamId, ParamStore, Tape, Var};
pub use crate::tensor::{Element, Shape, Tensor};
