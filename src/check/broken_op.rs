//! TEST ONLY (compiled under `cfg(test)`): a deliberately wrong gradient,
//! and tests showing that every check catches it. It needs no operation of
//! its own: `broken_square(x) = x * k` where `k` is a *constant* holding the
//! current value of `x`. Its value is `x^2`, and finite differences (which
//! re-record the function at `x ± h`, so `k` moves with `x`) see the slope
//! `2x`; but the tape treats `k` as data, so its gradient is `x`. This is
//! the mistake a hand-written "stop gradient" makes, found by the checks.

use crate::error::Result;
use crate::tape::{Tape, Var};

/// Records `x^2` elementwise whose tape gradient is `x` (half the truth).
pub(crate) fn broken_square(tape: &mut Tape<f64>, a: Var) -> Result<Var> {
    let k = tape.tensor(a)?;
    let k = tape.constant(&k);
    tape.mul(a, k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{self, CheckOptions};
    use crate::tensor::{Shape, Tensor};
    use crate::Error;

    /// `sum(broken_square(x))`: analytic `x`, numeric `2x`.
    fn loss(t: &mut Tape<f64>, v: &[Var]) -> Result<Var> {
        let s = broken_square(t, v[0])?;
        t.sum(s)
    }

    fn input() -> Tensor<f64> {
        // Element 0 is 0, where x and 2x agree, so the first mismatch is
        // element 1 = [0, 1].
        Tensor::from_vec(Shape::matrix(2, 2), vec![0.0, 0.5, -1.0, 2.0]).unwrap()
    }

    #[test]
    fn gradient_reports_the_first_wrong_element_with_both_values() {
        let report = check::gradient(loss, &[input()], &CheckOptions::default()).unwrap();
        assert!(!report.ok());
        assert_eq!(report.checked, 4);
        assert_eq!(report.mismatches, 3);
        let m = report.first_mismatch.clone().unwrap();
        assert_eq!(
            (m.input, m.index, m.multi_index.clone()),
            (0, 1, vec![0, 1])
        );
        assert_eq!(m.analytic, 0.5);
        assert!((m.numeric - 1.0).abs() < 1e-8, "{}", m.numeric);
        // The worst element is x = 2: analytic 2, numeric 4.
        assert!((report.max_abs_error - 2.0).abs() < 1e-8);

        let e = report.into_result().unwrap_err();
        match &e {
            Error::GradientMismatch {
                location,
                analytic,
                numeric,
                ..
            } => {
                assert_eq!(location, "element [0, 1] (flat index 1) of input 0");
                assert_eq!(*analytic, 0.5);
                assert!((numeric - 1.0).abs() < 1e-8);
            }
            other => panic!("expected a gradient mismatch, got {other:?}"),
        }
        let text = e.to_string();
        assert!(
            text.contains("[0, 1]") && text.contains("analytic 5e-1") && text.contains("numeric"),
            "{text}"
        );
    }

    #[test]
    fn the_wrong_vjp_is_caught_behind_correct_operations() {
        // exp -> broken_square -> mul -> sum: the error is scaled, not hidden.
        let x = Tensor::from_vec(Shape::vector(3), vec![0.1, -0.2, 0.3]).unwrap();
        let report = check::gradient(
            |t, v| {
                let e = t.exp(v[0])?;
                let s = broken_square(t, e)?;
                let p = t.mul(s, v[0])?;
                t.sum(p)
            },
            &[x],
            &CheckOptions::default(),
        )
        .unwrap();
        assert_eq!(report.mismatches, 3, "{report}");
    }

    #[test]
    fn directional_catches_it_for_every_seed() {
        let x = Tensor::from_fn(Shape::matrix(4, 5), |i| 0.25 * i as f64 - 2.0);
        for seed in 0..10 {
            let r = check::directional(
                loss,
                std::slice::from_ref(&x),
                &CheckOptions::default(),
                seed,
            )
            .unwrap();
            assert!(!r.ok(), "seed {seed}: {r:?}");
            // Along d, the analytic slope is x·d and the true one 2x·d.
            assert!((r.analytic - 0.5 * r.numeric).abs() < 1e-6, "{r:?}");
            let e = r.into_result().unwrap_err().to_string();
            assert!(e.contains(&format!("seed {seed}")), "{e}");
        }
    }

    #[test]
    fn param_gradient_catches_it_and_names_the_parameter() {
        let mut p = crate::ParamStore::new();
        let w = p
            .add(
                "w",
                Tensor::from_vec(Shape::vector(2), vec![1.0, 2.0]).unwrap(),
            )
            .unwrap();
        let report = check::param_gradient(
            |t, p| {
                let w = t.param(p, w)?;
                let s = broken_square(t, w)?;
                t.sum(s)
            },
            &p,
            &CheckOptions::default(),
        )
        .unwrap();
        let m = report.first_mismatch.unwrap();
        assert_eq!(m.name, "parameter `w`");
        assert_eq!((m.index, m.analytic), (0, 1.0));
        assert!((m.numeric - 2.0).abs() < 1e-8);
    }
}
