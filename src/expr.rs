//! Layer 2, part three: expressions with operators, for teaching and quick
//! scripts, recorded on the same [`Tape`] as everything else.
//!
//! A [`Graph`] owns a tape; an [`Expr`] is a `Copy` handle to one of its
//! values that supports `+ - * /` (between expressions, and with a plain
//! number on either side), unary `-`, and methods such as
//! [`Expr::relu`], [`Expr::tanh`], [`Expr::powf`] and [`Expr::sum`].
//! Micrograd's example reads as it does in Python:
//!
//! ```
//! use arithgrad::prelude::*;
//!
//! let graph = Graph::<f64>::new();
//! let a = graph.scalar(-4.0);
//! let b = graph.scalar(2.0);
//! let mut c = a + b;
//! let mut d = a * b + b.powf(3.0);
//! c += c + 1.0;
//! c += 1.0 + c + (-a);
//! d += d * 2.0 + (b + a).relu();
//! d += 3.0 * d + (b - a).relu();
//! let e = c - d;
//! let f = e.powf(2.0);
//! let mut g = f / 2.0;
//! g += 10.0 / f;
//! assert_eq!(format!("{:.4}", g.item()?), "24.7041");
//! g.backward()?;
//! assert_eq!(format!("{:.4}", a.grad_item()?), "138.8338");
//! assert_eq!(format!("{:.4}", b.grad_item()?), "645.5773");
//! # Ok::<(), arithgrad::Error>(())
//! ```
//!
//! Every operator records one operation of [`crate::ops`] on the graph's
//! tape, so an expression computes exactly what the same
//! `tape.op(..)?` calls compute, bit for bit. Operators cannot return a
//! `Result`, so an error (operands of shapes that do not fit, say) is kept
//! by the graph: the first error is returned by the next fallible call
//! ([`Expr::value`], [`Expr::backward`], [`Graph::check`], ...), naming the
//! operation and the shapes, and every expression built on a failed one is
//! failed too.
//!
//! ```
//! use arithgrad::prelude::*;
//!
//! let graph = Graph::<f32>::new();
//! let x = graph.variable(&Tensor::zeros(Shape::vector(3)));
//! let y = graph.variable(&Tensor::zeros(Shape::vector(2)));
//! let z = (x + y).tanh().sum(); // no error yet: operators cannot return one
//! assert_eq!(
//!     z.backward(),
//!     Err(Error::ShapeMismatch { op: "add", left: vec![3], right: vec![2] })
//! );
//! ```
//!
//! For a training loop, [`Graph::reset`] forgets the recorded values (it
//! needs `&mut`, so no expression of the previous step can outlive it) and
//! [`Graph::tape`] hands the tape to an optimizer (see
//! [`crate::optim::Optimizer::update`]).

use std::cell::{Ref, RefCell, RefMut};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::error::{Error, Result};
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape, Tensor};

/// A tape that expressions record onto, and the first error they met.
#[derive(Debug, Default)]
pub struct Graph<T: Element> {
    tape: RefCell<Tape<T>>,
    error: RefCell<Option<Error>>,
}

/// A `Copy` handle to a value recorded on a [`Graph`], with operators.
///
/// An expression whose recording failed holds no value; the graph keeps the
/// error (see the [module documentation](self)).
#[derive(Clone, Copy, Debug)]
pub struct Expr<'g, T: Element> {
    graph: &'g Graph<T>,
    var: Option<Var>,
}

impl<T: Element> Graph<T> {
    /// An empty graph on a new tape.
    pub fn new() -> Self {
        Self::from_tape(Tape::new())
    }

    /// A graph recording onto an existing tape (for instance one with
    /// checked mode on).
    pub fn from_tape(tape: Tape<T>) -> Self {
        Graph {
            tape: RefCell::new(tape),
            error: RefCell::new(None),
        }
    }

    /// The tape, with everything recorded on it.
    pub fn into_tape(self) -> Tape<T> {
        self.tape.into_inner()
    }

