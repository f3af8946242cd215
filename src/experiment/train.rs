//! One training run: the per-step protocol of docs/protocol.md, section 3 and the
//! periodic evaluation on the fixed validation and test sets.

use crate::error::Result;
use crate::optim::{Adam, AdamConfig, Optimizer};
use crate::random::{LaneRng, Rng};
use crate::tape::Tape;
use crate::task::{Dataset, Task};
use crate::tensor::{Element, Shape};
use crate::units::{LossHistory, Model, TrainContext, WatchedLoss};

use super::evaluate::{mse_in_chunks, EvalSet};
use super::RunConfig;

/// The stream of the run's seed that training-time noise is drawn from
/// ([`TrainContext::noise`]; only units with noise consume it).
pub const TRAIN_NOISE_STREAM: u64 = 0x4E4F_4953; // "NOIS"

/// The stream of the run's seed that reinitialisations draw from.
pub const REINIT_STREAM: u64 = 0x5245_494E; // "REIN"

/// The state of one run: model, optimizer, tape and batch buffers, all
/// allocated once, so [`Trainer::step`] allocates nothing.
///
/// What a unit needs beyond the common protocol comes from the run's
/// [`TrainingRules`](crate::units::TrainingRules) (`config.rules`) and the
/// units' hooks (`forward_train`, `penalty`, `reinit`), never from the
/// unit's name; see [`crate::units::rules`].
pub struct Trainer<T: Element> {
    config: RunConfig,
    task: Task,
    model: Model<T>,
    adam: Adam<T>,
    tape: Tape<T>,
    eval_tape: Tape<T>,
    /// The `f64` copy of the model that `config.eval_f64` evaluates with.
    eval_model: Option<(Model<f64>, Tape<f64>)>,
    batch_rng: LaneRng,
    noise_rng: Rng,
    reinit_rng: Rng,
    history: LossHistory,
    /// The validation MSE last given to [`Trainer::observe_validation_mse`]
    /// (NaN before the first).
    validation_mse: f64,
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
            noise_rng: Rng::stream(seed, TRAIN_NOISE_STREAM),
            reinit_rng: Rng::stream(seed, REINIT_STREAM),
            history: LossHistory::with_capacity(config.rules.reinit.map_or(0, |r| r.history)),
            validation_mse: f64::NAN,
            config: config.clone(),
            task,
            model,
            adam,
            tape: Tape::new(),
            eval_tape: Tape::new(),
            eval_model: if config.eval_f64 {
                Some((Model::from_seed(config.model, seed)?, Tape::new()))
            } else {
                None
            },
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

    /// Tells the trainer the validation MSE of the evaluation just made
    /// (with the current weights). Units whose rules watch the validation
    /// MSE ([`WatchedLoss::Validation`], iNALU's) read the latest one in
    /// every following step, as the single-module harness does; a loop
    /// that evaluates should call this after each evaluation of the
    /// validation set ([`super::run`] does). Others ignore it.
    pub fn observe_validation_mse(&mut self, mse: f64) {
        self.validation_mse = mse;
    }

