//! Product along one axis (the multiplicative units' reduction).
//!
//! Forward: `z[o, 0, i] = Π_l a[o, l, i]` along `axis` (the axis is kept
//! with size 1; the product of an empty axis is 1).
//!
//! VJP: `da[o, l, i] += g[o, 0, i] · Π_{m<l} a[o, m, i] · Π_{m>l} a[o, m, i]`,
//! the product of every *other* factor. It is computed from prefix and
//! suffix products (`kernels::prod_axis_backward_add`), never as `z / a_l`,
//! so it is exact when factors are zero: with one zero factor only that
//! factor gets a non-zero gradient (the product of the others); with two or
//! more, every gradient along the line is zero.

use crate::error::Result;
use crate::ops::sum::check_axis;
use crate::tape::{Backward, Op, Tape, Var};
use crate::tensor::{kernels, Element};

impl<T: Element> Tape<T> {
    /// The product along `axis`, keeping that axis with size 1
    /// (`[B, I]` multiplied along 1 gives `[B, 1]`).
    ///
    /// ```
    /// use arithgrad::{Shape, Tape, Tensor};
    /// let mut t = Tape::<f64>::new();
    /// let a = t.variable(&Tensor::from_vec(Shape::matrix(1, 3), vec![2.0, 3.0, 4.0])?);
    /// let p = t.prod_axis(a, 1)?;
    /// assert_eq!(t.shape(p)?, Shape::matrix(1, 1));
    /// assert_eq!(t.value(p)?, &[24.0]);
    /// t.backward(p)?;
    /// assert_eq!(t.grad(a)?, &[12.0, 8.0, 6.0]); // product of the other factors
    /// assert!(matches!(
    ///     t.prod_axis(a, 2),
    ///     Err(arithgrad::Error::InvalidShape { op: "prod_axis", .. })
    /// ));
    /// # Ok::<(), arithgrad::Error>(())
    /// ```
    pub fn prod_axis(&mut self, a: Var, axis: usize) -> Result<Var> {
        let ia = self.index_of(a)?;
        let shape = self.nodes[ia].shape;
        check_axis("prod_axis", shape, axis)?;
        self.record_unary(
            Op::ProdAxis(axis as u8),
            ia,
            shape.reduced(axis),
            |a, out| kernels::prod_axis(a, shape, axis, out),
        )
    }
}

