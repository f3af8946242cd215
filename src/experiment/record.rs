//! The outcome of a run and the success criterion of docs/protocol.md, section 4.

use std::time::Instant;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Result;
use crate::tensor::Element;
use crate::units::SavedModel;
use crate::Compat;

use super::{EvalSet, Precision, RunConfig, Trainer};

/// JSON has no NaN or infinity: serde_json writes them as `null`. Reading
/// `null` back as NaN keeps the records of diverged runs (whose last
/// evaluation is NaN) readable, so a sweep containing one can resume.
fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// One evaluation: at step 0 and every `eval_every` steps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalPoint {
    pub step: u64,
    /// MSE on the fixed validation set (interpolation range).
    #[serde(deserialize_with = "f64_or_nan")]
    pub valid_mse: f64,
    /// MSE on the fixed test set (extrapolation range).
    #[serde(deserialize_with = "f64_or_nan")]
    pub test_mse: f64,
    /// The model's sparsity error at this step.
    #[serde(deserialize_with = "f64_or_nan")]
    pub sparsity_error: f64,
}

/// The judged checkpoint: the evaluation with the lowest validation MSE
/// among those [`CheckpointSearch`] admits, with the weights the model had
/// then.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Judged {
    pub step: u64,
    #[serde(deserialize_with = "f64_or_nan")]
    pub valid_mse: f64,
    #[serde(deserialize_with = "f64_or_nan")]
    pub test_mse: f64,
    #[serde(deserialize_with = "f64_or_nan")]
    pub sparsity_error: f64,
    /// The weights at this step, in the saved-model format (values as f64).
    pub weights: SavedModel<f64>,
}

/// Everything a sweep keeps of one finished run (one JSON line).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`RunConfig::key`]: with `seed`, identifies the run.
    pub key: String,
    pub config: RunConfig,
    pub seed: u64,
    /// The success threshold the run was judged against.
    #[serde(deserialize_with = "f64_or_nan")]
    pub threshold: f64,
    /// Every evaluation, in order.
    pub curve: Vec<EvalPoint>,
    /// `None` when no evaluation after step 0 has a finite validation MSE.
    pub judged: Option<Judged>,
    /// Test MSE at the judged checkpoint below the threshold (NaN or
    /// infinite never counts).
    pub solved: bool,
    /// First evaluated step (after 0) whose test MSE is below the threshold;
    /// solved runs only.
    pub solved_at: Option<u64>,
    /// Sparsity error at the judged checkpoint; solved runs only.
    pub sparsity_error: Option<f64>,
    /// A gradient or a parameter became NaN or infinite and the run was
    /// stopped (a loss value that overflows alone does not count).
    pub diverged: bool,
    /// Mean gate value of each layer at the judged checkpoint on the
    /// training batch of that step (interpolation range), the quantity the
    /// reference logs (`None` for layers without a gate).
    pub gates: [Option<f64>; 2],
    /// Mean gate value of each layer at the judged checkpoint on the first
    /// 1000 test rows (extrapolation range; gates there sit closer to 0 or
    /// 1). Empty in records written before version 0.3.0.
    #[serde(default)]
    pub gates_test: [Option<f64>; 2],
    /// Wall-clock seconds of training and evaluation.
    pub wall_time_s: f64,
    /// The crate version that produced the record.
    pub version: String,
}

impl RunRecord {
    /// The record with its wall time zeroed: what must be bit-identical
    /// between two executions of the same run.
    pub fn without_timing(&self) -> RunRecord {
        RunRecord {
            wall_time_s: 0.0,
            ..self.clone()
        }
    }
}

