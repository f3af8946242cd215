//! Once the tape is warm, recording a model's weights, its forward pass and
//! its regularizer allocates nothing on the heap.
//!
//! A counting global allocator (this test binary only) counts the
//! allocations made by the current thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use arithgrad::units::{Model, ModelKind, ModelSpec, NaluSharing, NmuConstraint, UnitKind};
use arithgrad::{Shape, Tape, Tensor};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

/// One training step's recording: weights once, forward, regularizer, MSE.
fn record_step(model: &Model<f32>, tape: &mut Tape<f32>, x: &Tensor<f32>, t: &Tensor<f32>) {
    tape.reset();
    let xv = tape.constant(x);
    let tv = tape.constant(t);
    let w = model.record_weights(tape).unwrap();
    let y = model.forward(tape, &w, xv).unwrap();
    let d = tape.sub(y, tv).unwrap();
    let d2 = tape.square(d).unwrap();
    let mut loss = tape.mean(d2).unwrap();
    if let Some(r) = model.regularizer(tape, &w).unwrap() {
        let r = tape.mul_scalar(r, 0.5).unwrap();
        loss = tape.add(loss, r).unwrap();
    }
    tape.item(loss).unwrap();
}

#[test]
fn a_warm_step_records_without_allocating() {
    let mut specs: Vec<ModelSpec> = ModelKind::ALL.iter().map(|k| k.spec(100, 2)).collect();
    specs.push(ModelSpec {
        layer2: UnitKind::Nmu(NmuConstraint::ClampInForward),
        ..ModelKind::Nmu.spec(100, 2)
    });
    specs.push(
        ModelSpec::new(
            UnitKind::NacAdd,
            UnitKind::Nalu(NaluSharing::Separate),
            100,
            2,
            1,
        )
        .unwrap(),
    );
    for spec in specs {
        let model = Model::<f32>::from_seed(spec, 0).unwrap();
        let x = Tensor::from_fn(Shape::matrix(128, 100), |k| 1.0 + (k % 13) as f32 / 13.0);
        let t = Tensor::from_fn(Shape::matrix(128, 1), |k| k as f32);
        let mut tape = Tape::new();
        let cold = allocations();
        record_step(&model, &mut tape, &x, &t); // warm-up: the tape grows
        let before = allocations();
        assert!(before > cold, "the counter sees the warm-up's allocations");
        for _ in 0..3 {
            record_step(&model, &mut tape, &x, &t);
        }
        assert_eq!(allocations() - before, 0, "{spec}: the forward allocated");
    }
}
