//! Dot products and sums in eight interleaved lanes: the reductions every
//! other kernel builds on, each summed in one fixed, documented order (the
//! plain loops in [`crate::tensor::reference`] spell the orders out).

use crate::tensor::Element;

/// Interleaved partial sums of [`dot`]: eight `f32` fill two SSE registers
/// or one AVX register.
pub(super) const LANES: usize = 8;

/// Dot product, summed in eight interleaved lanes so it vectorises.
///
/// Order: lane `l` sums `a[p] b[p]` for `p = l, l + 8, ..` below the last
/// multiple of 4 (so a last group of four products goes to lanes 0-3), onto
/// zero in increasing `p`; the lanes are combined as a tree,
/// `((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))` (halves, then
/// quarters, then the last pair: three vector additions where a sum in lane
/// order takes seven dependent ones); the remaining `k mod 4` products are
/// summed in order onto zero and added last. Deterministic, and the same on
/// every machine.
#[inline]
pub fn dot<T: Element>(a: &[T], b: &[T]) -> T {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let whole = n - n % LANES;
    let mut acc = [T::zero(); LANES];
    for (av, bv) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
    {
        for l in 0..LANES {
            acc[l] = acc[l] + av[l] * bv[l];
        }
    }
    let rest = whole + add_half_group(&mut acc, &a[whole..], &b[whole..]);
    reduce_lanes(&acc) + dot_in_order(&a[rest..], &b[rest..])
}

/// If `a` and `b` (the part of a [`dot`] after its groups of eight) hold four
/// products or more, adds the first four into lanes 0-3. Returns where the
/// products summed in order start (an offset from the start of the groups).
#[inline(always)]
pub(super) fn add_half_group<T: Element>(acc: &mut [T; LANES], a: &[T], b: &[T]) -> usize {
    const HALF: usize = LANES / 2;
    let whole = a.len().min(b.len());
    if whole < HALF {
        return 0;
    }
    for l in 0..HALF {
        acc[l] = acc[l] + a[l] * b[l];
    }
    HALF
}

/// [`dot`] of two slices of one length below eight (no group of eight).
#[inline(always)]
pub(super) fn short_dot<T: Element>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::zero(); LANES];
    let rest = add_half_group(&mut acc, a, b);
    reduce_lanes(&acc) + dot_in_order(&a[rest..], &b[rest..])
}

/// `Σ a[p] b[p]` in order onto zero (the tail of a [`dot`]).
#[inline(always)]
pub(super) fn dot_in_order<T: Element>(a: &[T], b: &[T]) -> T {
    let mut s = T::zero();
    for (&x, &y) in a.iter().zip(b) {
        s = s + x * y;
    }
    s
}

/// `((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))`: the lanes of a
/// [`dot`] combined as a vector unit does it (high half onto low half, then
/// again, then the last two).
#[inline(always)]
pub(super) fn reduce_lanes<T: Element>(l: &[T; LANES]) -> T {
    let halves = [l[0] + l[4], l[1] + l[5], l[2] + l[6], l[3] + l[7]];
    let quarters = [halves[0] + halves[2], halves[1] + halves[3]];
    quarters[0] + quarters[1]
}

/// The sum of `a`, in eight interleaved lanes like [`dot`] (lane `l` sums
/// `a[p]` for `p ≡ l mod 8` below the last multiple of 8, the lanes are
/// added in order onto zero, the rest of `a` is summed in order onto zero
/// and added last): the additions do not wait on each other, so it runs at
/// vector speed, and the order is fixed.
#[inline]
pub fn sum<T: Element>(a: &[T]) -> T {
    let whole = a.len() - a.len() % LANES;
    let mut acc = [T::zero(); LANES];
    for av in a[..whole].chunks_exact(LANES) {
        for l in 0..LANES {
            acc[l] = acc[l] + av[l];
        }
    }
    let mut tail = T::zero();
    for &x in &a[whole..] {
        tail = tail + x;
    }
    let mut s = T::zero();
    for v in acc {
        s = s + v;
    }
    s + tail
}