/// Which evaluations may be the judged checkpoint.
///
/// An evaluation at step `s` is a candidate when it lies in the window of
/// the last `window` iterations of the run (`s > iterations - window`), as
/// in the reference's export scripts (which keep the last `best.range`
/// evaluations). Step 0 is excluded by default (the paper judges a trained
/// model); with [`Compat::Published`] it is a candidate whenever the window
/// reaches back to it, as in those scripts (the toy and the input-size
/// experiments, whose windows are longer than their runs).
///
/// ```
/// use arithgrad::experiment::CheckpointSearch;
/// use arithgrad::Compat;
/// let toy = CheckpointSearch { iterations: 200_000, window: 5_000_000, compat: Compat::Default };
/// assert!(!toy.admits(0) && toy.admits(1000));
/// let published = CheckpointSearch { compat: Compat::Published, ..toy };
/// assert!(published.admits(0));
/// let long = CheckpointSearch { iterations: 15_000_000, window: 15_000_000, compat: Compat::Published };
/// assert!(!long.admits(0) && long.admits(1000));
/// let tail = CheckpointSearch { iterations: 10_000, window: 5_000, compat: Compat::Default };
/// assert!(!tail.admits(5_000) && tail.admits(6_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointSearch {
    /// The run's planned iterations (the end the window is counted from).
    pub iterations: u64,
    /// The window, in iterations.
    pub window: u64,
    /// Whether step 0 may be a candidate (see above).
    pub compat: Compat,
}

impl CheckpointSearch {
    /// The search of a run of `config`.
    pub fn of(config: &RunConfig) -> CheckpointSearch {
        CheckpointSearch {
            iterations: config.iterations,
            window: config.checkpoint_window,
            compat: config.compat,
        }
    }

    /// Every evaluation after step 0.
    pub fn whole_run() -> CheckpointSearch {
        CheckpointSearch {
            iterations: 0,
            window: u64::MAX,
            compat: Compat::Default,
        }
    }

    /// Whether the evaluation at `step` is a candidate.
    pub fn admits(&self, step: u64) -> bool {
        let in_window = u128::from(step) + u128::from(self.window) > u128::from(self.iterations);
        in_window && (step > 0 || self.compat.is_published())
    }
}

/// Applies the success criterion to a curve: the judged checkpoint index
/// (lowest finite validation MSE, step 0 excluded, first on ties), whether
/// its test MSE is below `threshold`, and the first step (after 0) whose
/// test MSE is below it. [`judge_with`] with [`CheckpointSearch::whole_run`].
pub fn judge(curve: &[EvalPoint], threshold: f64) -> (Option<usize>, bool, Option<u64>) {
    judge_with(curve, threshold, CheckpointSearch::whole_run())
}

/// [`judge`] with the judged checkpoint searched among the evaluations that
/// `search` admits.
pub fn judge_with(
    curve: &[EvalPoint],
    threshold: f64,
    search: CheckpointSearch,
) -> (Option<usize>, bool, Option<u64>) {
    let mut best: Option<usize> = None;
    for (i, p) in curve.iter().enumerate() {
        if !search.admits(p.step) || !p.valid_mse.is_finite() {
            continue;
        }
        if best.is_none_or(|b| p.valid_mse < curve[b].valid_mse) {
            best = Some(i);
        }
    }
    let solved = best.is_some_and(|b| curve[b].test_mse < threshold);
    let solved_at = if solved {
        curve
            .iter()
            .find(|p| p.step > 0 && p.test_mse < threshold)
            .map(|p| p.step)
    } else {
        None
    };
    (best, solved, solved_at)
}

/// Trains one run to the end and judges it against `threshold`.
///
/// Divergence is an outcome, not an error: the run stops after the first
/// step that leaves a non-finite gradient or parameter (evaluating once
/// more, so the curve shows it) and is recorded as diverged and not
/// solved. A training loss that overflows while the gradient stays finite
/// is not divergence: the run trains on, as the reference does. Errors are
/// reserved for configurations that cannot run.
pub fn run(config: &RunConfig, seed: u64, threshold: f64) -> Result<RunRecord> {
    match config.precision {
        Precision::F32 => run_typed::<f32>(config, seed, threshold),
        Precision::F64 => run_typed::<f64>(config, seed, threshold),
    }
}

/// A run's validation and test sets, recorded for evaluation in the
/// training precision or (`eval_f64`) in `f64`.
enum EvalSets<T: Element> {
    Training(EvalSet<T>, EvalSet<T>),
    Wide(EvalSet<f64>, EvalSet<f64>),
}

