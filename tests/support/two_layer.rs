//! A tiny 100 -> 2 -> 1 linear network trained with Adam on batches of 128,
//! shared by the allocation test (`tests/alloc.rs`) and the training-step
//! benchmark (`benches/train_step.rs`) so both measure the same loop.
//!
//! Everything a step needs (tape arena, batch buffers, optimizer state) is
//! owned by [`TwoLayer`] and reused, so after the first step a step should
//! not touch the heap at all.

use arithgrad::optim::{Adam, AdamConfig, Optimizer};
use arithgrad::random::{LaneRng, Rng};
use arithgrad::{ParamId, ParamStore, Result, Shape, Tape, Tensor};

pub const INPUTS: usize = 100;
pub const HIDDEN: usize = 2;
pub const BATCH: usize = 128;

/// Model, optimizer, tape and batch buffers of the training loop.
pub struct TwoLayer {
    params: ParamStore<f32>,
    w1: ParamId,
    w2: ParamId,
    adam: Adam<f32>,
    tape: Tape<f32>,
    data: LaneRng,
    x: Vec<f32>,
    y: Vec<f32>,
}

impl TwoLayer {
    /// A seeded model with small random weights.
    pub fn new(seed: u64) -> Result<TwoLayer> {
        let mut init = Rng::stream(seed, 0);
        let mut params = ParamStore::new();
        let w1 = params.add(
            "w1",
            Tensor::from_fn(Shape::matrix(HIDDEN, INPUTS), |_| {
                init.uniform(-0.1, 0.1) as f32
            }),
        )?;
        let w2 = params.add(
            "w2",
            Tensor::from_fn(Shape::matrix(1, HIDDEN), |_| init.uniform(-0.5, 0.5) as f32),
        )?;
        let adam = Adam::new(AdamConfig {
            lr: 1e-2,
            ..AdamConfig::default()
        })?;
        Ok(TwoLayer {
            params,
            w1,
            w2,
            adam,
            tape: Tape::new(),
            data: LaneRng::stream(seed, 1),
            x: vec![0.0; BATCH * INPUTS],
            y: vec![0.0; BATCH],
        })
    }

    /// Refills the preallocated batch: inputs uniform in [0, 1), target the
    /// sum of the first ten inputs (so the network has something to learn).
    fn refill_batch(&mut self) {
        self.data.fill_uniform_f32(&mut self.x, 0.0, 1.0);
        for (row, y) in self.x.chunks_exact(INPUTS).zip(self.y.iter_mut()) {
            *y = row[..10].iter().sum();
        }
    }

    /// One training step: new batch, forward, backward, Adam. Returns the
    /// batch's loss (before the update).
    pub fn step(&mut self) -> Result<f32> {
        self.refill_batch();
        let t = &mut self.tape;
        t.reset();
        let x = t.constant_slice(Shape::matrix(BATCH, INPUTS), &self.x)?;
        let y = t.constant_slice(Shape::matrix(BATCH, 1), &self.y)?;
        let w1 = t.param(&self.params, self.w1)?;
        let w2 = t.param(&self.params, self.w2)?;
        let h = t.matmul_nt(x, w1)?; // [B, 100] · [2, 100]ᵀ = [B, 2]
        let out = t.matmul_nt(h, w2)?; // [B, 2] · [1, 2]ᵀ = [B, 1]
        let err = t.sub(out, y)?;
        let sq = t.square(err)?;
        let loss = t.mean(sq)?;
        t.backward(loss)?;
        self.params.zero_grad();
        t.accumulate_grads(&mut self.params)?;
        self.adam.step(&mut self.params)?;
        t.item(loss)
    }
}
