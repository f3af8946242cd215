//! Element-by-element checks against central differences: [`gradient`] for
//! input tensors, [`param_gradient`] for a parameter store.

use super::report::{multi_index, GradReport, Mismatch};
use super::{not_a_loss, nothing_to_check, CheckOptions};
use crate::error::Result;
use crate::tape::{ParamStore, Tape, Var};
use crate::tensor::{Shape, Tensor};

/// Checks the tape's gradient of `f` with respect to every element of every
/// input against central differences.
///
/// `f` receives a tape on which each input has been recorded as a
/// differentiable leaf ([`Tape::variable`]), in order, and returns a
/// one-element loss (any other size is an [`crate::Error::InvalidShape`]).
/// It is called once for the analytic gradient and twice per element for
/// the numeric one, always on the same tape, [reset](Tape::reset) in
/// between. Errors from `f` are passed on; disagreement is *not* an error
/// but is described in the returned [`GradReport`] (use
/// [`GradReport::into_result`] to turn it into one).
///
/// ```
/// use arithgrad::check::{self, CheckOptions};
/// use arithgrad::{Shape, Tensor};
/// let a = Tensor::from_vec(Shape::matrix(2, 2), vec![1.0, 2.0, 3.0, 4.0])?;
/// let b = Tensor::from_vec(Shape::matrix(2, 2), vec![0.5, -1.0, 0.25, 2.0])?;
/// // loss = sum_axis(a * b, 1) summed: d/da = b, d/db = a
/// let report = check::gradient(
///     |t, v| {
///         let p = t.mul(v[0], v[1])?;
///         let rows = t.sum_axis(p, 1)?;
///         t.sum(rows)
///     },
///     &[a, b],
///     &CheckOptions::default(),
/// )?
/// .into_result()?;
/// assert_eq!(report.checked, 8);
/// assert!(report.max_abs_error < 1e-8);
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn gradient<F>(f: F, inputs: &[Tensor<f64>], opts: &CheckOptions) -> Result<GradReport>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    opts.validate()?;
    let mut blocks = Vec::with_capacity(inputs.len());
    let mut flat = Vec::new();
    for (k, t) in inputs.iter().enumerate() {
        blocks.push(Block {
            input: k,
            name: format!("input {k}"),
            shape: t.shape(),
            offset: flat.len(),
        });
        flat.extend_from_slice(t.data());
    }
    if flat.is_empty() {
        return Err(nothing_to_check());
    }

    let mut tape = Tape::new();
    let mut vars = Vec::with_capacity(inputs.len());
    let loss = run_on_inputs(&mut tape, &f, &flat, &blocks, &mut vars)?;
    tape.backward(loss)?;
    let mut analytic = Vec::with_capacity(flat.len());
    for &v in &vars {
        analytic.extend_from_slice(tape.grad(v)?);
    }

    compare_elements(
        &mut flat,
        |flat| flat.as_mut_slice(),
        |flat| {
            let loss = run_on_inputs(&mut tape, &f, flat, &blocks, &mut vars)?;
            tape.item(loss)
        },
        &blocks,
        &analytic,
        opts,
    )
}

/// Checks the gradient of `f` with respect to every element of every
/// parameter in `params` against central differences.
///
/// `f` loads the parameters it uses with [`Tape::param`] and returns a
/// one-element loss; the analytic gradient is what
/// [`Tape::accumulate_grads`] adds into the store, so this checks a model
/// exactly the way training uses it. The check works on a clone of
/// `params`, which is left untouched. A parameter `f` never loads has a
/// zero gradient both ways.
///
/// ```
/// use arithgrad::check::{self, CheckOptions};
/// use arithgrad::{ParamStore, Shape, Tensor};
/// let mut params = ParamStore::new();
/// let w = params.add("w", Tensor::from_vec(Shape::vector(3), vec![0.1, 0.2, -0.3])?)?;
/// let x = Tensor::from_vec(Shape::vector(3), vec![1.0, 2.0, 3.0])?;
/// // loss = sum(exp(w * x))
/// let report = check::param_gradient(
///     |t, p| {
///         let w = t.param(p, w)?;
///         let x = t.constant(&x);
///         let wx = t.mul(w, x)?;
///         let e = t.exp(wx)?;
///         t.sum(e)
///     },
///     &params,
///     &CheckOptions::default(),
/// )?;
/// assert!(report.ok(), "{report}");
/// # Ok::<(), arithgrad::Error>(())
/// ```
pub fn param_gradient<F>(f: F, params: &ParamStore<f64>, opts: &CheckOptions) -> Result<GradReport>
where
    F: Fn(&mut Tape<f64>, &ParamStore<f64>) -> Result<Var>,
{
    opts.validate()?;
    if params.numel() == 0 {
        return Err(nothing_to_check());
    }
    let blocks: Vec<Block> = params
        .infos()
        .iter()
        .enumerate()
        .map(|(k, info)| Block {
            input: k,
            name: format!("parameter `{}`", info.name),
            shape: info.shape,
            offset: info.offset,
        })
        .collect();

    let mut store = params.clone();
    store.zero_grad();
    let mut tape = Tape::new();
    let loss = run_on_params(&mut tape, &f, &store)?;
    tape.backward(loss)?;
    tape.accumulate_grads(&mut store)?;
    let analytic = store.grads().to_vec();

    compare_elements(
        &mut store,
        |store| store.values_mut(),
        |store| {
            let loss = run_on_params(&mut tape, &f, store)?;
            tape.item(loss)
        },
        &blocks,
        &analytic,
        opts,
    )
}

