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
//! ask for the derivative of `o` with respect to every input, and then check
//! those derivatives the slow, obvious way: by nudging each input a tiny bit
//! and watching how much `o` moves (finite differences).

use arithgrad::check::{self, CheckOptions};
use arithgrad::prelude::*;

/// Names and values of the five inputs. The bias is chosen (as in
/// micrograd) so that the neuron's pre-activation is `atanh(1/sqrt(2))`,
/// which makes the output `1/sqrt(2)` and the numbers below easy to read.
const NAMES: [&str; 5] = ["x1", "x2", "w1", "w2", "b"];
const VALUES: [f64; 5] = [2.0, 0.0, -3.0, 1.0, 6.881_373_587_019_543];

/// The neuron's forward pass, written once and used three times.
///
/// Every operator such as `x1 * w1` does two things: it computes the result
/// right away (the tape is "eager"), and it appends one entry to the graph's
/// tape saying "node k = mul(node i, node j)". That list of entries (a
/// *Wengert list*) is all `backward` needs later.
fn neuron<'g>([x1, x2, w1, w2, b]: [Expr<'g, f64>; 5]) -> Expr<'g, f64> {
    (x1 * w1 + x2 * w2 + b).tanh()
}

/// `o` as a plain number, for given input values. A fresh graph is cheap;
/// here every input is a constant, because we only want the value.
fn output_at(values: [f64; 5]) -> Result<f64> {
    let graph = Graph::new();
    neuron(values.map(|x| graph.constant(&Tensor::scalar(x)))).item()
}

// `c += c + 1.0` is micrograd's line as written (it means c = c + (c + 1)).
#[allow(clippy::misrefactored_assign_op)]
fn main() -> Result<()> {
    // ------------------------------------------------------------------
    // 1. Forward: record the computation.
    // ------------------------------------------------------------------
    // `scalar` makes a value we want gradients for (a "leaf" of the
    // graph, micrograd's `Value`). Here that is every input.
    let graph = Graph::<f64>::new();
    let inputs = VALUES.map(|x| graph.scalar(x));
    let o = neuron(inputs);
    println!("== 1. forward");
    println!("o = tanh(x1*w1 + x2*w2 + b) = {:.6}", o.item()?);
    println!("the tape now holds {} nodes\n", graph.tape().len());

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
    // contributions (try `x1 + x1` and look at x1's gradient).
    o.backward()?;
    let mut from_tape = [0.0; 5];
    for (g, v) in from_tape.iter_mut().zip(&inputs) {
        *g = v.grad_item()?;
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
    // hands a closure a tape and the inputs' handles; `Graph::on_tape`
    // lets the closure use expressions.
    let as_tensors: Vec<Tensor<f64>> = VALUES.iter().map(|&x| Tensor::scalar(x)).collect();
    let report = check::gradient(
        |t, v| Graph::on_tape(t, |g| neuron([0, 1, 2, 3, 4].map(|i| g.expr(v[i])))),
        &as_tensors,
        &CheckOptions::default(),
    )?;
    println!(
        "\narithgrad::check::gradient: {} elements checked, {}",
        report.checked,
        if report.ok() { "all agree" } else { "MISMATCH" }
    );

    // ------------------------------------------------------------------
    // 4. More operations: micrograd's second example, line for line.
    // ------------------------------------------------------------------
    let g2 = Graph::<f64>::new();
    let a = g2.scalar(-4.0);
    let b = g2.scalar(2.0);
    let mut c = a + b;
    let mut d = a * b + b.powf(3.0);
    c += c + 1.0;
    c += 1.0 + c + (-a);
    d += d * 2.0 + (b + a).relu();
    d += 3.0 * d + (b - a).relu();
    let e = c - d;
    let f = e.powf(2.0);
    let mut g = f / 2.0;
    g += 10.0 / f;
    g.backward()?;
    println!("\n== 3. more operations (micrograd's README example)");
    println!("g = {:.4}   (micrograd: 24.7041)", g.item()?);
    println!("dg/da = {:.4}   (micrograd: 138.8338)", a.grad_item()?);
    println!("dg/db = {:.4}   (micrograd: 645.5773)", b.grad_item()?);

    // ------------------------------------------------------------------
    // 5. Tensors, not just scalars.
    // ------------------------------------------------------------------
    // Every value on the tape is a tensor; a scalar is the rank-0 case. The
    // same rules work elementwise: here loss = sum(x * x), so dloss/dx = 2x.
    let g3 = Graph::<f64>::new();
    let x = g3.variable(&Tensor::from_vec(Shape::vector(3), vec![1.0, -2.0, 0.5])?);
    let loss = (x * x).sum();
    loss.backward()?;
    println!("\n== 4. tensors");
    println!("x = {:?}", x.value()?.data());
    println!("d sum(x*x) / dx = {:?}  (= 2x)", x.grad()?.data());

    // ------------------------------------------------------------------
    // 6. The graph itself.
    // ------------------------------------------------------------------
    // `to_dot` prints the recorded graph in Graphviz's DOT language: boxes
    // are leaves (filled ones are differentiable), ellipses are operations,
    // and one-element nodes show their value and gradient.
    println!("\n== 5. the neuron's graph (Graphviz DOT)");
    print!("{}", graph.tape().to_dot());
    Ok(())
}