pub(crate) fn backward<T: Element>(c: &mut Backward<'_, T>, axis: usize) {
    let (a, shape) = (c.inputs.value(0), c.inputs.shape(0));
    if let Some(ga) = c.grads.get(0) {
        kernels::prod_axis_backward_add(a, shape, axis, c.g, ga, c.scratch);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Shape, Tape, Tensor, Var};

    /// `sum(z * w)`, so the gradient reaching `z` is `w`.
    fn weighted_sum(t: &mut Tape<f64>, z: Var, w: &[f64]) -> Var {
        let shape = t.shape(z).unwrap();
        let w = t.constant_slice(shape, w).unwrap();
        let zw = t.mul(z, w).unwrap();
        t.sum(zw).unwrap()
    }

    /// Product along `axis` of `data` (shape `dims`), then backward with
    /// output gradient `g`; returns (value, gradient).
    fn run(dims: &[usize], data: &[f64], axis: usize, g: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut t = Tape::<f64>::new();
        let a = t.variable_slice(Shape::new(dims).unwrap(), data).unwrap();
        let p = t.prod_axis(a, axis).unwrap();
        let l = weighted_sum(&mut t, p, g);
        t.backward(l).unwrap();
        (t.value(p).unwrap().to_vec(), t.grad(a).unwrap().to_vec())
    }

    #[test]
    fn rows_and_columns_by_hand() {
        // a = [[1, 2, 3], [4, 5, 6]]
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let (p, g) = run(&[2, 3], &a, 1, &[1.0, 2.0]);
        assert_eq!(p, [6.0, 120.0]);
        // Row 0: [2·3, 1·3, 1·2]; row 1 times 2: 2·[5·6, 4·6, 4·5].
        assert_eq!(g, [6.0, 3.0, 2.0, 60.0, 48.0, 40.0]);

        let (p, g) = run(&[2, 3], &a, 0, &[1.0, -1.0, 2.0]);
        assert_eq!(p, [4.0, 10.0, 18.0]);
        // Column j's gradient for a[0, j] is g_j · a[1, j], and vice versa.
        assert_eq!(g, [4.0, -5.0, 12.0, 1.0, -2.0, 6.0]);
    }

    #[test]
    fn one_zero_factor_gets_the_product_of_the_others() {
        let (p, g) = run(&[1, 4], &[2.0, 0.0, 3.0, 5.0], 1, &[1.0]);
        assert_eq!(p, [0.0]);
        // Only the zero's gradient is non-zero: 2·3·5. Dividing the product
        // by each factor would give 0/0 = NaN here.
        assert_eq!(g, [0.0, 30.0, 0.0, 0.0]);
    }

    #[test]
    fn two_zero_factors_give_zero_gradient_everywhere() {
        let (p, g) = run(&[1, 4], &[2.0, 0.0, 3.0, 0.0], 1, &[1.0]);
        assert_eq!(p, [0.0]);
        assert_eq!(g, [0.0; 4]);
        assert!(g.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn product_along_each_axis_of_a_3d_tensor() {
        // a[b, o, i] = b·4 + o·2 + i + 1, shape [2, 2, 2]:
        // [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
        let a: Vec<f64> = (1..=8).map(f64::from).collect();
        let g = [1.0, 2.0, 3.0, 4.0];

        // Axis 0: pairs (1,5) (2,6) (3,7) (4,8).
        let (p, ga) = run(&[2, 2, 2], &a, 0, &g);
        assert_eq!(p, [5.0, 12.0, 21.0, 32.0]);
        assert_eq!(ga, [5.0, 12.0, 21.0, 32.0, 1.0, 4.0, 9.0, 16.0]);

        // Axis 1: pairs (1,3) (2,4) (5,7) (6,8).
        let (p, ga) = run(&[2, 2, 2], &a, 1, &g);
        assert_eq!(p, [3.0, 8.0, 35.0, 48.0]);
        assert_eq!(ga, [3.0, 8.0, 1.0, 4.0, 21.0, 32.0, 15.0, 24.0]);

        // Axis 2: pairs (1,2) (3,4) (5,6) (7,8).
        let (p, ga) = run(&[2, 2, 2], &a, 2, &g);
        assert_eq!(p, [2.0, 12.0, 30.0, 56.0]);
        assert_eq!(ga, [2.0, 1.0, 8.0, 6.0, 18.0, 15.0, 32.0, 28.0]);
    }

    #[test]
    fn zero_in_a_3d_line_stays_exact() {
        // Shape [2, 3, 1], product along the middle axis; line 0 holds a zero.
        let (p, g) = run(&[2, 3, 1], &[4.0, 0.0, 5.0, 1.0, 2.0, 3.0], 1, &[1.0, 1.0]);
        assert_eq!(p, [0.0, 6.0]);
        assert_eq!(g, [0.0, 20.0, 0.0, 6.0, 3.0, 2.0]);
    }

    #[test]
    fn operand_used_twice_accumulates() {
        // p = prod(a) · a_0 for a = [2, 3]: p = 12; dp/da = [2·a0·a1, a0²] = [12, 4].
        let mut t = Tape::<f64>::new();
        let a = t.variable_slice(Shape::matrix(1, 2), &[2.0, 3.0]).unwrap();
        let p = t.prod_axis(a, 1).unwrap();
        let w = t.constant_slice(Shape::matrix(1, 2), &[1.0, 0.0]).unwrap();
        let a0 = t.mul(a, w).unwrap();
        let a0 = t.sum(a0).unwrap();
        let ps = t.sum(p).unwrap();
        let l = t.mul(ps, a0).unwrap();
        t.backward(l).unwrap();
        assert_eq!(t.item(l).unwrap(), 12.0);
        assert_eq!(t.grad(a).unwrap(), &[12.0, 4.0]);
    }

    #[test]
    fn axis_out_of_range_is_an_error() {
        let mut t = Tape::<f64>::new();
        let a = t.constant(&Tensor::zeros(Shape::vector(3)));
        assert!(matches!(
            t.prod_axis(a, 1).unwrap_err(),
            Error::InvalidShape {
                op: "prod_axis",
                ..
            }
        ));
    }
}