/// One checked tensor's place in the flat buffer of all checked elements.
struct Block {
    input: usize,
    name: String,
    shape: Shape,
    offset: usize,
}

/// Resets `tape`, records every block of `flat` as a variable (handles in
/// `vars`), and runs `f` on them.
fn run_on_inputs<F>(
    tape: &mut Tape<f64>,
    f: &F,
    flat: &[f64],
    blocks: &[Block],
    vars: &mut Vec<Var>,
) -> Result<Var>
where
    F: Fn(&mut Tape<f64>, &[Var]) -> Result<Var>,
{
    tape.reset();
    vars.clear();
    for b in blocks {
        let data = &flat[b.offset..b.offset + b.shape.numel()];
        vars.push(tape.variable_slice(b.shape, data)?);
    }
    let loss = f(tape, vars)?;
    require_one_element(tape, loss, "check::gradient")
}

/// Resets `tape` and runs `f` on `store`.
fn run_on_params<F>(tape: &mut Tape<f64>, f: &F, store: &ParamStore<f64>) -> Result<Var>
where
    F: Fn(&mut Tape<f64>, &ParamStore<f64>) -> Result<Var>,
{
    tape.reset();
    let loss = f(tape, store)?;
    require_one_element(tape, loss, "check::param_gradient")
}

fn require_one_element(tape: &Tape<f64>, loss: Var, op: &'static str) -> Result<Var> {
    let shape = tape.shape(loss)?;
    if shape.numel() != 1 {
        return Err(not_a_loss(op, shape));
    }
    Ok(loss)
}

