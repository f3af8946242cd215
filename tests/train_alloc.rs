//! Once warm, a whole training step (`Trainer::step`: batch, forward, loss,
//! backward, Adam, projection) allocates nothing on the heap: the tape, its
//! work space, the batch buffers and the optimizer state are all reused.
//!
//! A counting global allocator (this test binary only) counts the
//! allocations made by the current thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::TaskConfig;
use arithgrad::units::{ModelKind, RegularizerSchedule};

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
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    for model in [ModelKind::Nmu, ModelKind::Nau, ModelKind::Nalu] {
        for hidden in [2, 16] {
            let mut config = RunConfig::new(model.spec(100, hidden), TaskConfig::default());
            // The regularizer on from the start, so its nodes are recorded too.
            let lambda = config.regularizer.lambda_hat();
            config.regularizer = RegularizerSchedule::new(lambda, 0, 0).unwrap();
            let mut trainer = Trainer::<f32>::new(&config, 1).unwrap();
            for _ in 0..3 {
                trainer.step().unwrap();
            }
            let before = allocations();
            for _ in 0..20 {
                trainer.step().unwrap();
            }
            assert_eq!(allocations(), before, "{model} hidden {hidden}");
        }
    }
}

#[test]
fn a_warm_single_module_step_allocates_nothing() {
    use arithgrad::task::{Operation, Range};
    use arithgrad::units::{ModelSpec, UnitKind};
    let r = |t: &str| Range::parse("range", t).unwrap();
    for kind in [
        UnitKind::Nmu(arithgrad::units::NmuConstraint::Project),
        UnitKind::Nau,
        UnitKind::Nru,
        UnitKind::Nmru,
        UnitKind::SignNmru,
        UnitKind::Snmu,
        // The NALU family: gate, additive and log-space paths, gate mix.
        UnitKind::Nalu(arithgrad::units::NaluSharing::Shared),
        UnitKind::Inalu(arithgrad::units::InaluInit::Benchmark),
        UnitKind::GNalu,
    ] {
        let task = TaskConfig::single_module(Operation::Div, r("[-2,2]"), r("[-6,-2]u[2,6]"));
        let mut config = RunConfig::new(ModelSpec::single(kind, 2), task);
        let lambda = config.regularizer.lambda_hat();
        config.regularizer = RegularizerSchedule::new(lambda, 0, 0).unwrap();
        let mut trainer = Trainer::<f32>::new(&config, 1).unwrap();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        let before = allocations();
        for _ in 0..20 {
            trainer.step().unwrap();
        }
        assert_eq!(allocations(), before, "{kind}");
    }
    // The two-layer models NAU -> unit as well.
    for model in [
        ModelKind::Nru,
        ModelKind::Nmru,
        ModelKind::SignNmru,
        ModelKind::Snmu,
    ] {
        let config = RunConfig::new(model.spec(100, 2), TaskConfig::default());
        let mut trainer = Trainer::<f32>::new(&config, 1).unwrap();
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        let before = allocations();
        for _ in 0..20 {
            trainer.step().unwrap();
        }
        assert_eq!(allocations(), before, "{model}");
    }
}
