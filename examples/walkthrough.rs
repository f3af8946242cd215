//! A guided tour of reverse-mode automatic differentiation with arithgrad,
//! in the spirit of Andrej Karpathy's micrograd.
//!
//! Run it with
//!
//! ```text
//! cargo run --example walkthrough
//! ```
//!
//! and optionally draw the recorded graph with Graphviz:
//!
//! ```text
//! cargo run --example walkthrough | sed -n '/^digraph/,/^}/p' > neuron.dot
//! dot -Tsvg neuron.dot > neuron.svg
//! ```
//!
//! We build the smallest interesting "neural network": one neuron with two
//! inputs,
//!
//! ```text
//!     o = tanh(x1*w1 + x2*w2 + b)
//! ```
//!
//! ask the tape for the derivative of `o` with respect to every input, and
//! then check those derivatives the slow, obvious way: by nudging each input
//! a tiny bit and watching how much `o` moves (finite differences).

use arithgrad::check::{self, CheckOptions};
use arithgrad::{Result, Shape, Tape, Tensor, Var};

/// Names and values of the five inputs. The bias is chosen (as in
/// micrograd) so that the neuron's pre-activation is `atanh(1/sqrt(2))`,
/// which makes the output `1/sqrt(2)` and the numbers below easy to read.
const NAMES: [&str; 5] = ["x1", "x2", "w1", "w2", "b"];
const VALUES: [f64; 5] = [2.0, 0.0, -3.0, 1.0, 6.881_373_587_019_543];

/// The neuron's forward pass, written once and used twice: with
/// differentiable inputs (to get gradients) and with plain constants (for
/// the finite differences).
///
/// Every call such as `tape.mul(a, b)` does two things: it computes the
/// result right away (the tape is "eager"), and it appends one entry to the
/// tape saying "node k = mul(node i, node j)". That list of entries (a
/// *Wengert list*) is all `backward` needs later.
fn neuron(tape: &mut Tape<f64>, inputs: [Var; 5]) -> Result<Var> {
    let [x1, x2, w1, w2, b] = inputs;
    let x1w1 = tape.mul(x1, w1)?; // -6
    let x2w2 = tape.mul(x2, w2)?; //  0
    let weighted = tape.add(x1w1, x2w2)?; // -6
    let n = tape.add(weighted, b)?; // 0.8813...
    tape.tanh(n) // 0.7071...
}

/// `o` as a plain number, for given input values. A fresh tape is cheap;
/// here every input is a constant, because we only want the value.
fn output_at(values: [f64; 5]) -> Result<f64> {
    let mut tape = Tape::new();
    let inputs = values.map(|x| tape.scalar(x));
    let o = neuron(&mut tape, inputs)?;
    tape.item(o)
}

fn main() -> Result<()> {
    // ------------------------------------------------------------------
    // 1. Forward: record the computation.
    // ------------------------------------------------------------------
    // `variable` marks a value we want gradients for (a "leaf" of the
    // graph). Here that is every input, weights and data alike.
    let mut tape = Tape::<f64>::new();
    let inputs = VALUES.map(|x| tape.variable(&Tensor::scalar(x)));
    let o = neuron(&mut tape, inputs)?;
    println!("== 1. forward");
    println!("o = tanh(x1*w1 + x2*w2 + b) = {:.6}", tape.item(o)?);
    println!("the tape now holds {} nodes\n", tape.len());

    // ------------------------------------------------------------------
    // 2. Backward: one reverse sweep computes do/d(every node).
    // ------------------------------------------------------------------
    // The sweep starts with do/do = 1 and walks the tape from the last
    // entry to the first. Each entry passes its gradient on to its operands
    // by its local chain rule (its "vector-Jacobian product"):
    //
    //   o = tanh(n)   ->  dn += do * (1 - o^2)
    //   n = s + b     ->  ds += dn,   db += dn
    //   p = x * w     ->  dx += dp * w,   dw += dp * x
    //
    // Because gradients are *added*, a value used twice receives both
    // contributions (try `tape.add(x1, x1)` and look at x1's gradient).
    tape.backward(o)?;
    let mut from_tape = [0.0; 5];
    for (g, &v) in from_tape.iter_mut().zip(&inputs) {
        *g = tape.grad(v)?[0];
    }

    // ------------------------------------------------------------------
    // 3. Check by finite differences.
    // ------------------------------------------------------------------
    // The derivative is the slope: do/dx ~ (o(x + h) - o(x - h)) / (2h).
    // This "central difference" is accurate to about h^2, but it needs two
    // forward passes per input, where the tape needed one backward sweep
    // for all of them. That is the whole point of reverse mode: a network
    // with a million weights still needs one sweep.
    let h = 1e-6;
    println!("== 2. gradients: tape vs. central differences (h = {h:e})");
    println!(
        "{:>4} {:>8} {:>14} {:>14} {:>10}",
        "", "value", "tape", "finite diff", "|diff|"
    );
    for (i, name) in NAMES.iter().enumerate() {
        let (mut up, mut down) = (VALUES, VALUES);
        up[i] += h;
        down[i] -= h;
        let numeric = (output_at(up)? - output_at(down)?) / (2.0 * h);
        println!(
            "{name:>4} {:>8.4} {:>14.9} {:>14.9} {:>10.1e}",
            VALUES[i],
            from_tape[i],
            numeric,
            (from_tape[i] - numeric).abs()
        );
    }
    // Reading the table: o = 1/sqrt(2), so tanh'(n) = 1 - o^2 = 0.5.
    // Then do/db = 0.5, do/dw1 = x1 * 0.5 = 1, do/dx1 = w1 * 0.5 = -1.5,
    // and do/dw2 = x2 * 0.5 = 0: a weight on a zero input cannot change
    // the output, so its gradient is zero.

    // The crate packages the same comparison (with step and tolerance
    // choices explained in its docs) as `arithgrad::check::gradient`. It
    // takes the inputs as tensors and a closure that records the function.
    let as_tensors: Vec<Tensor<f64>> = VALUES.iter().map(|&x| Tensor::scalar(x)).collect();
    let report = check::gradient(
        |t, v| neuron(t, [v[0], v[1], v[2], v[3], v[4]]),
        &as_tensors,
        &CheckOptions::default(),
    )?;
    println!(
        "\narithgrad::check::gradient: {} elements checked, {}",
        report.checked,
        if report.ok() { "all agree" } else { "MISMATCH" }
    );

    // ------------------------------------------------------------------
    // 4. Tensors, not just scalars.
    // ------------------------------------------------------------------
    // Every value on the tape is a tensor; a scalar is the rank-0 case. The
    // same rules work elementwise: here loss = sum(x * x), so dloss/dx = 2x.
    let mut t2 = Tape::<f64>::new();
    let x = t2.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, -2.0, 0.5])?);
    let sq = t2.mul(x, x)?;
    let loss = t2.sum(sq)?;
    t2.backward(loss)?;
    println!("\n== 3. tensors");
    println!("x = {:?}", t2.value(x)?);
    println!("d sum(x*x) / dx = {:?}  (= 2x)", t2.grad(x)?);

    // ------------------------------------------------------------------
    // 5. The graph itself.
    // ------------------------------------------------------------------
    // `to_dot` prints the recorded graph in Graphviz's DOT language: boxes
    // are leaves (filled ones are differentiable), ellipses are operations,
    // and one-element nodes show their value and gradient.
    println!("\n== 4. the neuron's graph (Graphviz DOT)");
    print!("{}", tape.to_dot());
    Ok(())
}
