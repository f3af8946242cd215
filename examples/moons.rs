//! Micrograd's demo: a 2-16-16-1 MLP learns the two-moons data set.
//!
//! ```text
//! cargo run --release --example moons
//! ```
//!
//! As in micrograd's `demo.ipynb`: 100 points of two interleaving half
//! circles with Gaussian noise (sd 0.1), labels -1 and +1; ReLU hidden
//! layers, a linear output whose sign is the class; the max-margin loss
//! `mean(relu(1 - y * score))` plus `1e-4 * sum(p^2)` over every parameter;
//! 100 steps of full-batch SGD with the learning rate falling from 1.0 to
//! 0.1. It prints the loss and accuracy as it goes, then the decision
//! boundary as a character picture. It reaches 100% training accuracy
//! (`tests/learning.rs` checks it).

use arithgrad::prelude::*;

/// Number of points (half per moon), steps, and the seed of everything.
pub const POINTS: usize = 100;
pub const STEPS: usize = 100;
pub const SEED: u64 = 1337;

/// The two moons: `(x, y)` rows and labels -1 (upper moon) / +1 (lower).
pub fn make_moons(n: usize, noise: f64, rng: &mut Rng) -> (Vec<[f64; 2]>, Vec<f64>) {
    let (outer, inner) = (n / 2, n - n / 2);
    let angle = |i: usize, m: usize| std::f64::consts::PI * i as f64 / (m.max(2) - 1) as f64;
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..outer {
        let t = angle(i, outer);
        points.push([t.cos(), t.sin()]);
        labels.push(-1.0);
    }
    for i in 0..inner {
        let t = angle(i, inner);
        points.push([1.0 - t.cos(), 0.5 - t.sin()]);
        labels.push(1.0);
    }
    for p in &mut points {
        p[0] += noise * rng.normal();
        p[1] += noise * rng.normal();
    }
    (points, labels)
}

/// A multi-layer perceptron: `W` (`[out, in]`, uniform in [-1, 1) as in
/// micrograd) and `b` (zeros) per layer, ReLU between layers.
pub struct Mlp {
    layers: Vec<(ParamId, ParamId)>,
}

impl Mlp {
    pub fn new(params: &mut ParamStore<f64>, sizes: &[usize], rng: &mut Rng) -> Result<Mlp> {
        let mut layers = Vec::new();
        for (k, io) in sizes.windows(2).enumerate() {
            let w = Tensor::from_fn(Shape::matrix(io[1], io[0]), |_| rng.uniform(-1.0, 1.0));
            let w = params.add(format!("layer{}.W", k + 1), w)?;
            let b = params.add(
                format!("layer{}.b", k + 1),
                Tensor::zeros(Shape::vector(io[1])),
            )?;
            layers.push((w, b));
        }
        Ok(Mlp { layers })
    }

    /// The score of every row of `x` (`[rows, 2]` -> `[rows, 1]`).
    pub fn score<'g>(
        &self,
        g: &'g Graph<f64>,
        p: &ParamStore<f64>,
        x: Expr<'g, f64>,
    ) -> Expr<'g, f64> {
        let rows = x.shape().map_or(0, |s| s.dim(0));
        let mut h = x;
        for (k, &(w, b)) in self.layers.iter().enumerate() {
            let outputs = p.shape(b).map_or(0, |s| s.dim(0));
            h = h.matmul_nt(g.param(p, w))
                + g.param(p, b).broadcast_to(Shape::matrix(rows, outputs));
            if k + 1 < self.layers.len() {
                h = h.relu();
            }
        }
        h
    }

    /// `sum(p^2)` over every parameter, for the L2 term.
    pub fn squared_norm<'g>(&self, g: &'g Graph<f64>, p: &ParamStore<f64>) -> Expr<'g, f64> {
        let mut total = g.constant(&Tensor::scalar(0.0));
        for &(w, b) in &self.layers {
            total = total + g.param(p, w).square().sum() + g.param(p, b).square().sum();
        }
        total
    }
}

/// What training produced: the model, its parameters, the data, and the
/// last step's loss and accuracy.
pub struct Trained {
    pub mlp: Mlp,
    pub params: ParamStore<f64>,
    pub points: Vec<[f64; 2]>,
    pub labels: Vec<f64>,
    pub loss: f64,
    pub accuracy: f64,
}

