//! One training run: the per-step protocol of docs/protocol.md, section 3 and the
//! periodic evaluation on the fixed validation and test sets.

use crate::error::Result;
use crate::optim::{Adam, AdamConfig, Optimizer};
use crate::random::LaneRng;
use crate::tape::Tape;
use crate::task::{Dataset, Task};
use crate::tensor::{Element, Shape};
use crate::units::Model;

use super::RunConfig;

/// Rows evaluated per forward pass: keeps the evaluation tape small and in
/// cache whatever the size of the fixed sets.
const EVAL_CHUNK_ROWS: usize = 1000;

/// The state of one run: model, optimizer, tape and batch buffers, all
/// allocated once, so [`Trainer::step`] allocates nothing.
pub struct Trainer<T: Element> {
    config: RunConfig,
    task: Task,
    model: Model<T>,
    adam: Adam<T>,
    tape: Tape<T>,
    eval_tape: Tape<T>,
    batch_rng: LaneRng,
    targets: Vec<T>,
    steps_done: u64,
    diverged: bool,
}

impl<T: Element> Trainer<T> {
    /// A run of `config` with `seed`: the task's positions and batch stream
    /// and the model's initial weights all derive from the seed.
    pub fn new(config: &RunConfig, seed: u64) -> Result<Self> {
        config.validate()?;
        let task = Task::new(config.task.clone(), seed)?;
        let model = Model::from_seed(config.model, seed)?;
        let adam = Adam::new(AdamConfig {
            lr: config.learning_rate,
            ..AdamConfig::default()
        })?;
        Ok(Trainer {
            batch_rng: task.batch_rng(),
            config: config.clone(),
            task,
            model,
            adam,
            tape: Tape::new(),
            eval_tape: Tape::new(),
            targets: vec![T::zero(); config.batch_size],
            steps_done: 0,
            diverged: false,
        })
    }

    /// The model being trained.
    pub fn model(&self) -> &Model<T> {
        &self.model
    }

    /// The model, mutable (e.g. to restore a checkpoint's weights).
    pub fn model_mut(&mut self) -> &mut Model<T> {
        &mut self.model
    }

    /// The task of this run (positions, fixed sets).
    pub fn task(&self) -> &Task {
        &self.task
    }

    /// Iterations done so far.
    pub fn steps_done(&self) -> u64 {
        self.steps_done
    }

    /// Whether a step so far produced a non-finite gradient or left a
    /// non-finite parameter: the reference's notion of a diverged run. A
    /// loss value that overflows on its own (an `f32` squared error above
    /// `f32::MAX` while the gradient stays finite) does not count: PyTorch
    /// trains on through it, and so does this trainer.
    pub fn diverged(&self) -> bool {
        self.diverged
    }

    /// The mean gate of each layer (`None` for layers without one) on the
    /// training batch the next [`Trainer::step`] will draw, with the
    /// current weights: the quantity the reference logs for the gating
    /// experiment at an evaluation step (its training forward pass of that
    /// iteration). Draws from a copy of the batch stream, so training is
    /// unchanged.
    pub fn training_gate_means(&self) -> Result<[Option<f64>; 2]> {
        if !self.model.spec().layer1.has_gate() && !self.model.spec().layer2.has_gate() {
            return Ok([None, None]);
        }
        let (b, n) = (self.config.batch_size, self.task.input_size());
        let mut rng = self.batch_rng.clone();
        let mut x = vec![T::zero(); b * n];
        let mut targets = vec![T::zero(); b];
        self.task.fill_batch(&mut rng, &mut x, &mut targets)?;
        let x = crate::tensor::Tensor::from_vec(Shape::matrix(b, n), x)?;
        self.model.gate_means(&x)
    }

    /// One training step at iteration `t = steps_done()`: a fresh batch,
    /// forward, `MSE + lambda(t) * R`, backward, Adam, projection. Returns
    /// the loss (NaN or infinite if the run has diverged or the loss value
    /// alone overflowed; neither is an error). A non-finite gradient or
    /// parameter sets [`Trainer::diverged`].
    pub fn step(&mut self) -> Result<T> {
        let t = self.steps_done;
        let (b, n) = (self.config.batch_size, self.task.input_size());
        let tape = &mut self.tape;
        tape.reset();
        // The batch is drawn straight into the tape (no copy of 12,800 inputs).
        let (task, rng, targets) = (&self.task, &mut self.batch_rng, &mut self.targets);
        let mut filled = Ok(());
        let x = tape.constant_with(Shape::matrix(b, n), |xs| {
            filled = task.fill_batch(rng, xs, targets);
        });
        filled?;
        let target = tape.constant_slice(Shape::matrix(b, 1), &self.targets)?;
        let weights = self.model.record_weights(tape)?;
        let y = self.model.forward(tape, &weights, x)?;
        let diff = tape.sub(y, target)?;
        let sq = tape.square(diff)?;
        let mut loss = tape.mean(sq)?;
        let lambda = self.config.regularizer.lambda(t);
        if lambda > 0.0 {
            if let Some(r) = self.model.regularizer(tape, &weights)? {
                let scaled = tape.mul_scalar(r, T::from_f64_lossy(lambda))?;
                loss = tape.add(loss, scaled)?;
            }
        }
        tape.backward(loss)?;
        let params = self.model.params_mut();
        params.zero_grad();
        tape.accumulate_grads(params)?;
        let grads_finite = params.grads().iter().all(|g| g.is_finite());
        self.adam.step(params)?;
        self.model.project()?;
        let values_finite = self.model.params().values().iter().all(|w| w.is_finite());
        self.diverged |= !(grads_finite && values_finite);
        self.steps_done += 1;
        tape.item(loss)
    }

    /// The mean squared error of the model on a fixed set, accumulated in
    /// `f64` (each residual is widened before it is squared and summed, so
    /// errors down to about 1e-12 relative to the targets stay meaningful
    /// even when training in `f32`).
    pub fn evaluate(&mut self, data: &Dataset<T>) -> Result<f64> {
        let n = data.cols;
        let mut sum = 0.0f64;
        let mut start = 0;
        while start < data.rows {
            let rows = EVAL_CHUNK_ROWS.min(data.rows - start);
            let tape = &mut self.eval_tape;
            tape.reset();
            let x = tape.constant_slice(
                Shape::matrix(rows, n),
                &data.x[start * n..(start + rows) * n],
            )?;
            let weights = self.model.record_weights(tape)?;
            let y = self.model.forward(tape, &weights, x)?;
            let chunk: f64 = tape
                .value(y)?
                .iter()
                .zip(&data.targets[start..start + rows])
                .map(|(&y, &t)| {
                    let d = y.to_f64_lossy() - t.to_f64_lossy();
                    d * d
                })
                .sum();
            sum += chunk;
            start += rows;
        }
        Ok(sum / data.rows as f64)
    }
}
