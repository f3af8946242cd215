//! The evaluation pass: the mean squared error of a model on a fixed set
//! (10,000 rows by default), one chunk of rows per forward pass.
//!
//! A fixed set never changes during a run, so [`EvalSet`] records it on a
//! tape of its own once, and each chunk's forward pass reads its rows there
//! in place ([`Tape::constant_rows`]) instead of copying them onto the tape
//! first. The forward pass sees the same numbers in the same order, so the
//! mean squared error is the same bits as the copying path
//! ([`Trainer::evaluate`](super::Trainer::evaluate)), tested below.

use crate::error::{Error, Result};
use crate::tape::{Mark, Tape, Var};
use crate::task::Dataset;
use crate::tensor::{Element, Shape};
use crate::units::Model;

/// Rows evaluated per forward pass: keeps the evaluation tape's
/// intermediates small and in cache whatever the size of the fixed sets.
/// The MSE sums each chunk's squared errors, then the chunks' sums, so this
/// size is part of the result's bits.
pub const EVAL_CHUNK_ROWS: usize = 1000;

/// A fixed set recorded once on its own evaluation tape, to be evaluated
/// many times ([`Trainer::evaluate_set`](super::Trainer::evaluate_set)).
///
/// ```
/// use arithgrad::experiment::{EvalSet, RunConfig, Trainer};
/// use arithgrad::task::{Split, TaskConfig};
/// use arithgrad::units::ModelKind;
/// let config = RunConfig::new(ModelKind::Nmu.spec(4, 2), TaskConfig::toy());
/// let mut trainer = Trainer::<f32>::new(&config, 0)?;
/// let data = trainer.task().fixed_set::<f32>(Split::Validation, 2500);
/// let mut set = EvalSet::new(&data)?;
/// let in_place = trainer.evaluate_set(&mut set)?;
/// assert_eq!(in_place.to_bits(), trainer.evaluate(&data)?.to_bits());
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Debug)]
pub struct EvalSet<T: Element> {
    tape: Tape<T>,
    /// After the inputs: each chunk rewinds to here.
    mark: Mark,
    /// The inputs, `[rows, cols]` (its handle as of the latest rewind).
    x: Var,
    targets: Vec<T>,
    rows: usize,
    cols: usize,
}

