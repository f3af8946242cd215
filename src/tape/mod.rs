//! Layer 2, part one: the tape (a Wengert list).
//!
//! Every operation appends a node to an arena and writes its output into
//! one flat value buffer. A [`Var`] is a `Copy` handle naming a node. Because
//! a node can only refer to nodes recorded before it, index order is a
//! topological order: the reverse sweep in [`Tape::backward`] is one loop
//! from the loss down to index 0, with no recursion and no sorting.
//!
//! [`Tape::reset`] forgets every node but keeps the arena's capacity, so a
//! training loop that records the same graph each step allocates nothing
//! after its first step. Handles carry the tape's id and its reset count
//! ("epoch"), so a handle from another tape or from before a reset is an
//! error rather than a silent wrong answer.
//!
//! ```
//! use arithgrad::tape::Tape;
//! use arithgrad::tensor::{Shape, Tensor};
//! let mut tape = Tape::<f64>::new();
//! let x = tape.variable(&Tensor::scalar(3.0));
//! let y = tape.mul(x, x)?;           // y = x^2
//! tape.backward(y)?;
//! assert_eq!(tape.grad(x)?, &[6.0]); // dy/dx = 2x
//! # Ok::<(), arithgrad::Error>(())
//! ```

mod backward;
mod dot;
pub(crate) mod op;
mod params;
mod rewind;

pub(crate) use backward::Backward;
pub(crate) use op::Op;
pub use params::{ParamId, ParamInfo, ParamStore};
pub use rewind::Mark;

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, Phase, Result};
use crate::tensor::{Element, Shape, Tensor};

static NEXT_TAPE_ID: AtomicU32 = AtomicU32::new(1);

/// A `Copy` handle to a value recorded on a [`Tape`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    tape: u32,
    epoch: u32,
    index: u32,
}

impl Var {
    /// The node's position on its tape (its index in the Wengert list).
    pub fn index(&self) -> usize {
        self.index as usize
    }
}

/// One entry of the Wengert list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<T> {
    pub(crate) op: Op<T>,
    /// Indices of the operands (only the first `arity` are meaningful).
    pub(crate) inputs: [u32; 3],
    pub(crate) arity: u8,
    pub(crate) shape: Shape,
    /// Start of this node's value in the value buffer.
    pub(crate) offset: usize,
    /// Start of this node's gradient in the gradient buffer. Only nodes with
    /// `needs_grad` take a slot; the others sit at the next free one with
    /// no length.
    pub(crate) grad_offset: usize,
    /// Whether a differentiable leaf reaches this node.
    pub(crate) needs_grad: bool,
}

impl<T> Node<T> {
    /// This node's value in the value buffer.
    pub(crate) fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.shape.numel()
    }

    /// This node's gradient in the gradient buffer (when `needs_grad`).
    pub(crate) fn grad_range(&self) -> Range<usize> {
        self.grad_offset..self.grad_offset + self.shape.numel()
    }
}

/// The Wengert list: an arena of nodes, their values, and after
/// [`Tape::backward`] their gradients.
///
/// Only nodes that a differentiable leaf reaches have a gradient slot, laid
/// out in recording order in their own buffer: a constant input (a batch of
/// data, say) costs no gradient memory and is never zero-filled.
#[derive(Debug)]
pub struct Tape<T> {
    id: u32,
    epoch: u32,
    pub(crate) nodes: Vec<Node<T>>,
    /// Values of the recorded nodes, in recording order, up to `values_len`.
    /// The buffer never shrinks: past `values_len` it keeps what earlier
    /// steps left, so recording into it again costs no zero-filling.
    pub(crate) values: Vec<T>,
    values_len: usize,
    pub(crate) grads: Vec<T>,
    /// Gradient slots handed out since the last reset (the gradient
    /// buffer's length after a backward sweep from the last node).
    grad_len: usize,
    /// Work space some operations need (forward or backward); grows once,
    /// then reused.
    pub(crate) scratch: Vec<T>,
    /// The loss node of the last completed backward sweep.
    pub(crate) backward_from: Option<usize>,
    check_finite: bool,
}

