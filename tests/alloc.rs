//! The tape is designed so that a training loop which records the same
//! graph every step touches the heap only while it warms up: `reset` keeps
//! the arena's memory, shapes are inline, the reverse sweep dispatches on an
//! enum, and optimizer state is sized on the first step. This test holds the
//! design to that promise with a counting global allocator.
//!
//! Counting is switched on per thread, only around the measured region, so
//! the test harness (which allocates on its own threads) does not disturb it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[path = "support/two_layer.rs"]
mod two_layer;

use two_layer::TwoLayer;

/// Forwards to the system allocator and, while counting is on for the
/// calling thread, counts every allocation and reallocation and keeps the
/// sizes of the first few (to tell what allocated when the count is not 0).
struct CountingAllocator;

const KEPT: usize = 8;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static FIRST_SIZES: Cell<[usize; KEPT]> = const { Cell::new([0; KEPT]) };
}

fn note(size: usize) {
    // `try_with`: the allocator may run while thread-locals are torn down.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let n = COUNT.with(|c| {
                let n = c.get();
                c.set(n + 1);
                n
            });
            if n < KEPT {
                FIRST_SIZES.with(|s| {
                    let mut sizes = s.get();
                    sizes[n] = size;
                    s.set(sizes);
                });
            }
        }
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f` with counting on; returns its result, the number of
/// allocations, and the sizes of the first few.
fn count_allocations<R>(f: impl FnOnce() -> R) -> (R, usize, Vec<usize>) {
    COUNT.with(|c| c.set(0));
    FIRST_SIZES.with(|s| s.set([0; KEPT]));
    COUNTING.with(|on| on.set(true));
    let r = f();
    COUNTING.with(|on| on.set(false));
    let n = COUNT.with(|c| c.get());
    let sizes = FIRST_SIZES.with(|s| s.get())[..n.min(KEPT)].to_vec();
    (r, n, sizes)
}

#[test]
fn the_counter_sees_allocations() {
    // Without this, a broken counter would make the real test pass vacuously.
    let (v, n, sizes) = count_allocations(|| std::hint::black_box(vec![0u8; 100]));
    drop(v);
    assert_eq!(n, 1);
    assert_eq!(sizes, vec![100]);
}

#[test]
fn training_steps_allocate_nothing_after_warm_up() {
    let mut net = TwoLayer::new(7).unwrap();

    // The first step grows the tape's arena and sizes Adam's state.
    let (first, n_first, _) = count_allocations(|| net.step().unwrap());
    assert!(
        n_first > 0,
        "the first step must allocate the arena; the counter is broken"
    );
    for _ in 0..2 {
        net.step().unwrap();
    }

    let (losses, n, sizes) = count_allocations(|| {
        let mut losses = [0.0f32; 50];
        for l in losses.iter_mut() {
            *l = net.step().unwrap();
        }
        losses
    });
    assert_eq!(
        n, 0,
        "50 warm training steps made {n} heap allocations; sizes of the first: {sizes:?}"
    );

    // The loop really trained: the loss is finite and went down.
    assert!(losses.iter().all(|l| l.is_finite()));
    assert!(
        losses[49] < 0.5 * first,
        "loss went from {first} to {} in 53 steps",
        losses[49]
    );
}
