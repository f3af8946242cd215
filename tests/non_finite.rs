//! Checked mode (`Tape::set_check_finite`) stops at the first operation whose
//! value or gradient is NaN or infinite, and names it.

use arithgrad::{Error, Phase, Shape, Tape, Tensor};

#[test]
fn forward_stops_at_the_first_non_finite_value_and_names_the_op() {
    let mut t = Tape::<f64>::new();
    t.set_check_finite(true);
    let x = t.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, -2.0, 3.0]).unwrap());
    let e = t.exp(x).unwrap(); // node 1, finite
    let l = t.log(x).unwrap_err(); // log(-2) = NaN at node 2
    assert_eq!(
        l,
        Error::NonFinite {
            op: "log",
            node: 2,
            phase: Phase::Forward,
            shapes: vec![vec![3], vec![3]],
        }
    );
    let msg = l.to_string();
    assert!(
        msg.contains("`log`") && msg.contains("node 2") && msg.contains("[3]"),
        "{msg}"
    );
    // Values recorded before the failure are intact.
    assert!(t.value(e).unwrap().iter().all(|v| v.is_finite()));
}

#[test]
fn backward_stops_at_the_first_non_finite_gradient() {
    let mut t = Tape::<f64>::new();
    t.set_check_finite(true);
    // sqrt is finite at 0 but its derivative 1 / (2 sqrt(0)) is not.
    let x = t.variable(&Tensor::from_vec(Shape::vector(2), vec![0.0, 4.0]).unwrap());
    let s = t.sqrt(x).unwrap();
    let total = t.sum(s).unwrap();
    let e = t.backward(total).unwrap_err();
    match e {
        Error::NonFinite {
            op, node, phase, ..
        } => {
            assert_eq!((op, node, phase), ("sqrt", 1, Phase::Backward));
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
}

#[test]
fn overflow_in_f32_is_caught_where_it_happens() {
    let mut t = Tape::<f32>::new();
    t.set_check_finite(true);
    let x = t.variable(&Tensor::scalar(50.0));
    let y = t.square(x).unwrap(); // 2500, fine
    let e = t.exp(y).unwrap_err(); // exp(2500) overflows f32
    assert!(
        matches!(
            e,
            Error::NonFinite {
                op: "exp",
                node: 2,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn unchecked_mode_lets_nan_flow_without_error() {
    let mut t = Tape::<f64>::new();
    let x = t.variable(&Tensor::scalar(-1.0));
    let y = t.log(x).unwrap();
    assert!(t.item(y).unwrap().is_nan());
    t.backward(y).unwrap();
    assert!(t.grad(x).unwrap()[0].is_finite()); // d log(x)/dx = 1/x = -1
}