impl<T: Element> EvalSet<T> {
    /// `data` recorded for evaluation (one copy of its inputs and targets).
    pub fn new(data: &Dataset<T>) -> Result<Self> {
        if data.targets.len() != data.rows {
            return Err(Error::DataLength {
                expected: data.rows,
                actual: data.targets.len(),
            });
        }
        let mut tape = Tape::new();
        let x = tape.constant_slice(Shape::matrix(data.rows, data.cols), &data.x)?;
        Ok(EvalSet {
            mark: tape.mark(),
            tape,
            x,
            targets: data.targets.clone(),
            rows: data.rows,
            cols: data.cols,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Inputs per row.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The mean squared error of `model`'s evaluation forward pass on this
    /// set, [`EVAL_CHUNK_ROWS`] rows per pass, accumulated in `f64`.
    pub(crate) fn mse(&mut self, model: &Model<T>) -> Result<f64> {
        let mut sum = 0.0f64;
        let mut start = 0;
        while start < self.rows {
            let rows = EVAL_CHUNK_ROWS.min(self.rows - start);
            let tape = &mut self.tape;
            tape.rewind(&mut self.mark)?;
            self.x = self.mark.renew(self.x)?;
            let x = tape.constant_rows(self.x, start, rows)?;
            let weights = model.record_weights(tape)?;
            let y = model.forward(tape, &weights, x)?;
            sum += squared_errors(tape.value(y)?, &self.targets[start..start + rows]);
            start += rows;
        }
        Ok(sum / self.rows as f64)
    }
}

/// The sum of `(y - t)^2` over a chunk, each residual widened to `f64`
/// before it is squared.
fn squared_errors<T: Element>(y: &[T], targets: &[T]) -> f64 {
    y.iter()
        .zip(targets)
        .map(|(&y, &t)| {
            let d = y.to_f64_lossy() - t.to_f64_lossy();
            d * d
        })
        .sum()
}

/// The mean squared error of `model` (evaluation forward) on `data`,
/// [`EVAL_CHUNK_ROWS`] rows per pass on `tape`, each chunk copied onto the
/// tape: for one-off evaluations (an [`EvalSet`] pays off from the second).
pub(crate) fn mse_in_chunks<U: Element>(
    model: &Model<U>,
    tape: &mut Tape<U>,
    data: &Dataset<U>,
) -> Result<f64> {
    let n = data.cols;
    let mut sum = 0.0f64;
    let mut start = 0;
    while start < data.rows {
        let rows = EVAL_CHUNK_ROWS.min(data.rows - start);
        tape.reset();
        let x = tape.constant_slice(
            Shape::matrix(rows, n),
            &data.x[start * n..(start + rows) * n],
        )?;
        let weights = model.record_weights(tape)?;
        let y = model.forward(tape, &weights, x)?;
        sum += squared_errors(tape.value(y)?, &data.targets[start..start + rows]);
        start += rows;
    }
    Ok(sum / data.rows as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{RunConfig, Trainer};
    use crate::task::{Split, TaskConfig};
    use crate::units::ModelKind;

    /// Every model of the main table (and the rest of `ModelKind::ALL`),
    /// after some training so the weights are not the initial ones: the
    /// in-place pass gives the copying pass's bits, on a set whose last
    /// chunk is partial, in f32 and in f64.
    #[test]
    fn in_place_evaluation_is_the_copying_evaluation_bit_for_bit() {
        for kind in ModelKind::ALL {
            let config = RunConfig::new(
                kind.spec(20, 2),
                TaskConfig {
                    input_size: 20,
                    ..TaskConfig::default()
                },
            );
            let mut trainer = Trainer::<f32>::new(&config, 4).unwrap();
            for _ in 0..30 {
                trainer.step().unwrap();
            }
            for rows in [2_345, 999, 1_000] {
                let data = trainer.task().fixed_set::<f32>(Split::Test, rows);
                let mut set = EvalSet::new(&data).unwrap();
                let copied = trainer.evaluate(&data).unwrap();
                for _ in 0..2 {
                    let in_place = trainer.evaluate_set(&mut set).unwrap();
                    assert_eq!(in_place.to_bits(), copied.to_bits(), "{kind} {rows}");
                }
            }
            let mut wide = config.clone();
            wide.eval_f64 = true;
            let mut trainer = Trainer::<f32>::new(&wide, 4).unwrap();
            for _ in 0..30 {
                trainer.step().unwrap();
            }
            let data = trainer.task().fixed_set::<f64>(Split::Validation, 1_500);
            let mut set = EvalSet::new(&data).unwrap();
            let copied = trainer.evaluate_f64(&data).unwrap();
            let in_place = trainer.evaluate_set_f64(&mut set).unwrap();
            assert_eq!(in_place.to_bits(), copied.to_bits(), "{kind} f64");
        }
    }

    #[test]
    fn a_set_whose_targets_do_not_match_its_rows_is_refused() {
        let mut data = Dataset {
            x: vec![1.0f32; 6],
            targets: vec![1.0; 3],
            rows: 3,
            cols: 2,
        };
        assert_eq!(EvalSet::new(&data).unwrap().rows(), 3);
        data.targets.pop();
        assert_eq!(
            EvalSet::new(&data).unwrap_err(),
            Error::DataLength {
                expected: 3,
                actual: 2
            }
        );
        data.targets.push(1.0);
        data.x.pop();
        assert!(matches!(
            EvalSet::new(&data),
            Err(Error::DataLength {
                expected: 6,
                actual: 5
            })
        ));
    }
}
