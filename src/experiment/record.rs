//! The outcome of a run and the success criterion of docs/protocol.md, section 4.

use std::time::Instant;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Result;
use crate::tensor::Element;
use crate::units::SavedModel;

use super::{Precision, RunConfig, Trainer};

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

/// The judged checkpoint: the evaluation with the lowest validation MSE,
/// step 0 excluded, with the weights the model had then.
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
    /// The run produced a NaN or infinite loss or weights and was stopped.
    pub diverged: bool,
    /// Mean gate value of each layer at the judged checkpoint on the first
    /// 1000 test rows (`None` for layers without a gate).
    pub gates: [Option<f64>; 2],
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

/// Applies the success criterion to a curve: the judged checkpoint index
/// (lowest finite validation MSE, step 0 excluded, first on ties), whether
/// its test MSE is below `threshold`, and the first step (after 0) whose
/// test MSE is below it.
pub fn judge(curve: &[EvalPoint], threshold: f64) -> (Option<usize>, bool, Option<u64>) {
    let mut best: Option<usize> = None;
    for (i, p) in curve.iter().enumerate() {
        if p.step == 0 || !p.valid_mse.is_finite() {
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
/// Divergence is an outcome, not an error: the run stops at the first
/// evaluation whose loss or weights are not finite and is recorded as not
/// solved. Errors are reserved for configurations that cannot run.
pub fn run(config: &RunConfig, seed: u64, threshold: f64) -> Result<RunRecord> {
    match config.precision {
        Precision::F32 => run_typed::<f32>(config, seed, threshold),
        Precision::F64 => run_typed::<f64>(config, seed, threshold),
    }
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
    // Reserve for the whole curve, within reason: the vector still grows if
    // a run has more evaluations than this.
    let evaluations = config.iterations / config.eval_every + 2;
    let mut curve = Vec::with_capacity(evaluations.min(1 << 16) as usize);
    let mut best: Option<(f64, Vec<T>)> = None;
    let mut diverged = false;
    let mut evaluate = |trainer: &mut Trainer<T>, curve: &mut Vec<EvalPoint>| -> Result<bool> {
        let p = EvalPoint {
            step: trainer.steps_done(),
            valid_mse: trainer.evaluate(&valid)?,
            test_mse: trainer.evaluate(&test)?,
            sparsity_error: trainer.model().sparsity_error()?,
        };
        curve.push(p);
        if p.step > 0
            && p.valid_mse.is_finite()
            && best.as_ref().is_none_or(|(v, _)| p.valid_mse < *v)
        {
            let values = trainer.model().params().values();
            match &mut best {
                Some((v, w)) => {
                    *v = p.valid_mse;
                    w.copy_from_slice(values);
                }
                None => best = Some((p.valid_mse, values.to_vec())),
            }
        }
        let finite = trainer
            .model()
            .params()
            .values()
            .iter()
            .all(|w| w.is_finite());
        Ok(finite && p.valid_mse.is_finite())
    };
    evaluate(&mut trainer, &mut curve)?;
    let mut loss_finite = true;
    while trainer.steps_done() < config.iterations {
        let loss = trainer.step()?;
        loss_finite &= loss.is_finite();
        let t = trainer.steps_done();
        if t % config.eval_every == 0 || t == config.iterations {
            let healthy = evaluate(&mut trainer, &mut curve)?;
            if !healthy || !loss_finite {
                diverged = true;
                break;
            }
        }
    }
    let (judged_index, solved, solved_at) = judge(&curve, threshold);
    let mut gates = [None, None];
    let judged = match (judged_index, best) {
        (Some(i), Some((_, weights))) => {
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
            gates = trainer.model().gate_means(&x)?;
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
