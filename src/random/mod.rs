//! Layer 1: random numbers with a stream that is fixed forever.
//!
//! Reproducibility across machines and crate versions needs a generator
//! whose output is specified, not "whatever `rand`'s `SmallRng` is today".
//! [`Rng`] is xoshiro256++ (Blackman & Vigna, 2019) seeded through
//! SplitMix64; [`LaneRng`] is sixteen independent xoshiro128++ streams
//! advanced in lock-step, written so the compiler turns each step into a few
//! vector instructions — it fills large buffers of uniforms (the training
//! batches) several times faster than drawing one number at a time
//! (`cargo run --release --example kernel_timing -- rng` measures it).
//!
//! Both implement `rand::RngCore`, so `rand`'s distributions work with them.
//!
//! ```
//! use arithgrad::random::Rng;
//! let mut a = Rng::seed_from_u64(7);
//! let mut b = Rng::seed_from_u64(7);
//! assert_eq!(a.next_u64(), b.next_u64());
//! let x = a.uniform(1.0, 2.0);
//! assert!((1.0..2.0).contains(&x));
//! ```

mod lanes;
mod scalar;

pub use lanes::LaneRng;
pub use scalar::{splitmix64, Rng};

/// `2^-24`: maps the top 24 bits of a `u32` onto `[0, 1)` exactly in `f32`.
pub(crate) const F32_UNIT: f32 = 1.0 / (1u32 << 24) as f32;
/// `2^-53`: maps the top 53 bits of a `u64` onto `[0, 1)` exactly in `f64`.
pub(crate) const F64_UNIT: f64 = 1.0 / (1u64 << 53) as f64;