/// The shared loop: moves each element of the flat buffer `flat(state)` a
/// step each way, evaluates `loss_at(state)` there, and compares the
/// central difference with `analytic` (same layout). Every element is
/// restored to its exact original value before the next one moves.
fn compare_elements<S>(
    state: &mut S,
    flat: fn(&mut S) -> &mut [f64],
    mut loss_at: impl FnMut(&S) -> Result<f64>,
    blocks: &[Block],
    analytic: &[f64],
    opts: &CheckOptions,
) -> Result<GradReport> {
    let mut report = GradReport::new();
    for b in blocks {
        for index in 0..b.shape.numel() {
            let i = b.offset + index;
            let x = flat(state)[i];
            let h = opts.step_at(x);
            let (up, down) = (x + h, x - h);
            flat(state)[i] = up;
            let f_up = loss_at(state);
            flat(state)[i] = down;
            let f_down = loss_at(state);
            flat(state)[i] = x;
            // Divide by the step actually taken, after rounding.
            let numeric = (f_up? - f_down?) / (up - down);
            let a = analytic[i];
            report.record(a, numeric, opts.accepts(a, numeric), || Mismatch {
                input: b.input,
                name: b.name.clone(),
                index,
                multi_index: multi_index(b.shape, index),
                analytic: a,
                numeric,
                tolerance: opts.tolerance(a, numeric),
            });
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn vector(data: &[f64]) -> Tensor<f64> {
        Tensor::from_slice(Shape::vector(data.len()), data).unwrap()
    }

    #[test]
    fn passes_for_a_correct_gradient_and_counts_every_element() {
        let a = Tensor::from_fn(Shape::new(&[2, 3, 2]).unwrap(), |i| 0.1 * i as f64 - 0.5);
        let b = vector(&[0.3, -0.7]);
        let report = gradient(
            |t, v| {
                let e = t.exp(v[0])?;
                let s = t.sum_axis(e, 1)?;
                let m = t.mul(s, s)?;
                let r = t.sum(m)?;
                let q = t.mul(v[1], v[1])?;
                let q = t.sum(q)?;
                t.mul(r, q)
            },
            &[a, b],
            &CheckOptions::default(),
        )
        .unwrap();
        assert!(report.ok(), "{report}");
        assert_eq!(report.checked, 14);
        assert!(report.max_rel_error < 1e-7, "{report}");
    }

    #[test]
    fn inputs_are_restored_between_elements() {
        // If an element were left perturbed, the numeric derivative of the
        // next one would be off by the cross term.
        let report = gradient(
            |t, v| {
                let p = t.mul(v[0], v[0])?;
                let q = t.mul(p, v[0])?;
                let s = t.sum(q)?;
                t.mul(s, s)
            },
            &[vector(&[1.0, 2.0, 3.0])],
            &CheckOptions::default(),
        )
        .unwrap();
        assert!(report.ok(), "{report}");
    }

    #[test]
    fn a_non_scalar_result_is_an_error() {
        let e = gradient(
            |t, v| t.exp(v[0]),
            &[vector(&[1.0, 2.0])],
            &Default::default(),
        );
        assert!(matches!(
            e,
            Err(Error::InvalidShape {
                op: "check::gradient",
                ..
            })
        ));
        // One element of any rank is a loss.
        let r = gradient(|t, v| t.exp(v[0]), &[vector(&[1.0])], &Default::default()).unwrap();
        assert!(r.ok());
    }

    #[test]
    fn nothing_to_check_and_bad_options_are_errors() {
        use crate::error::expect::invalid;
        let empty = gradient(|t, _| Ok(t.scalar(1.0)), &[], &Default::default());
        assert_eq!(
            invalid(empty),
            ("inputs", "there are no elements to check".into())
        );
        let bad = CheckOptions::default().with_step(-1.0);
        let r = gradient(|t, v| t.sum(v[0]), &[vector(&[1.0])], &bad);
        assert_eq!(invalid(r).0, "step");
    }

    #[test]
    fn errors_of_the_function_are_passed_on() {
        let e = gradient(
            |t, v| t.mul(v[0], v[1]),
            &[vector(&[1.0]), vector(&[1.0, 2.0])],
            &Default::default(),
        );
        assert!(matches!(e, Err(Error::ShapeMismatch { op: "mul", .. })));
    }

    #[test]
    fn an_unused_input_has_zero_gradient_both_ways() {
        let r = gradient(
            |t, v| t.sum(v[0]),
            &[vector(&[1.0, 2.0]), vector(&[3.0])],
            &Default::default(),
        )
        .unwrap();
        assert!(r.ok());
        assert_eq!(r.checked, 3);
    }

    #[test]
    fn param_gradient_checks_every_parameter_and_leaves_the_store_alone() {
        let mut p = ParamStore::new();
        let w = p
            .add(
                "w",
                Tensor::from_fn(Shape::matrix(2, 2), |i| 0.2 * i as f64),
            )
            .unwrap();
        let b = p
            .add(
                "b",
                Tensor::from_vec(Shape::matrix(2, 1), vec![0.5, -0.5]).unwrap(),
            )
            .unwrap();
        p.add("unused", vector(&[9.0])).unwrap();
        p.grad_mut(w).unwrap()[0] = 123.0;
        let before = p.clone();
        let report = param_gradient(
            |t, p| {
                let w = t.param(p, w)?;
                let b = t.param(p, b)?;
                let e = t.exp(w)?;
                let rows = t.sum_axis(e, 1)?;
                let rows = t.sum_axis(rows, 1)?;
                let y = t.mul(rows, b)?;
                let y = t.mul(y, y)?;
                t.sum(y)
            },
            &p,
            &CheckOptions::default(),
        )
        .unwrap();
        assert!(report.ok(), "{report}");
        assert_eq!(report.checked, 7);
        assert_eq!(p.values(), before.values());
        assert_eq!(p.grads(), before.grads());
    }

    #[test]
    fn param_gradient_with_an_empty_store_is_an_error() {
        let p = ParamStore::new();
        let r = param_gradient(|t, _| Ok(t.scalar(0.0)), &p, &Default::default());
        assert_eq!(
            crate::error::expect::invalid(r),
            ("inputs", "there are no elements to check".into())
        );
    }
}