    /// The tape, to read it or hand it to an optimizer. Hold the guard only
    /// briefly: recording an expression while it is held panics.
    pub fn tape(&self) -> Ref<'_, Tape<T>> {
        self.tape.borrow()
    }

    /// The tape, to record on it directly; wrap the results with
    /// [`Graph::expr`]. The same caution as for [`Graph::tape`] applies.
    pub fn tape_mut(&self) -> RefMut<'_, Tape<T>> {
        self.tape.borrow_mut()
    }

    /// Forgets every recorded value and any kept error, and keeps the
    /// memory (see [`Tape::reset`]).
    pub fn reset(&mut self) {
        self.tape.get_mut().reset();
        *self.error.get_mut() = None;
    }

    /// `Ok` unless an expression on this graph failed; then that first error.
    pub fn check(&self) -> Result<()> {
        match &*self.error.borrow() {
            None => Ok(()),
            Some(e) => Err(e.clone()),
        }
    }

    /// Wraps a handle recorded on this graph's tape.
    pub fn expr(&self, var: Var) -> Expr<'_, T> {
        Expr {
            graph: self,
            var: Some(var),
        }
    }

    /// Runs `f` on a graph that records onto `tape`, and returns the handle
    /// of the expression it builds: a way to use expressions where a
    /// `&mut Tape` is given, as in [`crate::check::gradient`]'s closure.
    ///
    /// ```
    /// use arithgrad::prelude::*;
    /// let mut tape = Tape::<f64>::new();
    /// let x = tape.variable(&Tensor::scalar(3.0));
    /// let y = Graph::on_tape(&mut tape, |g| g.expr(x) * g.expr(x) + 1.0)?;
    /// assert_eq!(tape.item(y)?, 10.0);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn on_tape(
        tape: &mut Tape<T>,
        f: impl for<'g> FnOnce(&'g Graph<T>) -> Expr<'g, T>,
    ) -> Result<Var> {
        let graph = Graph::from_tape(std::mem::take(tape));
        let var = f(&graph).var();
        *tape = graph.into_tape();
        var
    }

    /// Records with `f` and wraps the result; an error is kept.
    fn record(&self, f: impl FnOnce(&mut Tape<T>) -> Result<Var>) -> Expr<'_, T> {
        let result = f(&mut self.tape.borrow_mut());
        let var = match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                None
            }
        };
        Expr { graph: self, var }
    }

    /// A differentiable scalar (micrograd's `Value(x)`).
    pub fn scalar(&self, value: T) -> Expr<'_, T> {
        self.record(|t| Ok(t.variable(&Tensor::scalar(value))))
    }

    /// A differentiable tensor.
    pub fn variable(&self, value: &Tensor<T>) -> Expr<'_, T> {
        self.record(|t| Ok(t.variable(value)))
    }

    /// A tensor that is not differentiated (data).
    pub fn constant(&self, value: &Tensor<T>) -> Expr<'_, T> {
        self.record(|t| Ok(t.constant(value)))
    }

    /// Data from a shape and a slice (an error is kept if the lengths differ).
    pub fn constant_slice(&self, shape: Shape, data: &[T]) -> Expr<'_, T> {
        self.record(|t| t.constant_slice(shape, data))
    }

    /// The current value of a parameter (see [`Tape::param`]).
    pub fn param(&self, params: &ParamStore<T>, id: ParamId) -> Expr<'_, T> {
        self.record(|t| t.param(params, id))
    }
}

impl<'g, T: Element> Expr<'g, T> {
    /// The handle on the graph's tape, or the graph's first error.
    pub fn var(&self) -> Result<Var> {
        self.graph.check()?;
        self.var
            .ok_or_else(|| Error::NotAvailable("an expression whose recording failed".into()))
    }