fn run_typed<T: Element>(config: &RunConfig, seed: u64, threshold: f64) -> Result<RunRecord> {
    let start = Instant::now();
    let mut trainer = Trainer::<T>::new(config, seed)?;
    let valid = trainer
        .task()
        .fixed_set::<T>(crate::task::Split::Validation, config.eval_rows);
    let test = trainer
        .task()
        .fixed_set::<T>(crate::task::Split::Test, config.eval_rows);
    // Each fixed set is recorded once on its own evaluation tape. With
    // `eval_f64`, the MSEs come from f64 copies of the fixed sets.
    let mut sets = if config.eval_f64 {
        let task = trainer.task();
        let valid = task.fixed_set::<f64>(crate::task::Split::Validation, config.eval_rows);
        let test = task.fixed_set::<f64>(crate::task::Split::Test, config.eval_rows);
        EvalSets::Wide(EvalSet::new(&valid)?, EvalSet::new(&test)?)
    } else {
        EvalSets::Training(EvalSet::new(&valid)?, EvalSet::new(&test)?)
    };
    // Reserve for the whole curve, within reason: the vector still grows if
    // a run has more evaluations than this.
    let evaluations = config.iterations / config.eval_every + 2;
    let mut curve = Vec::with_capacity(evaluations.min(1 << 16) as usize);
    let search = CheckpointSearch::of(config);
    // The best candidate so far: validation MSE, weights, training-batch gates.
    let mut best: Option<(f64, Vec<T>, [Option<f64>; 2])> = None;
    let mut evaluate = |trainer: &mut Trainer<T>, curve: &mut Vec<EvalPoint>| -> Result<()> {
        let (valid_mse, test_mse) = match &mut sets {
            EvalSets::Wide(v, t) => (trainer.evaluate_set_f64(v)?, trainer.evaluate_set_f64(t)?),
            EvalSets::Training(v, t) => (trainer.evaluate_set(v)?, trainer.evaluate_set(t)?),
        };
        trainer.observe_validation_mse(valid_mse);
        let p = EvalPoint {
            step: trainer.steps_done(),
            valid_mse,
            test_mse,
            sparsity_error: trainer.model().sparsity_error()?,
        };
        curve.push(p);
        if search.admits(p.step)
            && p.valid_mse.is_finite()
            && best.as_ref().is_none_or(|(v, _, _)| p.valid_mse < *v)
        {
            let gates = trainer.training_gate_means()?;
            let values = trainer.model().params().values();
            match &mut best {
                Some((v, w, g)) => {
                    *v = p.valid_mse;
                    w.copy_from_slice(values);
                    *g = gates;
                }
                None => best = Some((p.valid_mse, values.to_vec(), gates)),
            }
        }
        Ok(())
    };
    evaluate(&mut trainer, &mut curve)?;
    while trainer.steps_done() < config.iterations {
        trainer.step()?;
        let t = trainer.steps_done();
        if t % config.eval_every == 0 || t == config.iterations || trainer.diverged() {
            evaluate(&mut trainer, &mut curve)?;
            if trainer.diverged() {
                break;
            }
        }
    }
    let diverged = trainer.diverged();
    let (judged_index, solved, solved_at) = judge_with(&curve, threshold, search);
    let mut gates = [None, None];
    let mut gates_test = [None, None];
    let judged = match (judged_index, best) {
        (Some(i), Some((_, weights, training_gates))) => {
            let p = curve[i];
            trainer
                .model_mut()
                .params_mut()
                .values_mut()
                .copy_from_slice(&weights);
            let sample_rows = 1000.min(test.rows);
            let x = crate::tensor::Tensor::from_slice(
                crate::tensor::Shape::matrix(sample_rows, test.cols),
                &test.x[..sample_rows * test.cols],
            )?;
            gates_test = trainer.model().gate_means(&x)?;
            gates = training_gates;
            Some(Judged {
                step: p.step,
                valid_mse: p.valid_mse,
                test_mse: p.test_mse,
                sparsity_error: p.sparsity_error,
                weights: saved_as_f64(&trainer.model().save())?,
            })
        }
        _ => None,
    };
    let sparsity_error = if solved {
        judged.as_ref().map(|j| j.sparsity_error)
    } else {
        None
    };
    Ok(RunRecord {
        key: config.key(),
        config: config.clone(),
        seed,
        threshold,
        curve,
        judged,
        solved,
        solved_at,
        sparsity_error,
        diverged,
        gates,
        gates_test,
        wall_time_s: start.elapsed().as_secs_f64(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// A saved model converted to `f64` values (exact for `f32`), so records of
/// either precision share one type.
fn saved_as_f64<T: Element>(s: &SavedModel<T>) -> Result<SavedModel<f64>> {
    let mut params = crate::tape::ParamStore::<f64>::new();
    for (info, id) in s.params.infos().iter().zip(s.params.ids()) {
        params.add(info.name.clone(), s.params.tensor(id)?.cast::<f64>())?;
    }
    Ok(SavedModel {
        format_version: s.format_version,
        model: s.model.clone(),
        element: s.element.clone(),
        spec: s.spec,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(step: u64, valid: f64, test: f64) -> EvalPoint {
        EvalPoint {
            step,
            valid_mse: valid,
            test_mse: test,
            sparsity_error: 0.0,
        }
    }

    #[test]
    fn judged_checkpoint_excludes_step_zero_and_nan() {
        let curve = [
            p(0, 0.0, 0.0),
            p(1000, f64::NAN, 0.0),
            p(2000, 0.5, 2.0),
            p(3000, 0.1, 0.5),
        ];
        let (best, solved, at) = judge(&curve, 1.0);
        assert_eq!(best, Some(3));
        assert!(solved);
        // Step 1000 has a test MSE below the threshold: solved-at looks at
        // the test MSE alone, as in the paper.
        assert_eq!(at, Some(1000));
    }

    #[test]
    fn published_search_includes_step_zero_where_the_window_reaches_it() {
        // The untrained model has the lowest validation MSE.
        let curve = [p(0, 0.1, 0.5), p(1000, 0.4, 2.0), p(2000, 0.3, 2.0)];
        let toy = CheckpointSearch {
            iterations: 2000,
            window: 5_000_000,
            compat: Compat::Default,
        };
        assert_eq!(judge_with(&curve, 1.0, toy), (Some(2), false, None));
        let published = CheckpointSearch {
            compat: Compat::Published,
            ..toy
        };
        assert_eq!(judge_with(&curve, 1.0, published).0, Some(0));
        assert!(judge_with(&curve, 1.0, published).1);
        // A window that ends before step 0 (the 15M input sizes, the 5M
        // experiments): step 0 stays out in both modes.
        let short = CheckpointSearch {
            window: 2000,
            ..published
        };
        assert_eq!(judge_with(&curve, 1.0, short).0, Some(2));
        // A window shorter than the run searches its tail only.
        let tail = CheckpointSearch {
            window: 1000,
            ..toy
        };
        assert_eq!(judge_with(&curve, 1.0, tail).0, Some(2));
        let curve = [p(0, 0.1, 0.5), p(1000, 0.2, 0.5), p(2000, 0.3, 2.0)];
        assert_eq!(judge_with(&curve, 1.0, tail).0, Some(2));
        assert_eq!(judge_with(&curve, 1.0, toy).0, Some(1));
    }

    #[test]
    fn nan_test_mse_is_not_solved() {
        let curve = [p(0, 1.0, 1.0), p(1000, 0.1, f64::NAN)];
        let (best, solved, at) = judge(&curve, 1.0);
        assert_eq!(best, Some(1));
        assert!(!solved);
        assert_eq!(at, None);
    }

    #[test]
    fn all_nan_has_no_judged_checkpoint() {
        let curve = [p(0, 1.0, 1.0), p(1000, f64::NAN, f64::NAN)];
        assert_eq!(judge(&curve, 1.0), (None, false, None));
    }
}
