//! Keeping the first nodes of a tape across recordings, and reading rows of
//! a kept value in place.
//!
//! An evaluation pass runs the same forward graph over fixed data, one chunk
//! of rows at a time. Recording each chunk as a new constant copies it into
//! the tape first: for the 100-input models that copy was most of the cost
//! of evaluating a cheap model. Instead, the data can be recorded once, a
//! [`Mark`] taken after it, and each chunk recorded as a view of some of its
//! rows ([`Tape::constant_rows`], no copy) after [`Tape::rewind`] has
//! forgotten the previous chunk's nodes. The values the forward pass reads
//! are the same numbers at another address, so the results are the same bits.
//!
//! ```
//! use arithgrad::{Shape, Tape};
//! let mut tape = Tape::<f64>::new();
//! let data = tape.constant_slice(Shape::matrix(4, 2), &[1., 2., 3., 4., 5., 6., 7., 8.])?;
//! let mut mark = tape.mark();
//! let mut sums = Vec::new();
//! for start in [0, 2] {
//!     tape.rewind(&mut mark)?;
//!     let data = mark.renew(data)?;
//!     let rows = tape.constant_rows(data, start, 2)?; // rows start, start + 1
//!     let s = tape.sum(rows)?;
//!     sums.push(tape.item(s)?);
//! }
//! assert_eq!(sums, [10.0, 26.0]);
//! # Ok::<(), arithgrad::Error>(())
//! ```

use super::{Node, Op, Tape, Var};
use crate::error::{Error, Result};
use crate::tensor::{Element, Shape};

/// A point on a [`Tape`] to come back to with [`Tape::rewind`]: the nodes
/// recorded before it are kept, with their values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    tape: u32,
    /// The tape's epoch when the mark was taken: handles of kept nodes from
    /// this epoch on stay usable through [`Mark::renew`].
    first_epoch: u32,
    /// The tape's epoch after the latest rewind to this mark (or when it was
    /// taken): anything else means the tape was reset or rewound elsewhere,
    /// and the kept nodes may be gone.
    epoch: u32,
    nodes: usize,
    values_len: usize,
    grad_len: usize,
}

impl Mark {
    /// Number of nodes the mark keeps.
    pub fn len(&self) -> usize {
        self.nodes
    }

    /// Whether the mark keeps no node (a rewind to it is a reset).
    pub fn is_empty(&self) -> bool {
        self.nodes == 0
    }

    /// A handle valid after the latest [`Tape::rewind`] to this mark for a
    /// node the mark keeps, given its handle from any recording since the
    /// mark was taken. Errors for a node recorded after the mark (forgotten
    /// by a rewind), a handle from before the mark, or another tape's.
    pub fn renew(&self, v: Var) -> Result<Var> {
        if v.tape != self.tape {
            return Err(Error::ForeignHandle {
                what: "value handle",
            });
        }
        let age = v.epoch.wrapping_sub(self.first_epoch);
        if v.index as usize >= self.nodes || age > self.epoch.wrapping_sub(self.first_epoch) {
            return Err(Error::StaleHandle {
                what: "value handle",
            });
        }
        Ok(Var {
            epoch: self.epoch,
            ..v
        })
    }
}

impl<T: Element> Tape<T> {
    /// A mark after the nodes recorded so far: [`Tape::rewind`] to it
    /// forgets everything recorded later and keeps these nodes.
    pub fn mark(&self) -> Mark {
        Mark {
            tape: self.id,
            first_epoch: self.epoch,
            epoch: self.epoch,
            nodes: self.nodes.len(),
            values_len: self.values_len,
            grad_len: self.grad_len,
        }
    }