    /// The graph this expression is recorded on.
    pub fn graph(&self) -> &'g Graph<T> {
        self.graph
    }

    /// The value's shape.
    pub fn shape(&self) -> Result<Shape> {
        self.graph.tape().shape(self.var()?)
    }

    /// The value.
    pub fn value(&self) -> Result<Tensor<T>> {
        self.graph.tape().tensor(self.var()?)
    }

    /// The single value of a one-element expression (micrograd's `.data`).
    pub fn item(&self) -> Result<T> {
        self.graph.tape().item(self.var()?)
    }

    /// One reverse sweep from this expression (see [`Tape::backward`]).
    pub fn backward(&self) -> Result<()> {
        let v = self.var()?;
        self.graph.tape.borrow_mut().backward(v)
    }

    /// The gradient of the last backward sweep's loss with respect to this
    /// expression (see [`Tape::grad`]).
    pub fn grad(&self) -> Result<Tensor<T>> {
        let v = self.var()?;
        let tape = self.graph.tape();
        Tensor::from_slice(tape.shape(v)?, tape.grad(v)?)
    }

    /// The gradient of a one-element expression (micrograd's `.grad`).
    pub fn grad_item(&self) -> Result<T> {
        let g = self.grad()?;
        match g.data() {
            [x] => Ok(*x),
            _ => Err(Error::InvalidShape {
                op: "grad_item",
                shape: g.shape().into(),
                reason: "only a one-element value has a single item".into(),
            }),
        }
    }

    /// Records `f(tape, self)`; a failed operand gives a failed result.
    fn unary(self, f: impl FnOnce(&mut Tape<T>, Var) -> Result<Var>) -> Self {
        match self.var {
            Some(a) => self.graph.record(|t| f(t, a)),
            None => self,
        }
    }

    /// Records `f(tape, self, other)`; a failed operand gives a failed result.
    fn binary(self, other: Self, f: impl FnOnce(&mut Tape<T>, Var, Var) -> Result<Var>) -> Self {
        if !std::ptr::eq(self.graph, other.graph) {
            return self
                .graph
                .record(|_| Err(Error::ForeignHandle { what: "expression" }));
        }
        match (self.var, other.var) {
            (Some(a), Some(b)) => self.graph.record(|t| f(t, a, b)),
            _ => Expr {
                graph: self.graph,
                var: None,
            },
        }
    }

    /// `max(x, 0)` elementwise.
    pub fn relu(self) -> Self {
        self.unary(|t, a| t.relu(a))
    }
    /// `tanh(x)` elementwise.
    pub fn tanh(self) -> Self {
        self.unary(|t, a| t.tanh(a))
    }
    /// `1 / (1 + exp(-x))` elementwise.
    pub fn sigmoid(self) -> Self {
        self.unary(|t, a| t.sigmoid(a))
    }
    /// `exp(x)` elementwise.
    pub fn exp(self) -> Self {
        self.unary(|t, a| t.exp(a))
    }
    /// `ln(x)` elementwise.
    pub fn log(self) -> Self {
        self.unary(|t, a| t.log(a))
    }
    /// `sqrt(x)` elementwise.
    pub fn sqrt(self) -> Self {
        self.unary(|t, a| t.sqrt(a))
    }
    /// `|x|` elementwise.
    pub fn abs(self) -> Self {
        self.unary(|t, a| t.abs(a))
    }
    /// `x * x` elementwise.
    pub fn square(self) -> Self {
        self.unary(|t, a| t.square(a))
    }
    /// `x^p` elementwise for a constant `p` (micrograd's `x**p`).
    pub fn powf(self, p: T) -> Self {
        self.unary(|t, a| t.powf(a, p))
    }
    /// `min(max(x, lo), hi)` elementwise.
    pub fn clamp(self, lo: T, hi: T) -> Self {
        self.unary(|t, a| t.clamp(a, lo, hi))
    }
    /// The sum of every element (a scalar).
    pub fn sum(self) -> Self {
        self.unary(|t, a| t.sum(a))
    }
    /// The mean of every element (a scalar).
    pub fn mean(self) -> Self {
        self.unary(|t, a| t.mean(a))
    }
    /// The sum along `axis` (which is removed).
    pub fn sum_axis(self, axis: usize) -> Self {
        self.unary(|t, a| t.sum_axis(a, axis))
    }
    /// The mean along `axis` (which is removed).
    pub fn mean_axis(self, axis: usize) -> Self {
        self.unary(|t, a| t.mean_axis(a, axis))
    }
    /// The matrix transpose.
    pub fn t(self) -> Self {
        self.unary(|t, a| t.transpose(a))
    }
    /// The same values in another shape.
    pub fn reshape(self, shape: Shape) -> Self {
        self.unary(|t, a| t.reshape(a, shape))
    }
    /// Repeated to `shape` (numpy's broadcasting rule).
    pub fn broadcast_to(self, shape: Shape) -> Self {
        self.unary(|t, a| t.broadcast_to(a, shape))
    }
    /// The matrix product `self · other`.
    pub fn matmul(self, other: Self) -> Self {
        self.binary(other, |t, a, b| t.matmul(a, b))
    }
    /// The matrix product `self · otherᵀ`.
    pub fn matmul_nt(self, other: Self) -> Self {
        self.binary(other, |t, a, b| t.matmul_nt(a, b))
    }
    /// The mean squared error `mean((self - target)^2)` (see [`Tape::mse`]).
    pub fn mse(self, target: Self) -> Self {
        self.binary(target, |t, y, target| t.mse(y, target))
    }
    /// `min(x, y)` elementwise.
    pub fn minimum(self, other: Self) -> Self {
        self.binary(other, |t, a, b| t.minimum(a, b))
    }
    /// `max(x, y)` elementwise.
    pub fn maximum(self, other: Self) -> Self {
        self.binary(other, |t, a, b| t.maximum(a, b))
    }
}