    /// The losses the reinitialisation rule sees, oldest first (empty
    /// unless the units' rules keep a history).
    pub fn loss_history(&self) -> &LossHistory {
        &self.history
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
    /// the training forward pass, `MSE + lambda(t) * R (+ beta(t) * P)`,
    /// backward, (clipping), Adam, projection, (a reinitialisation check).
    /// The parts in parentheses only run when the units' rules ask for
    /// them. Returns the loss (NaN or infinite if the run has diverged or
    /// the loss value alone overflowed; neither is an error). A non-finite
    /// gradient (before clipping) or parameter sets [`Trainer::diverged`].
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
        let mut ctx = TrainContext {
            step: t,
            noise: &mut self.noise_rng,
        };
        let y = self.model.forward_train(tape, &weights, x, &mut ctx)?;
        // Model::loss in its two halves: the unit's penalty weight may need
        // the batch MSE.
        let mse = tape.mse(y, target)?;
        let rules = &self.config.rules;
        // The loss the penalty's switch and the reinitialisation history
        // watch: this batch's MSE (read before any term is added to it) or
        // the latest validation MSE. Read only when a rule uses it.
        let watched = if rules.penalty.needs_loss() || rules.reinit.is_some() {
            match rules.watch {
                WatchedLoss::Batch => tape.item(mse)?.to_f64_lossy(),
                WatchedLoss::Validation => self.validation_mse,
            }
        } else {
            f64::NAN
        };
        let penalty_weight = rules.penalty.weight(t, watched);
        let lambda = self.config.regularizer.lambda(t);
        let mut loss = self.model.add_regularizer(tape, &weights, mse, lambda)?;
        if penalty_weight > 0.0 {
            if let Some(p) = self.model.penalty(tape, &weights)? {
                let scaled = tape.mul_scalar(p, T::from_f64_lossy(penalty_weight))?;
                loss = tape.add(loss, scaled)?;
            }
        }
        tape.backward(loss)?;
        let params = self.model.params_mut();
        params.zero_grad();
        tape.accumulate_grads(params)?;
        let grads_finite = params.grads().iter().all(|g| g.is_finite());
        rules.grad_clip.apply(params)?;
        self.adam.step(params)?;
        self.model.project()?;
        let values_finite = self.model.params().values().iter().all(|w| w.is_finite());
        self.diverged |= !(grads_finite && values_finite);
        self.steps_done += 1;
        let loss = tape.item(loss)?;
        if let Some(rule) = self.config.rules.reinit {
            // As the harness: the step's watched loss joins the history, then
            // steps t > 0 with t % check_every == 0 ask the units.
            self.history.push(watched);
            if t > 0
                && t % rule.check_every == 0
                && self.model.reinit(&self.history, &mut self.reinit_rng)?
            {
                self.history.clear();
                self.model.project()?;
                if rule.reset_optimizer {
                    self.adam = Adam::new(*self.adam.config())?;
                }
            }
        }
        Ok(loss)
    }

    /// The mean squared error on an `f64` fixed set of the model with its
    /// weights widened to `f64` (exactly; `config.eval_f64`), so that neither
    /// the inputs, nor the unit's arithmetic, nor the targets round to the
    /// training precision. Errors unless `config.eval_f64` is set.
    pub fn evaluate_f64(&mut self, data: &Dataset<f64>) -> Result<f64> {
        let (model, tape) = self.widened_model()?;
        mse_in_chunks(model, tape, data)
    }

    /// [`Trainer::evaluate_f64`] on a fixed set recorded once for
    /// evaluation: the same bits, without copying each chunk of the set
    /// onto a tape first (see [`EvalSet`]).
    pub fn evaluate_set_f64(&mut self, set: &mut EvalSet<f64>) -> Result<f64> {
        let (model, _) = self.widened_model()?;
        set.mse(model)
    }

    /// The `f64` evaluation model with the current weights widened into it
    /// (once per evaluation), and its tape.
    fn widened_model(&mut self) -> Result<(&Model<f64>, &mut Tape<f64>)> {
        let Some((model, tape)) = self.eval_model.as_mut() else {
            return Err(crate::error::Error::invalid(
                "eval_f64",
                "this run evaluates in its training precision",
            ));
        };
        for (w64, w) in model
            .params_mut()
            .values_mut()
            .iter_mut()
            .zip(self.model.params().values())
        {
            *w64 = w.to_f64_lossy();
        }
        Ok((model, tape))
    }

    /// The mean squared error of the model on a fixed set, accumulated in
    /// `f64` (each residual is widened before it is squared and summed, so
    /// errors down to about 1e-12 relative to the targets stay meaningful
    /// even when training in `f32`).
    pub fn evaluate(&mut self, data: &Dataset<T>) -> Result<f64> {
        mse_in_chunks(&self.model, &mut self.eval_tape, data)
    }

