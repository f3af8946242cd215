//! The reverse sweep, and the context each operation's vector-Jacobian
//! product (VJP) receives.

use super::{Node, Op, ParamStore, Tape, Var};
use crate::error::{Error, Phase, Result};
use crate::ops;
use crate::tensor::{Element, Shape};

/// What a VJP sees of its node: the output value and incoming gradient
/// (`out`, `g`), the operands' values and shapes (`inputs`), and their
/// gradient slices to add into (`grads`). `inputs` and `grads` are separate
/// fields so a VJP can read operand values while writing operand gradients.
pub(crate) struct Backward<'a, T> {
    /// The node's output shape.
    pub shape: Shape,
    /// The node's output value.
    pub out: &'a [T],
    /// The gradient of the loss with respect to the output.
    pub g: &'a [T],
    pub inputs: Inputs<'a, T>,
    pub grads: InputGrads<'a, T>,
    /// Reusable work space.
    pub scratch: &'a mut Vec<T>,
}

/// The operands' values and shapes.
pub(crate) struct Inputs<'a, T> {
    nodes: &'a [Node<T>],
    values: &'a [T],
    ids: [u32; 3],
}

impl<'a, T> Inputs<'a, T> {
    /// Operand `k`'s value.
    #[inline]
    pub fn value(&self, k: usize) -> &'a [T] {
        &self.values[self.nodes[self.ids[k] as usize].range()]
    }

    /// Operand `k`'s shape.
    #[inline]
    pub fn shape(&self, k: usize) -> Shape {
        self.nodes[self.ids[k] as usize].shape
    }

    /// The value of node `index`, recorded before this one: an operation that
    /// saves an intermediate value as a constant node of its own (its index
    /// kept in the [`Op`]) reads it back here.
    #[inline]
    pub fn node_value(&self, index: usize) -> &'a [T] {
        &self.values[self.nodes[index].range()]
    }
}

/// Both operands' gradient slices at once (see [`InputGrads::both`]).
pub(crate) type GradPair<'g, T> = (Option<&'g mut [T]>, Option<&'g mut [T]>);

/// The operands' gradient slices (the ones below the current node).
pub(crate) struct InputGrads<'a, T> {
    nodes: &'a [Node<T>],
    grads: &'a mut [T],
    ids: [u32; 3],
}

impl<'a, T> InputGrads<'a, T> {
    /// Operand `k`'s gradient to add into, or `None` when that operand does
    /// not lead back to a differentiable leaf (then nothing is computed).
    #[inline]
    pub fn get(&mut self, k: usize) -> Option<&mut [T]> {
        let n = &self.nodes[self.ids[k] as usize];
        if n.needs_grad {
            Some(&mut self.grads[n.grad_range()])
        } else {
            None
        }
    }

    /// Both operands' gradients at once (each `None` when that operand
    /// needs none), for a VJP that computes them in one pass. `None` when
    /// both operands are the same node (their gradients are one slice):
    /// then use [`InputGrads::get`] twice.
    pub fn both(&mut self) -> Option<GradPair<'_, T>> {
        let (i, j) = (self.ids[0] as usize, self.ids[1] as usize);
        let (a, b) = (&self.nodes[i], &self.nodes[j]);
        let ra = a.needs_grad.then(|| a.grad_range());
        let rb = b.needs_grad.then(|| b.grad_range());
        match (ra, rb) {
            (Some(_), Some(_)) if i == j => None,
            (Some(ra), Some(rb)) if ra.start < rb.start => {
                let (low, high) = self.grads.split_at_mut(rb.start);
                Some((Some(&mut low[ra]), Some(&mut high[..rb.len()])))
            }
            (Some(ra), Some(rb)) => {
                let (low, high) = self.grads.split_at_mut(ra.start);
                Some((Some(&mut high[..ra.len()]), Some(&mut low[rb])))
            }
            (Some(ra), None) => Some((Some(&mut self.grads[ra]), None)),
            (None, Some(rb)) => Some((None, Some(&mut self.grads[rb]))),
            (None, None) => Some((None, None)),
        }
    }
}