impl<T: Element> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Tape {
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            epoch: 0,
            nodes: Vec::new(),
            values: Vec::new(),
            values_len: 0,
            grads: Vec::new(),
            grad_len: 0,
            scratch: Vec::new(),
            backward_from: None,
            check_finite: false,
        }
    }

    /// Forgets every recorded node but keeps the memory, so the next step
    /// records into the same buffers. Handles from before the reset become
    /// invalid (using one is an [`Error::StaleHandle`]).
    pub fn reset(&mut self) {
        self.nodes.clear();
        self.values_len = 0;
        self.grads.clear();
        self.grad_len = 0;
        self.backward_from = None;
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// Number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether nothing has been recorded since the last reset.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Turns on (or off) checked mode: every operation's output, and every
    /// gradient of the reverse sweep, is checked for NaN and infinity, and the
    /// first one found is reported as [`Error::NonFinite`] naming the
    /// operation, its node index and its operand shapes. Off by default: it
    /// costs one pass over each value.
    pub fn set_check_finite(&mut self, on: bool) {
        self.check_finite = on;
    }

    /// Whether checked mode is on.
    pub fn check_finite(&self) -> bool {
        self.check_finite
    }

    /// Validates a handle and returns its node index.
    pub(crate) fn index_of(&self, v: Var) -> Result<usize> {
        if v.tape != self.id {
            return Err(Error::ForeignHandle {
                what: "value handle",
            });
        }
        if v.epoch != self.epoch || v.index as usize >= self.nodes.len() {
            return Err(Error::StaleHandle {
                what: "value handle",
            });
        }
        Ok(v.index as usize)
    }

    fn handle(&self, index: usize) -> Var {
        Var {
            tape: self.id,
            epoch: self.epoch,
            index: index as u32,
        }
    }

    /// The shape of a recorded value.
    pub fn shape(&self, v: Var) -> Result<Shape> {
        Ok(self.nodes[self.index_of(v)?].shape)
    }

    /// The name of the operation that recorded a value (`"mul"`,
    /// `"tanh"`, `"variable"`, ...), as in errors and [`Tape::to_dot`].
    pub fn op_name(&self, v: Var) -> Result<&'static str> {
        Ok(self.nodes[self.index_of(v)?].op.name())
    }

    /// The value of a recorded node, row-major.
    pub fn value(&self, v: Var) -> Result<&[T]> {
        let i = self.index_of(v)?;
        Ok(&self.values[self.nodes[i].range()])
    }

    /// The value of a recorded node as an owned tensor.
    pub fn tensor(&self, v: Var) -> Result<Tensor<T>> {
        Tensor::from_slice(self.shape(v)?, self.value(v)?)
    }

    /// The single value of a one-element node (e.g. a loss).
    pub fn item(&self, v: Var) -> Result<T> {
        let i = self.index_of(v)?;
        let n = &self.nodes[i];
        if n.shape.numel() != 1 {
            return Err(Error::InvalidShape {
                op: "item",
                shape: n.shape.into(),
                reason: "only a one-element value has a single item".into(),
            });
        }
        Ok(self.values[n.offset])
    }

    /// The gradient offset of a new node: the next free slot, taken only if
    /// it needs a gradient (a node without one gets an empty range there, so
    /// every node's slot lies after those of the nodes before it).
    fn grad_slot(&mut self, needs_grad: bool, shape: Shape) -> usize {
        let at = self.grad_len;
        if needs_grad {
            self.grad_len += shape.numel();
        }
        at
    }

    /// Takes the next `numel` values of the value buffer for a new node and
    /// returns their offset. The slice holds whatever an earlier step left
    /// there (zeros when the buffer first grows): callers overwrite it.
    fn value_slot(&mut self, numel: usize) -> usize {
        let offset = self.values_len;
        let end = offset + numel;
        if self.values.len() < end {
            self.values.resize(end, T::zero());
        }
        self.values_len = end;
        offset
    }

    // ----- leaves -------------------------------------------------------

    fn push_leaf(&mut self, op: Op<T>, shape: Shape, data: &[T], needs_grad: bool) -> Var {
        let offset = self.value_slot(data.len());
        self.values[offset..offset + data.len()].copy_from_slice(data);
        let grad_offset = self.grad_slot(needs_grad, shape);
        self.nodes.push(Node {
            op,
            inputs: [0; 3],
            arity: 0,
            shape,
            offset,
            grad_offset,
            needs_grad,
        });
        self.handle(self.nodes.len() - 1)
    }

    /// Records a constant whose values `fill` writes in place, straight into
    /// the tape's buffer. For large inputs such as training batches this
    /// saves drawing them into a buffer of their own and copying it onto the
    /// tape.
    ///
    /// `fill` must write every element: the slice it gets is not cleared
    /// first (it holds whatever an earlier recording left in that part of the
    /// tape's memory; clearing a 12,800-value batch would cost a visible
    /// share of a training step).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape};
    /// let mut t = Tape::<f32>::new();
    /// let x = t.constant_with(Shape::vector(3), |xs| {
    ///     for (i, v) in xs.iter_mut().enumerate() {
    ///         *v = i as f32;
    ///     }
    /// });
    /// assert_eq!(t.value(x)?, &[0.0, 1.0, 2.0]);
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn constant_with(&mut self, shape: Shape, fill: impl FnOnce(&mut [T])) -> Var {
        let numel = shape.numel();
        let offset = self.value_slot(numel);
        fill(&mut self.values[offset..offset + numel]);
        let grad_offset = self.grad_slot(false, shape);
        self.nodes.push(Node {
            op: Op::Constant,
            inputs: [0; 3],
            arity: 0,
            shape,
            offset,
            grad_offset,
            needs_grad: false,
        });
        self.handle(self.nodes.len() - 1)
    }

    /// Records a constant: a value that is never differentiated.
    pub fn constant(&mut self, t: &Tensor<T>) -> Var {
        self.push_leaf(Op::Constant, t.shape(), t.data(), false)
    }

    /// Records a constant from a shape and a slice (no intermediate tensor).
    pub fn constant_slice(&mut self, shape: Shape, data: &[T]) -> Result<Var> {
        if data.len() != shape.numel() {
            return Err(Error::DataLength {
                expected: shape.numel(),
                actual: data.len(),
            });
        }
        Ok(self.push_leaf(Op::Constant, shape, data, false))
    }

    /// Records a scalar constant.
    pub fn scalar(&mut self, value: T) -> Var {
        self.push_leaf(Op::Constant, Shape::scalar(), &[value], false)
    }

    /// Records a differentiable leaf that is not tied to a parameter store;
    /// read its gradient with [`Tape::grad`].
    pub fn variable(&mut self, t: &Tensor<T>) -> Var {
        self.push_leaf(Op::Leaf(None), t.shape(), t.data(), true)
    }

    /// Records a differentiable leaf from a shape and a slice.
    pub fn variable_slice(&mut self, shape: Shape, data: &[T]) -> Result<Var> {
        if data.len() != shape.numel() {
            return Err(Error::DataLength {
                expected: shape.numel(),
                actual: data.len(),
            });
        }
        Ok(self.push_leaf(Op::Leaf(None), shape, data, true))
    }

    /// Records the current value of a parameter. After [`Tape::backward`],
    /// [`Tape::accumulate_grads`] adds its gradient into the store.
    pub fn param(&mut self, params: &ParamStore<T>, id: ParamId) -> Result<Var> {
        let shape = params.shape(id)?;
        let data = params.value(id)?;
        Ok(self.push_leaf(Op::Leaf(Some(id)), shape, data, true))
    }

    // ----- recording operations ------------------------------------------

    /// Appends a node for `op` with operands `inputs` (node indices, already
    /// validated) and output `shape`, zero-fills its value, and runs
    /// `forward(values_below, out)` where `values_below` is the value buffer
    /// up to (not including) the new node. Used by every operation in
    /// `crate::ops`; it also applies checked mode.
    pub(crate) fn record(
        &mut self,
        op: Op<T>,
        inputs: &[usize],
        shape: Shape,
        forward: impl FnOnce(&[T], &[Node<T>], &mut [T]),
    ) -> Result<Var> {
        self.record_maybe_zeroed(op, inputs, shape, true, forward)
    }

    /// [`Tape::record`] without the zero-fill: `forward` must write every
    /// element of its output (the slice holds whatever an earlier step left
    /// there). For large values that an operation overwrites anyway, such
    /// as the logarithms `log_space_product` saves.
    pub(crate) fn record_overwritten(
        &mut self,
        op: Op<T>,
        inputs: &[usize],
        shape: Shape,
        forward: impl FnOnce(&[T], &[Node<T>], &mut [T]),
    ) -> Result<Var> {
        self.record_maybe_zeroed(op, inputs, shape, false, forward)
    }

    fn record_maybe_zeroed(
        &mut self,
        op: Op<T>,
        inputs: &[usize],
        shape: Shape,
        zeroed: bool,
        forward: impl FnOnce(&[T], &[Node<T>], &mut [T]),
    ) -> Result<Var> {
        let numel = shape.numel();
        let offset = self.value_slot(numel);
        let mut ins = [0u32; 3];
        let mut needs_grad = false;
        for (slot, &i) in ins.iter_mut().zip(inputs) {
            *slot = i as u32;
            needs_grad |= self.nodes[i].needs_grad;
        }
        {
            let (below, rest) = self.values.split_at_mut(offset);
            let out = &mut rest[..numel];
            if zeroed {
                out.fill(T::zero());
            }
            forward(below, &self.nodes, out);
        }
        let grad_offset = self.grad_slot(needs_grad, shape);
        self.nodes.push(Node {
            op,
            inputs: ins,
            arity: inputs.len() as u8,
            shape,
            offset,
            grad_offset,
            needs_grad,
        });
        let index = self.nodes.len() - 1;
        if self.check_finite
            && !self.values[offset..offset + numel]
                .iter()
                .all(|x| x.is_finite())
        {
            return Err(self.non_finite(index, Phase::Forward));
        }
        Ok(self.handle(index))
    }

    /// Records a two-operand operation whose forward `f(a, b, out, work)`
    /// also gets the tape's reusable work space (grown once, then reused).
    pub(crate) fn record_binary_with_work(
        &mut self,
        op: Op<T>,
        a: usize,
        b: usize,
        shape: Shape,
        f: impl FnOnce(&[T], &[T], &mut [T], &mut Vec<T>),
    ) -> Result<Var> {
        let mut work = std::mem::take(&mut self.scratch);
        let var = self.record(op, &[a, b], shape, |vals, nodes, out| {
            f(
                &vals[nodes[a].range()],
                &vals[nodes[b].range()],
                out,
                &mut work,
            )
        });
        self.scratch = work;
        var
    }

    /// Records a one-operand operation whose forward is `f(a, out)`.
    pub(crate) fn record_unary(
        &mut self,
        op: Op<T>,
        a: usize,
        shape: Shape,
        f: impl FnOnce(&[T], &mut [T]),
    ) -> Result<Var> {
        self.record(op, &[a], shape, |vals, nodes, out| {
            f(&vals[nodes[a].range()], out)
        })
    }

    /// Records a two-operand operation whose forward is `f(a, b, out)`.
    pub(crate) fn record_binary(
        &mut self,
        op: Op<T>,
        a: usize,
        b: usize,
        shape: Shape,
        f: impl FnOnce(&[T], &[T], &mut [T]),
    ) -> Result<Var> {
        self.record(op, &[a, b], shape, |vals, nodes, out| {
            f(&vals[nodes[a].range()], &vals[nodes[b].range()], out)
        })
    }

    /// Validates two handles of an elementwise operation: same tape, and the
    /// same shape (no silent broadcasting; use `broadcast_to` explicitly).
    pub(crate) fn same_shape(
        &self,
        op: &'static str,
        a: Var,
        b: Var,
    ) -> Result<(usize, usize, Shape)> {
        let (ia, ib) = (self.index_of(a)?, self.index_of(b)?);
        let (sa, sb) = (self.nodes[ia].shape, self.nodes[ib].shape);
        if sa != sb {
            return Err(Error::ShapeMismatch {
                op,
                left: sa.into(),
                right: sb.into(),
            });
        }
        Ok((ia, ib, sa))
    }

    pub(crate) fn non_finite(&self, index: usize, phase: Phase) -> Error {
        let node = &self.nodes[index];
        let mut shapes = vec![node.shape.into()];
        shapes.extend(
            node.inputs[..node.arity as usize]
                .iter()
                .map(|&i| self.nodes[i as usize].shape.into()),
        );
        Error::NonFinite {
            op: node.op.name(),
            node: index,
            phase,
            shapes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_from_another_tape_or_before_reset_are_errors() {
        let mut a = Tape::<f64>::new();
        let mut b = Tape::<f64>::new();
        let x = a.scalar(1.0);
        b.scalar(1.0);
        assert_eq!(
            b.value(x).unwrap_err(),
            Error::ForeignHandle {
                what: "value handle"
            }
        );
        a.reset();
        a.scalar(2.0);
        assert_eq!(
            a.value(x).unwrap_err(),
            Error::StaleHandle {
                what: "value handle"
            }
        );
    }

    #[test]
    fn reset_keeps_capacity() {
        let mut t = Tape::<f32>::new();
        let x = t.variable(&Tensor::zeros(Shape::matrix(8, 8)));
        let y = t.mul(x, x).unwrap();
        let s = t.sum(y).unwrap();
        t.backward(s).unwrap();
        let (nc, vc, gc) = (t.nodes.capacity(), t.values.capacity(), t.grads.capacity());
        t.reset();
        assert!(t.is_empty());
        assert_eq!(
            (t.nodes.capacity(), t.values.capacity(), t.grads.capacity()),
            (nc, vc, gc)
        );
    }

    #[test]
    fn constants_take_no_gradient_memory() {
        let mut t = Tape::<f32>::new();
        let data = t.constant(&Tensor::full(Shape::matrix(100, 10), 2.0));
        let w = t.variable(&Tensor::full(Shape::matrix(1, 10), 0.5));
        let y = t.matmul_nt(data, w).unwrap();
        let l = t.sum(y).unwrap();
        t.backward(l).unwrap();
        // w (10), y (100), l (1): the 1000 data values have no slot.
        assert_eq!(t.grads.len(), 111);
        assert_eq!(t.grad(w).unwrap(), &[200.0; 10]);
        let r = t.grad(data);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
    }

    #[test]
    fn variables_the_loss_does_not_reach_have_zero_gradient() {
        let mut t = Tape::<f64>::new();
        let x = t.variable(&Tensor::full(Shape::vector(3), 1.0));
        let unused = t.exp(x).unwrap();
        let c = t.constant(&Tensor::full(Shape::vector(2), 4.0));
        let l = t.sum(c).unwrap();
        t.backward(l).unwrap();
        assert_eq!(t.grad(x).unwrap(), &[0.0; 3]);
        assert_eq!(t.grad(unused).unwrap(), &[0.0; 3]);
        let mut t2 = Tape::<f64>::new();
        let x = t2.variable(&Tensor::full(Shape::vector(3), 1.0));
        let c = t2.constant(&Tensor::full(Shape::vector(2), 4.0));
        let e = t2.exp(x).unwrap();
        let l = t2.sum(e).unwrap();
        t2.backward(l).unwrap();
        let r = t2.grad(c);
        assert!(
            matches!(&r, Err(Error::NotAvailable(m)) if m.contains("has no gradient")),
            "{r:?}"
        );
        assert!(t2.to_dot().contains("grad"));
    }

    #[test]
    fn wrong_data_length_is_an_error() {
        let mut t = Tape::<f32>::new();
        assert_eq!(
            t.constant_slice(Shape::matrix(2, 2), &[1.0; 3]).err(),
            Some(Error::DataLength {
                expected: 4,
                actual: 3
            })
        );
        assert_eq!(
            t.variable_slice(Shape::vector(2), &[1.0; 3]).err(),
            Some(Error::DataLength {
                expected: 2,
                actual: 3
            })
        );
    }
}
