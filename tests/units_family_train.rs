//! The units of the wider family in the training loop: their training rules
//! reach the run's configuration, and once warm a whole training step
//! (forward, extra loss term, backward, clipping, Adam, reinitialisation
//! check) allocates nothing on the heap.
//!
//! A counting global allocator (this test binary only) counts the
//! allocations made by the current thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use arithgrad::experiment::{RunConfig, Trainer};
use arithgrad::task::TaskConfig;
use arithgrad::units::{
    inalu, npu, GradClip, InaluInit, ModelSpec, PenaltyWeight, ReinitRule, UnitKind,
};

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

const FAMILY: [UnitKind; 6] = [
    UnitKind::Inalu(InaluInit::Benchmark),
    UnitKind::Inalu(InaluInit::Library),
    UnitKind::GNalu,
    UnitKind::NaiveNpu,
    UnitKind::Npu,
    UnitKind::RealNpu,
];

fn config(kind: UnitKind) -> RunConfig {
    let spec = ModelSpec::new(kind, kind, 100, 2, 1).unwrap();
    RunConfig::new(spec, TaskConfig::default())
}

#[test]
fn the_units_rules_reach_the_run_configuration() {
    for kind in FAMILY {
        let c = config(kind);
        match kind {
            UnitKind::Inalu(_) => {
                assert_eq!(c.rules, inalu::training_rules());
                assert_eq!(c.rules.grad_clip, GradClip::Value(0.1));
                assert_eq!(c.learning_rate, 1e-3);
            }
            UnitKind::GNalu => assert!(c.rules.is_none()),
            _ => {
                assert_eq!(c.rules, npu::training_rules());
                assert_eq!(c.learning_rate, 5e-3);
            }
        }
        c.validate().unwrap();
    }
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    for kind in FAMILY {
        let mut config = config(kind);
        // Every rule active from the first step, so its work is recorded too:
        // the extra term always on, a reinitialisation check every step.
        if !config.rules.penalty.is_off() {
            config.rules.penalty = PenaltyWeight::AfterWarmupBelowLoss {
                weight: 0.05,
                warmup: 0,
                below_loss: f64::INFINITY,
            };
        }
        if let Some(r) = config.rules.reinit {
            config.rules.reinit = Some(ReinitRule {
                check_every: 1,
                ..r
            });
        }
        let mut trainer = Trainer::<f32>::new(&config, 1).unwrap();
        // A validation MSE below the switch's 1, for units that watch it.
        trainer.observe_validation_mse(0.5);
        for _ in 0..3 {
            trainer.step().unwrap();
        }
        let before = allocations();
        for _ in 0..20 {
            trainer.step().unwrap();
        }
        assert_eq!(allocations(), before, "{kind}");
    }
}
