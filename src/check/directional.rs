//! The directional check: one random direction instead of every element.

use super::report::DirectionalReport;
use super::{not_a_loss, nothing_to_check, CheckOptions};
use crate::error::Result;
use crate::random::Rng;
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// Compares the tape's directional derivative `∇f · d` with the central
/// difference `(f(x + h d) - f(x - h d)) / 2h` along one random unit
/// direction `d` over all inputs together.
///
/// `f` is called as in [`super::gradient`] (inputs recorded as variables,
/// one-element loss), but only three times in total, whatever the number
/// of elements. The direction's components are drawn uniformly from
/// `[-1, 1)` by [`crate::random::Rng`] seeded with `seed`, then scaled to
/// unit length, so the same seed gives the same direction on every machine.
/// The step is
/// `h = step * max(1, max |x|)`. A wrong gradient `g' = g + e` goes unnoticed
/// only if `e · d` is within tolerance, which for a random `d` needs `e` to
/// be tiny or orthogonal to `d` by accident; checking a few seeds makes that
/// vanishingly unlikely.
///
/// ```
/// use arithgrad::check::{self, CheckOptions};
/// use arithgrad::{Shape, Tensor};
/// let x = Tensor::from_fn(Shape::matrix(30, 40), |i| (i as f64 * 0.37).sin());
/// // loss = sum(exp(x) * x): 1200 elements, three evaluations.
/// let report = check::directional(
///     |t, v| {
///         let e = t.exp(v[0])?;
///         let p = t.mul(e, v[0])?;
///         t.sum(p)
///     },
///     &[x],
///     &CheckOptions::default(),
///     7,
/// )?;
/// assert!(report.ok(), "analytic {} numeric {}", report.analytic, report.numeric);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn directional<F>(
    f: F,
    inputs: &[Tensor<f64>],
    opts: &CheckOptions,
    seed: u64,
) -> Result<DirectionalReport>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    opts.validate()?;
    let numel: usize = inputs.iter().map(|t| t.numel()).sum();
    if numel == 0 {
        return Err(nothing_to_check());
    }
    let direction = unit_direction(numel, seed);

    let mut tape = Tape::new();
    let mut vars = Vec::with_capacity(inputs.len());
    let loss = run(&mut tape, &f, inputs, &mut vars)?;
    tape.backward(loss)?;
    let mut analytic = 0.0;
    let mut d = direction.iter();
    for &v in &vars {
        for (&g, &dk) in tape.grad(v)?.iter().zip(&mut d) {
            analytic += g * dk;
        }
    }

    let largest = inputs
        .iter()
        .flat_map(|t| t.data())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    let h = opts.step * largest.max(1.0);
    let moved = |sign: f64| -> Vec<Tensor<f64>> {
        let mut d = direction.iter();
        inputs
            .iter()
            .map(|t| {
                let mut t = t.clone();
                for (x, &dk) in t.data_mut().iter_mut().zip(&mut d) {
                    *x += sign * h * dk;
                }
                t
            })
            .collect()
    };
    let up = run(&mut tape, &f, &moved(1.0), &mut vars)?;
    let f_up = tape.item(up)?;
    let down = run(&mut tape, &f, &moved(-1.0), &mut vars)?;
    let f_down = tape.item(down)?;
    let numeric = (f_up - f_down) / (2.0 * h);
    Ok(DirectionalReport::new(seed, analytic, numeric, opts))
}

fn run<F>(tape: &mut Tape<f64>, f: &F, inputs: &[Tensor<f64>], vars: &mut Vec<Var>) -> Result<Var>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    tape.reset();
    vars.clear();
    vars.extend(inputs.iter().map(|t| tape.variable(t)));
    let loss = f(tape, vars)?;
    let shape = tape.shape(loss)?;
    if shape.numel() != 1 {
        return Err(not_a_loss("check::directional", shape));
    }
    Ok(loss)
}

/// `n` components uniform in `[-1, 1)` from the crate's portable generator
/// seeded with `seed`, scaled to unit Euclidean length.
fn unit_direction(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::seed_from_u64(seed);
    let mut d: Vec<f64> = (0..n).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let norm = d.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 0.0 {
        d.iter_mut().for_each(|x| *x /= norm);
    } else {
        // Every draw was exactly zero (practically impossible): any unit
        // vector will do.
        d[0] = 1.0;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Shape;
    use crate::Error;

    #[test]
    fn direction_is_unit_length_and_fixed_by_the_seed() {
        let a = unit_direction(50, 3);
        let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-12);
        assert_eq!(a, unit_direction(50, 3));
        assert_ne!(a, unit_direction(50, 4));
        assert!(a.iter().any(|&x| x < 0.0) && a.iter().any(|&x| x > 0.0));
    }

    #[test]
    fn passes_for_a_correct_gradient_over_several_inputs() {
        let a = Tensor::from_fn(Shape::matrix(3, 4), |i| 0.3 * i as f64 - 1.5);
        let b = Tensor::from_fn(Shape::matrix(3, 1), |i| 1.0 + i as f64);
        for seed in 0..5 {
            let r = directional(
                |t, v| {
                    let e = t.exp(v[0])?;
                    let s = t.sum_axis(e, 1)?;
                    let p = t.mul(s, v[1])?;
                    let p = t.mul(p, v[1])?;
                    t.sum(p)
                },
                &[a.clone(), b.clone()],
                &CheckOptions::default(),
                seed,
            )
            .unwrap();
            assert!(r.ok(), "{r:?}");
            assert!(r.analytic.abs() > 1e-3);
        }
    }

    #[test]
    fn a_non_scalar_result_or_no_elements_is_an_error() {
        let x = Tensor::from_fn(Shape::vector(2), |i| i as f64);
        let r = directional(|t, v| t.exp(v[0]), &[x], &Default::default(), 0);
        assert!(
            matches!(
                &r,
                Err(Error::InvalidShape { op: "check::directional", shape, .. })
                    if *shape == Shape::vector(2).dims()
            ),
            "{r:?}"
        );
        let r = directional(|t, _| Ok(t.scalar(1.0)), &[], &Default::default(), 0);
        assert_eq!(
            crate::error::expect::invalid(r),
            ("inputs", "there are no elements to check".into())
        );
    }
}