/// Trains the MLP on the moons; `report` sees every step's loss and
/// accuracy.
pub fn train(mut report: impl FnMut(usize, f64, f64)) -> Result<Trained> {
    let mut rng = Rng::seed_from_u64(SEED);
    let (points, labels) = make_moons(POINTS, 0.1, &mut rng);
    let xs: Vec<f64> = points.iter().flatten().copied().collect();
    let mut params = ParamStore::new();
    let mlp = Mlp::new(&mut params, &[2, 16, 16, 1], &mut rng)?;
    let mut sgd = Sgd::new(SgdConfig::new(1.0))?;
    let mut graph = Graph::new();
    let (mut last_loss, mut last_accuracy) = (f64::NAN, 0.0);
    for step in 0..STEPS {
        graph.reset();
        let x = graph.constant_slice(Shape::matrix(POINTS, 2), &xs);
        let y = graph.constant_slice(Shape::matrix(POINTS, 1), &labels);
        let score = mlp.score(&graph, &params, x);
        let data_loss = (1.0 - y * score).relu().mean();
        let loss = data_loss + 1e-4 * mlp.squared_norm(&graph, &params);
        loss.backward()?;
        sgd.set_learning_rate(1.0 - 0.9 * step as f64 / STEPS as f64)?;
        sgd.update(&graph.tape(), &mut params)?;
        let scores = score.value()?;
        let pairs = scores.data().iter().zip(&labels);
        let correct = pairs.filter(|(s, y)| (**s > 0.0) == (**y > 0.0)).count();
        last_loss = loss.item()?;
        last_accuracy = correct as f64 / POINTS as f64;
        report(step, last_loss, last_accuracy);
    }
    Ok(Trained {
        mlp,
        params,
        points,
        labels,
        loss: last_loss,
        accuracy: last_accuracy,
    })
}

/// The decision boundary as characters: `.` where the score is negative,
/// `#` where positive, the data as `o` (label -1) and `x` (+1).
pub fn picture(
    mlp: &Mlp,
    params: &ParamStore<f64>,
    points: &[[f64; 2]],
    labels: &[f64],
) -> Result<String> {
    let (cols, rows) = (64usize, 24usize);
    let (x0, x1, y0, y1) = (-1.5, 2.5, -1.0, 1.5);
    let cell = |c: usize, r: usize| {
        let x = x0 + (x1 - x0) * (c as f64 + 0.5) / cols as f64;
        let y = y1 - (y1 - y0) * (r as f64 + 0.5) / rows as f64;
        [x, y]
    };
    let grid: Vec<f64> = (0..rows * cols)
        .flat_map(|i| cell(i % cols, i / cols))
        .collect();
    let graph = Graph::new();
    let x = graph.constant_slice(Shape::matrix(rows * cols, 2), &grid);
    let scores = mlp.score(&graph, params, x).value()?;
    let mut chars: Vec<char> = scores
        .data()
        .iter()
        .map(|&s| if s > 0.0 { '#' } else { '.' })
        .collect();
    for (p, &label) in points.iter().zip(labels) {
        let c = ((p[0] - x0) / (x1 - x0) * cols as f64).floor();
        let r = ((y1 - p[1]) / (y1 - y0) * rows as f64).floor();
        if (0.0..cols as f64).contains(&c) && (0.0..rows as f64).contains(&r) {
            chars[r as usize * cols + c as usize] = if label > 0.0 { 'x' } else { 'o' };
        }
    }
    Ok(chars
        .chunks(cols)
        .map(|line| line.iter().collect::<String>() + "\n")
        .collect())
}

fn main() -> Result<()> {
    let trained = train(|step, loss, accuracy| {
        if step % 10 == 0 || step + 1 == STEPS {
            println!(
                "step {step:3}  loss {loss:.6}  accuracy {:.0}%",
                accuracy * 100.0
            );
        }
    })?;
    println!(
        "\nafter {STEPS} steps: loss {:.6}, training accuracy {:.0}%",
        trained.loss,
        trained.accuracy * 100.0
    );
    println!("\ndecision boundary (# score > 0, . score < 0; data: o = -1, x = +1):\n");
    let t = &trained;
    print!("{}", picture(&t.mlp, &t.params, &t.points, &t.labels)?);
    Ok(())
}