    /// Forgets every node recorded after `mark` (as [`Tape::reset`] forgets
    /// all of them: the memory is kept, gradients are cleared) and keeps the
    /// nodes before it with their values. Every handle from before the
    /// rewind becomes stale; [`Mark::renew`] gives the kept nodes' handles
    /// back. Errors if `mark` is another tape's, or if the tape was reset
    /// or rewound to another mark since `mark` was taken or last rewound to
    /// (its nodes may be gone).
    pub fn rewind(&mut self, mark: &mut Mark) -> Result<()> {
        if mark.tape != self.id {
            return Err(Error::ForeignHandle { what: "tape mark" });
        }
        if mark.epoch != self.epoch || mark.nodes > self.nodes.len() {
            return Err(Error::StaleHandle { what: "tape mark" });
        }
        self.nodes.truncate(mark.nodes);
        self.values_len = mark.values_len;
        self.grads.clear();
        self.grad_len = mark.grad_len;
        self.backward_from = None;
        self.epoch = self.epoch.wrapping_add(1);
        mark.epoch = self.epoch;
        Ok(())
    }

    /// Rows `start .. start + rows` (along the first axis) of the constant
    /// `x`, as a constant node that reads them where they are: nothing is
    /// copied. The new node's shape is `x`'s with `rows` as its first
    /// dimension. Errors unless `x` is a constant (a value without
    /// gradient; a parameter's rows would lose their gradient) of rank at
    /// least 1 holding those rows.
    pub fn constant_rows(&mut self, x: Var, start: usize, rows: usize) -> Result<Var> {
        let i = self.index_of(x)?;
        let node = self.nodes[i];
        let dims = node.shape.dims();
        let bad = |reason: String| Error::InvalidShape {
            op: "constant_rows",
            shape: dims.to_vec(),
            reason,
        };
        if node.needs_grad {
            return Err(bad("only rows of a constant can be read in place".into()));
        }
        if dims.is_empty() {
            return Err(bad("a scalar has no rows".into()));
        }
        if start.checked_add(rows).is_none_or(|end| end > dims[0]) {
            return Err(bad(format!(
                "rows {start}..{} are not all among its {}",
                start.saturating_add(rows),
                dims[0]
            )));
        }
        let mut new_dims = dims.to_vec();
        new_dims[0] = rows;
        let shape = Shape::new(&new_dims)?;
        let row_len = node.shape.numel().checked_div(dims[0]).unwrap_or(0);
        let grad_offset = self.grad_slot(false, shape);
        self.nodes.push(Node {
            op: Op::Constant,
            inputs: [0; 3],
            arity: 0,
            shape,
            offset: node.offset + start * row_len,
            grad_offset,
            needs_grad: false,
        });
        Ok(self.handle(self.nodes.len() - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::Tensor;

    fn data(rows: usize, cols: usize) -> Vec<f64> {
        (0..rows * cols).map(|v| v as f64 * 0.5 - 3.0).collect()
    }

    #[test]
    fn a_view_of_rows_computes_what_a_copy_of_them_computes() {
        let (rows, cols) = (7, 3);
        let x = data(rows, cols);
        let w = [0.25, -1.5, 2.0, 0.5, 0.75, -0.125];
        let mut copied = Tape::<f64>::new();
        let mut viewed = Tape::<f64>::new();
        let all = viewed
            .constant_slice(Shape::matrix(rows, cols), &x)
            .unwrap();
        let mut mark = viewed.mark();
        for (start, n) in [(0, 3), (3, 3), (6, 1), (2, 0)] {
            copied.reset();
            let xc = copied
                .constant_slice(Shape::matrix(n, cols), &x[start * cols..(start + n) * cols])
                .unwrap();
            let wc = copied.variable_slice(Shape::matrix(2, cols), &w).unwrap();
            let yc = copied.matmul_nt(xc, wc).unwrap();
            let yc = copied.tanh(yc).unwrap();

            viewed.rewind(&mut mark).unwrap();
            let all = mark.renew(all).unwrap();
            let xv = viewed.constant_rows(all, start, n).unwrap();
            assert_eq!(viewed.shape(xv).unwrap(), Shape::matrix(n, cols));
            assert_eq!(viewed.value(xv).unwrap(), copied.value(xc).unwrap());
            let wv = viewed.variable_slice(Shape::matrix(2, cols), &w).unwrap();
            let yv = viewed.matmul_nt(xv, wv).unwrap();
            let yv = viewed.tanh(yv).unwrap();
            assert_eq!(viewed.value(yv).unwrap(), copied.value(yc).unwrap());
            // Gradients too: the view is a constant, the weights are not.
            if n > 0 {
                let lc = copied.sum(yc).unwrap();
                let lv = viewed.sum(yv).unwrap();
                copied.backward(lc).unwrap();
                viewed.backward(lv).unwrap();
                assert_eq!(viewed.grad(wv).unwrap(), copied.grad(wc).unwrap());
                assert!(viewed.grad(xv).is_err());
            }
            // The kept data is untouched by what was recorded after it.
            assert_eq!(viewed.value(all).unwrap(), &x[..]);
        }
    }

    #[test]
    fn a_rewind_keeps_the_nodes_before_the_mark_and_forgets_the_rest() {
        let mut t = Tape::<f32>::new();
        let a = t.constant(&Tensor::full(Shape::vector(3), 2.0));
        let mut mark = t.mark();
        assert_eq!(mark.len(), 1);
        let b = t.scalar(5.0);
        t.rewind(&mut mark).unwrap();
        assert_eq!(t.len(), 1);
        // Old handles are stale, kept ones come back through the mark.
        assert_eq!(
            t.value(a).unwrap_err(),
            Error::StaleHandle {
                what: "value handle"
            }
        );
        let a2 = mark.renew(a).unwrap();
        assert_eq!(t.value(a2).unwrap(), &[2.0; 3]);
        assert_eq!(
            mark.renew(b).unwrap_err(),
            Error::StaleHandle {
                what: "value handle"
            }
        );
        // A renewed handle renews again after the next rewind.
        t.rewind(&mut mark).unwrap();
        assert_eq!(t.value(mark.renew(a2).unwrap()).unwrap(), &[2.0; 3]);
        // A node recorded after a rewind takes the forgotten node's place;
        // the forgotten node's handle does not reach it.
        let c = t.scalar(7.0);
        assert_eq!(c.index(), b.index());
        assert!(t.value(b).is_err());
    }

    #[test]
    fn a_mark_outlived_by_a_reset_or_another_mark_is_refused() {
        let mut t = Tape::<f32>::new();
        let mut other = Tape::<f32>::new();
        t.scalar(1.0);
        let mut mark = t.mark();
        assert_eq!(
            other.rewind(&mut mark).unwrap_err(),
            Error::ForeignHandle { what: "tape mark" }
        );
        t.scalar(2.0);
        let mut later = t.mark();
        t.rewind(&mut later).unwrap();
        // The tape moved on through another mark: this one is refused.
        assert_eq!(
            t.rewind(&mut mark).unwrap_err(),
            Error::StaleHandle { what: "tape mark" }
        );
        t.reset();
        assert!(t.rewind(&mut later).is_err());
        let x = other.scalar(1.0);
        let m = t.mark();
        assert_eq!(
            m.renew(x).unwrap_err(),
            Error::ForeignHandle {
                what: "value handle"
            }
        );
    }

    #[test]
    fn rows_of_parameters_or_outside_the_value_are_refused() {
        let mut t = Tape::<f64>::new();
        let x = t.constant_slice(Shape::matrix(4, 2), &data(4, 2)).unwrap();
        let w = t.variable(&Tensor::full(Shape::matrix(4, 2), 1.0));
        let s = t.scalar(1.0);
        for (v, start, rows, needle) in [
            (w, 0, 1, "only rows of a constant"),
            (s, 0, 1, "no rows"),
            (x, 3, 2, "rows 3..5 are not all among its 4"),
            (x, usize::MAX, 2, "are not all among"),
        ] {
            match t.constant_rows(v, start, rows) {
                Err(Error::InvalidShape { op, reason, .. }) => {
                    assert_eq!(op, "constant_rows");
                    assert!(reason.contains(needle), "{reason}");
                }
                other => panic!("{needle}: {other:?}"),
            }
        }
        // Rows of a rank-3 constant keep the other axes.
        let cube = t
            .constant_slice(Shape::new(&[3, 2, 2]).unwrap(), &data(6, 2))
            .unwrap();
        let v = t.constant_rows(cube, 1, 2).unwrap();
        assert_eq!(t.shape(v).unwrap(), Shape::new(&[2, 2, 2]).unwrap());
        assert_eq!(t.value(v).unwrap(), &data(6, 2)[4..12]);
    }
}