    /// [`Trainer::evaluate`] on a fixed set recorded once for evaluation:
    /// the same bits, without copying each chunk of the set onto a tape
    /// first (see [`EvalSet`]). What a run's periodic evaluations use.
    pub fn evaluate_set(&mut self, set: &mut EvalSet<T>) -> Result<f64> {
        set.mse(&self.model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::TaskConfig;
    use crate::units::{
        GradClip, InaluInit, ModelKind, ModelSpec, PenaltyWeight, ReinitRule, TrainingRules,
        UnitKind,
    };

    /// iNALU on the single-module task `[1,2] -> [2,6]`, its penalty on
    /// from step 0 with weight 1 while the watched loss is below `below`.
    fn inalu_config(watch: WatchedLoss, below: f64) -> RunConfig {
        let (train, test) = crate::task::single_module_range("[1,2]").unwrap();
        let task = TaskConfig::single_module(crate::task::Operation::Mul, train, test);
        let unit = UnitKind::Inalu(InaluInit::Benchmark);
        let mut c = RunConfig::new(ModelSpec::single(unit, 2), task);
        c.rules.watch = watch;
        c.rules.penalty = PenaltyWeight::AfterWarmupBelowLoss {
            weight: 1.0,
            warmup: 0,
            below_loss: below,
        };
        c
    }

    #[test]
    fn the_history_holds_the_batch_mse_not_the_loss_with_the_penalty() {
        let with_penalty = inalu_config(WatchedLoss::Batch, f64::INFINITY);
        let plain = RunConfig {
            rules: TrainingRules {
                penalty: PenaltyWeight::Off,
                ..with_penalty.rules
            },
            ..with_penalty.clone()
        };
        // Step 0: same weights, same batch, lambda(0) = 0, so the plain
        // run's loss is the batch MSE of both.
        let mut a = Trainer::<f64>::new(&with_penalty, 5).unwrap();
        let mut b = Trainer::<f64>::new(&plain, 5).unwrap();
        let total = a.step().unwrap();
        let mse = b.step().unwrap();
        // iNALU's regularizer is about 5 x 19 at its initialisation.
        assert!(total > mse + 10.0, "{total} vs {mse}");
        assert_eq!(a.loss_history().get(0), Some(mse));
        assert_eq!(b.loss_history().get(0), Some(mse));
    }

    #[test]
    fn a_validation_watch_reads_the_latest_observed_validation_mse() {
        let c = inalu_config(WatchedLoss::Validation, 1.0);
        let step0 = |observed: Option<f64>| {
            let mut t = Trainer::<f64>::new(&c, 7).unwrap();
            if let Some(v) = observed {
                t.observe_validation_mse(v);
            }
            let loss = t.step().unwrap();
            (loss, t.loss_history().get(0).unwrap())
        };
        let (unseen, h_unseen) = step0(None);
        let (above, h_above) = step0(Some(2.0));
        let (below, h_below) = step0(Some(0.5));
        // Nothing observed: NaN, which switches nothing on.
        assert!(h_unseen.is_nan());
        assert_eq!(unseen, above);
        assert_eq!((h_above, h_below), (2.0, 0.5));
        // Below 1 the penalty is on, whatever the batch loss.
        assert!(below > above + 10.0, "{below} vs {above}");
    }

    #[test]
    fn reinitialisation_is_checked_at_steps_t_multiple_of_ten_after_the_push() {
        // A validation MSE stuck at 5: the rule fires as soon as more than
        // 5,000 losses are kept and t % 10 == 0, i.e. at step t = 5,000
        // (the harness's `epoch_i % 10 == 0 and len(losses) > 5000`).
        let c = inalu_config(WatchedLoss::Validation, 1.0);
        let mut t = Trainer::<f32>::new(&c, 1).unwrap();
        t.observe_validation_mse(5.0);
        for _ in 0..5_000 {
            t.step().unwrap();
        }
        assert_eq!(t.loss_history().len(), 5_000);
        t.step().unwrap();
        assert!(t.loss_history().is_empty());
        // Redrawn from U[-2, 2] after the step's update.
        assert!(t.model().params().values().iter().all(|v| v.abs() <= 2.0));
        t.step().unwrap();
        assert_eq!(t.loss_history().len(), 1);
    }

    fn losses(config: &RunConfig, steps: usize) -> Vec<f32> {
        let mut trainer = Trainer::<f32>::new(config, 3).unwrap();
        (0..steps).map(|_| trainer.step().unwrap()).collect()
    }

    /// The trainer's step loss is `Model::loss` of the step's batch and
    /// weights, bit for bit, before, during and after the regularizer's
    /// warm-up (for models whose units ask for no extra term).
    #[test]
    fn the_step_loss_is_the_model_loss_helper() {
        use crate::units::RegularizerSchedule;
        for kind in [ModelKind::Nmu, ModelKind::Nau, ModelKind::NacMul] {
            let config = RunConfig {
                regularizer: RegularizerSchedule::new(0.1, 3, 6).unwrap(),
                ..RunConfig::new(kind.spec(4, 2), TaskConfig::toy())
            };
            let mut trainer = Trainer::<f32>::new(&config, 1).unwrap();
            let (b, n) = (config.batch_size, trainer.task().input_size());
            let mut with_r = 0;
            for t in 0..10 {
                let mut rng = trainer.batch_rng.clone();
                let mut x = vec![0.0f32; b * n];
                let mut targets = vec![0.0f32; b];
                trainer
                    .task()
                    .fill_batch(&mut rng, &mut x, &mut targets)
                    .unwrap();
                let model = trainer.model();
                let mut tape = Tape::new();
                let xv = tape.constant_slice(Shape::matrix(b, n), &x).unwrap();
                let tv = tape.constant_slice(Shape::matrix(b, 1), &targets).unwrap();
                let w = model.record_weights(&mut tape).unwrap();
                let y = model.forward(&mut tape, &w, xv).unwrap();
                let lambda = config.regularizer.lambda(t);
                let helper = model.loss(&mut tape, &w, y, tv, lambda).unwrap();
                let helper = tape.item(helper).unwrap();
                if lambda > 0.0 && model.regularizer(&mut tape, &w).unwrap().is_some() {
                    with_r += 1;
                }
                let step = trainer.step().unwrap();
                assert_eq!(step.to_bits(), helper.to_bits(), "{kind} step {t}");
            }
            if kind != ModelKind::NacMul {
                assert!(with_r > 0, "{kind}: the regularizer was never on");
            }
        }
    }

    #[test]
    fn models_without_rules_get_none_and_the_default_learning_rate() {
        for kind in ModelKind::PAPER {
            let c = RunConfig::new(kind.spec(4, 2), TaskConfig::toy());
            assert!(c.rules.is_none(), "{kind}");
            assert_eq!(c.learning_rate, 1e-3);
            assert!(!c.key().contains("rules="), "{}", c.key());
        }
    }

    #[test]
    fn the_loop_applies_the_rules_it_is_given() {
        let base = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
        let plain = losses(&base, 30);
        // Rules whose hooks the NAU/NMU leave at their defaults change nothing.
        let inert = RunConfig {
            rules: TrainingRules {
                penalty: PenaltyWeight::Stepwise {
                    start: 1.0,
                    end: 1.0,
                    factor: 1.0,
                    every: 1,
                },
                reinit: Some(ReinitRule {
                    check_every: 5,
                    history: 10,
                    reset_optimizer: true,
                }),
                ..TrainingRules::NONE
            },
            ..base.clone()
        };
        assert_eq!(losses(&inert, 30), plain);
        assert_ne!(inert.key(), base.key());
        // Clipping every gradient to a tiny value slows the descent.
        let clipped = RunConfig {
            rules: TrainingRules {
                grad_clip: GradClip::Norm(1e-6),
                ..TrainingRules::NONE
            },
            ..base.clone()
        };
        let c = losses(&clipped, 30);
        assert_eq!(c[0], plain[0]);
        assert_ne!(c, plain);
        let bad = RunConfig {
            rules: TrainingRules {
                grad_clip: GradClip::Value(-1.0),
                ..TrainingRules::NONE
            },
            ..base
        };
        let (name, reason) = crate::error::expect::invalid(Trainer::<f32>::new(&bad, 0));
        assert_eq!(name, "grad_clip");
        assert!(reason.contains("got -1"), "{reason}");
    }
}