impl<T: Element> Tape<T> {
    /// Computes the gradient of the one-element value `loss` with respect to
    /// every node that a differentiable leaf reaches, in one reverse sweep.
    pub fn backward(&mut self, loss: Var) -> Result<()> {
        let l = self.index_of(loss)?;
        let ln = self.nodes[l];
        if ln.shape.numel() != 1 {
            return Err(Error::InvalidShape {
                op: "backward",
                shape: ln.shape.into(),
                reason: "the loss must have exactly one element".into(),
            });
        }
        self.grads.clear();
        self.backward_from = None;
        if !ln.needs_grad {
            // Nothing differentiable reaches the loss: every gradient is 0.
            self.grads.resize(ln.grad_offset, T::zero());
            self.backward_from = Some(l);
            return Ok(());
        }
        // Every slot up to the loss's, zeroed: the VJPs add into them.
        self.grads.resize(ln.grad_offset + 1, T::zero());
        self.grads[ln.grad_offset] = T::one();
        for i in (0..=l).rev() {
            let node = self.nodes[i];
            if !node.needs_grad || node.op.is_leaf() {
                continue;
            }
            let (below, here) = self.grads.split_at_mut(node.grad_offset);
            let mut ctx = Backward {
                shape: node.shape,
                out: &self.values[node.range()],
                g: &here[..node.shape.numel()],
                inputs: Inputs {
                    nodes: &self.nodes,
                    values: &self.values,
                    ids: node.inputs,
                },
                grads: InputGrads {
                    nodes: &self.nodes,
                    grads: below,
                    ids: node.inputs,
                },
                scratch: &mut self.scratch,
            };
            dispatch(node.op, &mut ctx);
            if self.check_finite {
                let bad = node.inputs[..node.arity as usize].iter().any(|&k| {
                    let n = &self.nodes[k as usize];
                    n.needs_grad && !self.grads[n.grad_range()].iter().all(|x| x.is_finite())
                });
                if bad {
                    return Err(self.non_finite(i, Phase::Backward));
                }
            }
        }
        self.backward_from = Some(l);
        Ok(())
    }

    /// The gradient of the last `backward` loss with respect to `v`.
    ///
    /// An error if no backward sweep has run since the last reset, if `v` was
    /// recorded after the loss, or if `v` does not depend on a differentiable
    /// leaf (constants are never differentiated).
    pub fn grad(&self, v: Var) -> Result<&[T]> {
        let i = self.index_of(v)?;
        let l = self
            .backward_from
            .ok_or_else(|| Error::NotAvailable("gradient before backward".into()))?;
        let n = &self.nodes[i];
        if i > l {
            return Err(Error::NotAvailable(format!(
                "node {i} was recorded after the loss (node {l})"
            )));
        }
        if !n.needs_grad {
            return Err(Error::NotAvailable(format!(
                "node {i} ({}) does not depend on a variable or parameter, so it has no gradient",
                n.op.name()
            )));
        }
        Ok(&self.grads[n.grad_range()])
    }

    /// Overwrites `params`' gradient buffer with the gradients of this
    /// tape's last backward sweep (zero for a parameter not recorded on the
    /// tape): [`ParamStore::zero_grad`] then [`Tape::accumulate_grads`], in
    /// one call. Most training loops want this, or
    /// [`crate::optim::Optimizer::update`], which calls it.
    pub fn write_grads(&self, params: &mut ParamStore<T>) -> Result<()> {
        // Checked before zeroing, so a failed call leaves the store as it was.
        self.backward_from
            .ok_or_else(|| Error::NotAvailable("gradient before backward".into()))?;
        params.zero_grad();
        self.accumulate_grads(params)
    }