impl<'g, T: Element> Neg for Expr<'g, T> {
    type Output = Self;
    fn neg(self) -> Self {
        self.unary(|t, a| t.neg(a))
    }
}

/// The four operators between expressions, with a number on the right, and
/// their assigning forms.
macro_rules! operator {
    ($trait:ident $method:ident, $assign:ident $assign_method:ident, $op:ident, $with_scalar:expr) => {
        impl<'g, T: Element> $trait for Expr<'g, T> {
            type Output = Self;
            fn $method(self, other: Self) -> Self {
                self.binary(other, |t, a, b| t.$op(a, b))
            }
        }
        impl<'g, T: Element> $trait<T> for Expr<'g, T> {
            type Output = Self;
            fn $method(self, c: T) -> Self {
                let f: fn(&mut Tape<T>, Var, T) -> Result<Var> = $with_scalar;
                self.unary(|t, a| f(t, a, c))
            }
        }
        impl<'g, T: Element> $assign for Expr<'g, T> {
            fn $assign_method(&mut self, other: Self) {
                *self = $trait::$method(*self, other);
            }
        }
        impl<'g, T: Element> $assign<T> for Expr<'g, T> {
            fn $assign_method(&mut self, c: T) {
                *self = $trait::$method(*self, c);
            }
        }
    };
}

operator!(Add add, AddAssign add_assign, add, |t, a, c| t.add_scalar(a, c));
// `x - c` is `x + (-c)`: IEEE subtraction is exactly that addition.
operator!(Sub sub, SubAssign sub_assign, sub, |t, a, c| t.add_scalar(a, -c));
operator!(Mul mul, MulAssign mul_assign, mul, |t, a, c| t.mul_scalar(a, c));
operator!(Div div, DivAssign div_assign, div, |t, a, c| t.div_scalar(a, c));

