//! Run-time choice of instruction set for the hot kernels.
//!
//! A portable x86-64 build may only assume SSE2: four `f32` per vector
//! instruction, two operands per instruction, no vector rotate. Most
//! machines that run it have AVX2 (eight `f32` per instruction, three
//! operands). [`multiversion!`] compiles a kernel twice from the same
//! source, once as is and once with AVX2 enabled, and picks the AVX2 copy at
//! run time when the processor has it (`is_x86_feature_detected!`, cached
//! by the standard library after the first call).
//!
//! Results do not depend on the copy that runs: both perform the same IEEE
//! operations in the same order (Rust never fuses a multiply and an add
//! unless asked to, and FMA is not enabled), so the choice changes speed
//! only. Tests check this bit for bit for each kernel and on whole training
//! runs (`experiment::bench`).
//!
//! Building with `RUSTFLAGS="--cfg arithgrad_portable"` removes the AVX2
//! copies (to measure the portable code on a machine that has AVX2).

#[cfg(test)]
use std::cell::Cell;

#[cfg(test)]
thread_local! {
    /// Tests set this to run the portable copies on an AVX2 machine.
    static FORCE_PORTABLE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the AVX2 copies may run on this processor.
#[inline]
#[cfg_attr(arithgrad_portable, allow(dead_code))]
pub(crate) fn avx2_available() -> bool {
    #[cfg(test)]
    if FORCE_PORTABLE.with(Cell::get) {
        return false;
    }
    #[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(all(target_arch = "x86_64", not(arithgrad_portable))))]
    {
        false
    }
}

/// Runs `f` with the AVX2 copies switched off on this thread (tests only).
#[cfg(test)]
pub(crate) fn portable_only<R>(f: impl FnOnce() -> R) -> R {
    FORCE_PORTABLE.with(|c| c.set(true));
    let r = f();
    FORCE_PORTABLE.with(|c| c.set(false));
    r
}

/// Says on stderr when a portable-against-dispatched comparison compares
/// the portable copy with itself: on a processor without AVX2, or in a
/// `--cfg arithgrad_portable` build (tests only).
#[cfg(test)]
pub(crate) fn note_if_no_avx2(test: &str) {
    if !avx2_available() {
        eprintln!(
            "note: {test}: no AVX2 copy runs here (processor or --cfg arithgrad_portable), \
             so the portable copy is compared with itself"
        );
    }
}

/// Defines a function whose body is compiled twice, portable and with AVX2,
/// and which runs the AVX2 copy when [`avx2_available`]. Everything the body
/// calls must be `#[inline(always)]` (or small enough to be inlined) to be
/// part of the AVX2 copy. Arguments are plain `name: Type` pairs; at most
/// one generic type parameter with one bound.
macro_rules! multiversion {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$T:ident : $Bound:path>)? ( $($arg:ident : $ty:ty),* $(,)? ) $(-> $ret:ty)?
        $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name $(<$T: $Bound>)? ( $($arg: $ty),* ) $(-> $ret)? {
            #[inline(always)]
            fn portable $(<$T: $Bound>)? ( $($arg: $ty),* ) $(-> $ret)? $body

            #[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
            #[target_feature(enable = "avx2")]
            unsafe fn avx2 $(<$T: $Bound>)? ( $($arg: $ty),* ) $(-> $ret)? {
                portable($($arg),*)
            }

            #[cfg(all(target_arch = "x86_64", not(arithgrad_portable)))]
            if $crate::simd::avx2_available() {
                // SAFETY: `avx2` only needs the AVX2 instructions, which the
                // running processor has (checked just above).
                return unsafe { avx2($($arg),*) };
            }
            portable($($arg),*)
        }
    };
}

pub(crate) use multiversion;