    /// Adds the gradient of every parameter recorded with [`Tape::param`]
    /// into `params`' gradient buffer (call [`ParamStore::zero_grad`] first
    /// unless you mean to accumulate over several sweeps).
    pub fn accumulate_grads(&self, params: &mut ParamStore<T>) -> Result<()> {
        let l = self
            .backward_from
            .ok_or_else(|| Error::NotAvailable("gradient before backward".into()))?;
        for node in &self.nodes[..=l] {
            if let Op::Leaf(Some(id)) = node.op {
                let g = &self.grads[node.grad_range()];
                for (d, &s) in params.grad_mut(id)?.iter_mut().zip(g) {
                    *d = *d + s;
                }
            }
        }
        Ok(())
    }
}

/// Calls the VJP of `op`. Leaves never reach here.
fn dispatch<T: Element>(op: Op<T>, c: &mut Backward<'_, T>) {
    match op {
        Op::Constant | Op::Leaf(_) => {}
        Op::Add => ops::add::backward(c),
        Op::Sub => ops::sub::backward(c),
        Op::Mul => ops::mul::backward(c),
        Op::Div => ops::div::backward(c),
        Op::Neg => ops::neg::backward(c),
        Op::AddScalar(_) => ops::add_scalar::backward(c),
        Op::MulScalar(k) => ops::mul_scalar::backward(c, k),
        Op::ScalarSub(_) => ops::scalar_sub::backward(c),
        Op::DivScalar(k) => ops::div_scalar::backward(c, k),
        Op::ScalarDiv(_) => ops::scalar_div::backward(c),
        Op::PowScalar(p) => ops::powf::backward(c, p),
        Op::Matmul => ops::matmul::backward(c),
        Op::MatmulNt => ops::matmul::backward_nt(c),
        Op::MatmulTn => ops::matmul::backward_tn(c),
        Op::Broadcast => ops::broadcast::backward(c),
        Op::Sum => ops::sum::backward(c),
        Op::SumAxis(axis) => ops::sum::backward_axis(c, axis as usize),
        Op::Mean => ops::mean::backward(c),
        Op::MeanAxis(axis) => ops::mean::backward_axis(c, axis as usize),
        Op::ProdAxis(axis) => ops::prod::backward(c, axis as usize),
        Op::LerpProd => ops::lerp_prod::backward(c),
        Op::LogSpaceProduct { eps, saved } => ops::log_space::backward(c, eps, saved as usize),
        Op::Exp => ops::exp::backward(c),
        Op::Log => ops::log::backward(c),
        Op::Abs => ops::abs::backward(c),
        Op::Sqrt => ops::sqrt::backward(c),
        Op::Square => ops::square::backward(c),
        Op::Sigmoid => ops::sigmoid::backward(c),
        Op::Tanh => ops::tanh::backward(c),
        Op::Relu => ops::relu::backward(c),
        Op::Relu6 => ops::relu6::backward(c),
        Op::Clamp { lo, hi } => ops::clamp::backward(c, lo, hi),
        Op::Minimum => ops::min_max::backward_minimum(c),
        Op::Maximum => ops::min_max::backward_maximum(c),
        Op::Sign => ops::sign::backward(c),
        Op::Cos => ops::cos::backward(c),
        Op::CosPi => ops::cos_pi::backward(c),
        Op::LogAbs(eps) => ops::log_abs::backward(c, eps),
        Op::IsNegative => ops::is_negative::backward(c),
        Op::ConcatCols => ops::concat::backward(c),
        Op::SliceCols { start } => ops::slice::backward(c, start as usize),
        Op::Reshape => ops::reshape::backward(c),
        Op::Transpose => ops::transpose::backward(c),
        Op::GateMix => ops::gate_mix::backward(c),
        Op::ComplexLog { eps, gated } => ops::complex_log::backward(c, eps, gated),
        Op::ComplexPower { saved } => ops::complex_power::backward(c, saved as usize),
        Op::SignedPowerProduct { eps, saved } => {
            ops::signed_power_product::backward(c, eps, saved as usize)
        }
    }
}