/// A number on the left: `c + x`, `c - x`, `c * x`, `c / x` (Rust needs one
/// implementation per number type).
macro_rules! scalar_on_the_left {
    ($($t:ty)*) => {$(
        impl<'g> Add<Expr<'g, $t>> for $t {
            type Output = Expr<'g, $t>;
            fn add(self, x: Expr<'g, $t>) -> Expr<'g, $t> {
                x.unary(|t, a| t.add_scalar(a, self))
            }
        }
        impl<'g> Sub<Expr<'g, $t>> for $t {
            type Output = Expr<'g, $t>;
            fn sub(self, x: Expr<'g, $t>) -> Expr<'g, $t> {
                x.unary(|t, a| t.scalar_sub(self, a))
            }
        }
        impl<'g> Mul<Expr<'g, $t>> for $t {
            type Output = Expr<'g, $t>;
            fn mul(self, x: Expr<'g, $t>) -> Expr<'g, $t> {
                x.unary(|t, a| t.mul_scalar(a, self))
            }
        }
        impl<'g> Div<Expr<'g, $t>> for $t {
            type Output = Expr<'g, $t>;
            fn div(self, x: Expr<'g, $t>) -> Expr<'g, $t> {
                x.unary(|t, a| t.scalar_div(self, a))
            }
        }
    )*};
}

scalar_on_the_left!(f32 f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_record_the_same_operations_as_the_tape_methods() {
        let graph = Graph::<f64>::new();
        let x = graph.scalar(0.3);
        let y = ((x * 2.0 - 1.0) / 3.0 + (1.0 - x) * (2.0 / x)).tanh();
        let mut t = Tape::<f64>::new();
        let a = t.variable(&Tensor::scalar(0.3));
        let p = t.mul_scalar(a, 2.0).unwrap();
        let p = t.add_scalar(p, -1.0).unwrap();
        let p = t.div_scalar(p, 3.0).unwrap();
        let q = t.scalar_sub(1.0, a).unwrap();
        let r = t.scalar_div(2.0, a).unwrap();
        let q = t.mul(q, r).unwrap();
        let s = t.add(p, q).unwrap();
        let s = t.tanh(s).unwrap();
        assert_eq!(y.item().unwrap().to_bits(), t.item(s).unwrap().to_bits());
        y.backward().unwrap();
        t.backward(s).unwrap();
        assert_eq!(x.grad_item().unwrap(), t.grad(a).unwrap()[0]);
    }

    #[test]
    fn the_first_error_is_kept_and_later_ones_dropped() {
        let graph = Graph::<f64>::new();
        let x = graph.variable(&Tensor::zeros(Shape::vector(2)));
        let y = graph.variable(&Tensor::zeros(Shape::matrix(2, 2)));
        let bad = x * y; // first error
        let worse = bad.matmul(x); // builds on a failed expression
        let unrelated = x.sum();
        let expected = Error::ShapeMismatch {
            op: "mul",
            left: Shape::vector(2).into(),
            right: Shape::matrix(2, 2).into(),
        };
        assert_eq!(worse.value(), Err(expected.clone()));
        assert_eq!(unrelated.item(), Err(expected.clone()));
        assert_eq!(graph.check(), Err(expected));
    }

    #[test]
    fn reset_forgets_the_error() {
        let mut graph = Graph::<f32>::new();
        {
            let x = graph.scalar(1.0);
            let _ = x.sum_axis(3);
            assert!(matches!(
                graph.check(),
                Err(Error::InvalidShape { op: "sum_axis", .. })
            ));
        }
        graph.reset();
        assert_eq!(graph.check(), Ok(()));
        let x = graph.scalar(2.0);
        assert_eq!((x * x).item(), Ok(4.0));
    }

    #[test]
    fn expressions_of_two_graphs_do_not_mix() {
        let (g1, g2) = (Graph::<f64>::new(), Graph::<f64>::new());
        let z = g1.scalar(1.0) + g2.scalar(2.0);
        assert_eq!(z.item(), Err(Error::ForeignHandle { what: "expression" }));
    }

    #[test]
    fn micrograd_neuron() {
        // The neuron of micrograd's walk-through: o = tanh(x1 w1 + x2 w2 + b).
        let graph = Graph::<f64>::new();
        let (x1, x2) = (graph.scalar(2.0), graph.scalar(0.0));
        let (w1, w2) = (graph.scalar(-3.0), graph.scalar(1.0));
        let b = graph.scalar(6.881_373_587_019_543);
        let o = (x1 * w1 + x2 * w2 + b).tanh();
        o.backward().unwrap();
        assert!((o.item().unwrap() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-4);
        assert!((x1.grad_item().unwrap() + 1.5).abs() < 1e-4);
        assert!((w1.grad_item().unwrap() - 1.0).abs() < 1e-4);
        assert!((x2.grad_item().unwrap() - 0.5).abs() < 1e-4);
        assert_eq!(w2.grad_item().unwrap(), 0.0);
    }
}
