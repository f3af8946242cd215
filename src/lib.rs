//! # arithgrad
//!
//! A from-scratch, tape-based reverse-mode automatic-differentiation engine
//! with its own optimizers, and the neural arithmetic units built on it.
//!
//! The crate is layered; each layer only uses the ones before it:
//!
//! 1. [`tensor`]: dense row-major storage and numeric kernels; [`random`]: a
//!    portable random-number generator with a fixed stream.
//! 2. [`tape`] and [`ops`]: the Wengert list and the differentiable operations;
//!    [`expr`]: the same operations as operators (`a * b + 1.0`).
//! 3. [`check`]: finite-difference and directional gradient checks.
//! 4. [`optim`]: optimizers, gradient clipping, schedules.
//! 5. [`units`]: the neural arithmetic units, their baselines and the
//!    two-layer models built from them.
//! 6. [`task`]: the arithmetic task and its success threshold;
//!    [`experiment`]: training runs, the success criterion, presets and
//!    sweeps; [`stats`]: interval estimates over seeds; [`report`]: the
//!    summary table as Markdown, CSV, LaTeX and JSON lines; `store` (with
//!    the `store` feature, on by default): results directories that many
//!    processes write at once; `plot` (feature `plot`, on with `cli`): the
//!    paper's figures as SVG.
//! 7. `cli` (with the default `cli` feature): the command line.
//!
//! ## The library in one screen
//!
//! ```
//! use arithgrad::prelude::*;
//!
//! // Micrograd's neuron: operators record on a tape; one sweep gives every gradient.
//! let graph = Graph::<f64>::new();
//! let (x, w, b) = (graph.scalar(2.0), graph.scalar(-3.0), graph.scalar(6.8814));
//! let o = (x * w + b).tanh();
//! o.backward()?;
//! println!("o = {:.4}, do/dw = {:.4}", o.item()?, w.grad_item()?);
//!
//! // Micrograd's "more ops" expression, line for line.
//! let graph = Graph::<f64>::new();
//! let (a, b) = (graph.scalar(-4.0), graph.scalar(2.0));
//! let mut c = a + b;
//! let mut d = a * b + b.powf(3.0);
//! c += c + 1.0;
//! c += 1.0 + c + (-a);
//! d += d * 2.0 + (b + a).relu();
//! d += 3.0 * d + (b - a).relu();
//! let e = c - d;
//! let f = e.powf(2.0);
//! let mut g = f / 2.0;
//! g += 10.0 / f;
//! g.backward()?;
//! let printed = format!("{:.4} {:.4} {:.4}", g.item()?, a.grad_item()?, b.grad_item()?);
//! assert_eq!(printed, "24.7041 138.8338 645.5773"); // g, dg/da, dg/db as in micrograd
//!
//! // A training loop: data, model, loss, optimizer. Fits y = 3x - 1.
//! let mut rng = Rng::seed_from_u64(0);
//! let xs: Vec<f64> = (0..64).map(|_| rng.uniform(-1.0, 1.0)).collect();
//! let ys: Vec<f64> = xs.iter().map(|x| 3.0 * x - 1.0).collect();
//! let mut params = ParamStore::new();
//! let w = params.add("w", Tensor::zeros(Shape::matrix(1, 1)))?;
//! let b = params.add("b", Tensor::zeros(Shape::matrix(1, 1)))?;
//! let mut adam = Adam::new(AdamConfig { lr: 0.1, ..AdamConfig::default() })?;
//! let mut graph = Graph::new();
//! for _ in 0..300 {
//!     graph.reset(); // forget last step's values, keep the memory
//!     let x = graph.constant_slice(Shape::matrix(64, 1), &xs);
//!     let y = graph.constant_slice(Shape::matrix(64, 1), &ys);
//!     let bias = graph.param(&params, b).broadcast_to(Shape::matrix(64, 1));
//!     let loss = (x.matmul(graph.param(&params, w)) + bias).mse(y);
//!     loss.backward()?;
//!     adam.update(&graph.tape(), &mut params)?; // gradients in, one step
//! }
//! let (w, b) = (params.value(w)?[0], params.value(b)?[0]);
//! assert!((w - 3.0).abs() < 1e-3 && (b + 1.0).abs() < 1e-3);
//! # Ok::<(), arithgrad::Error>(())
//! ```

pub mod check;
mod compat;
mod error;
pub mod experiment;
pub mod expr;
pub mod ops;
pub mod optim;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod random;
pub mod report;
mod simd;
pub mod stats;
#[cfg(feature = "store")]
pub mod store;
pub mod tape;
pub mod task;
pub mod tensor;
pub mod units;

pub use compat::Compat;
pub use error::{Error, Phase, Result};
pub use tape::{ParamId, ParamStore, Tape, Var};
pub use tensor::{Element, Shape, Tensor};

#[cfg(feature = "cli")]
pub mod cli;
