//! Positions, training batches and the fixed sets: ranges, targets,
//! two-interval draws, determinism and stream independence.

use arithgrad::random::{LaneRng, Rng};
use arithgrad::task::{
    Layout, Operation, Positions, Range, Split, Task, TaskConfig, FIXED_SETS_SEED, FIXED_SET_ROWS,
    STREAM_OFFSET, STREAM_TEST, STREAM_TRAIN_BATCHES, STREAM_VALIDATION,
};
use arithgrad::Element;

mod error_expect;
use error_expect::invalid;

/// The target of one row, written out plainly from the spec, and the scale
/// its rounding errors are relative to (`|a| + |b|` for add and sub, whose
/// result can cancel; the result itself otherwise).
fn reference_target<T: Element>(p: &Positions, op: Operation, row: &[T]) -> (f64, f64) {
    let a: f64 = row[p.a.clone()].iter().map(|v| v.to_f64_lossy()).sum();
    let b: f64 = row[p.b.clone()].iter().map(|v| v.to_f64_lossy()).sum();
    let value = match op {
        Operation::Add => a + b,
        Operation::Sub => a - b,
        Operation::Mul => a * b,
        Operation::Div => a / b,
        Operation::Squared => a * a,
        Operation::Root => a.sqrt(),
    };
    let scale = match op {
        Operation::Add | Operation::Sub => a.abs() + b.abs(),
        _ => value.abs(),
    };
    (value, scale)
}

/// `|got - want|` relative to the reference's scale.
fn relative_gap(got: f64, (want, scale): (f64, f64)) -> f64 {
    (got - want).abs() / scale.max(1e-300)
}

#[test]
fn default_positions_are_offset_copies_of_a_0_25_and_b_13_38() {
    let config = TaskConfig::default();
    for seed in 0..50 {
        let p = config.positions(seed).unwrap();
        let off = p.offset;
        assert_eq!(p.a, off..off + 25, "seed {seed}");
        assert_eq!(p.b, off + 13..off + 38, "seed {seed}");
        assert!(off <= 62, "seed {seed}: offset {off}");
        assert_eq!(p.input_size, 100);
        // The documented stream: the first `below(63)` of the offset stream.
        assert_eq!(off as u64, Rng::stream(seed, STREAM_OFFSET).below(63));
        // Same seed, same positions.
        assert_eq!(config.positions(seed).unwrap(), p);
        let overlap = (0..100).filter(|&i| p.in_a(i) && p.in_b(i)).count();
        assert_eq!(overlap, 12);
    }
}

#[test]
fn offsets_cover_their_whole_range_about_uniformly() {
    let config = TaskConfig::default();
    assert_eq!(config.offset_count().unwrap(), 63);
    let mut counts = [0u32; 63];
    for seed in 0..6300 {
        counts[config.positions(seed).unwrap().offset] += 1;
    }
    // 100 expected per offset, sd ~10: all 63 values appear, none wildly off.
    assert!(
        counts.iter().all(|&c| (55..=145).contains(&c)),
        "{counts:?}"
    );
    // A subset that fills the input leaves exactly one offset.
    let full = TaskConfig {
        subset_ratio: 0.5,
        overlap_ratio: 0.0,
        ..TaskConfig::default()
    };
    assert_eq!(full.offset_count().unwrap(), 1);
    for seed in 0..20 {
        let p = full.positions(seed).unwrap();
        assert_eq!((p.offset, p.a, p.b), (0, 0..50, 50..100));
    }
}

#[test]
fn toy_has_fixed_positions() {
    for seed in 0..10 {
        let task = Task::new(TaskConfig::toy(), seed).unwrap();
        let p = task.positions();
        assert_eq!((p.a.clone(), p.b.clone(), p.offset), (0..4, 0..2, 0));
        assert_eq!(task.config().layout, Layout::Toy);
    }
}

fn check_batch<T: Element>(task: &Task, rows: usize) {
    let n = task.input_size();
    let (mut x, mut t) = (vec![T::zero(); rows * n], vec![T::zero(); rows]);
    let mut rng = task.batch_rng();
    task.fill_batch(&mut rng, &mut x, &mut t).unwrap();
    let range = task.config().interpolation_range;
    for &v in &x {
        assert!(range.contains(v.to_f64_lossy()), "{v} outside {range}");
    }
    let op = task.config().operation;
    // f64: only the summation order differs; f32: one rounding of the result.
    let tolerance = if T::NAME == "f32" { 1e-7 } else { 1e-13 };
    for (row, &target) in x.chunks_exact(n).zip(&t) {
        let want = reference_target(task.positions(), op, row);
        let gap = relative_gap(target.to_f64_lossy(), want);
        assert!(gap <= tolerance, "{op} {}: {target} vs {want:?}", T::NAME);
    }
}

#[test]
fn batches_lie_in_the_range_and_have_correct_targets() {
    for op in Operation::ALL {
        for seed in [0, 1] {
            let task = Task::new(TaskConfig::new(op), seed).unwrap();
            check_batch::<f32>(&task, 128);
            check_batch::<f64>(&task, 128);
            check_batch::<f64>(&task, 3); // 300 values: not a multiple of 16
        }
        let toy = TaskConfig {
            operation: op,
            ..TaskConfig::toy()
        };
        check_batch::<f32>(&Task::new(toy, 0).unwrap(), 128);
    }
    let union = TaskConfig {
        interpolation_range: Range::union(-2.0, -1.0, 1.0, 2.0).unwrap(),
        ..TaskConfig::new(Operation::Mul)
    };
    check_batch::<f32>(&Task::new(union.clone(), 4).unwrap(), 128);
    check_batch::<f64>(&Task::new(union, 4).unwrap(), 128);
}

#[test]
fn two_interval_ranges_pick_each_interval_about_half_the_time() {
    let config = TaskConfig {
        interpolation_range: Range::union(-2.0, -1.0, 1.0, 2.0).unwrap(),
        ..TaskConfig::default()
    };
    let task = Task::new(config, 11).unwrap();
    let mut rng = task.batch_rng();
    let rows = 128;
    let (mut x32, mut t32) = (vec![0f32; rows * 100], vec![0f32; rows]);
    let (mut x64, mut t64) = (vec![0f64; rows * 100], vec![0f64; rows]);
    task.fill_batch(&mut rng, &mut x32, &mut t32).unwrap();
    task.fill_batch(&mut rng, &mut x64, &mut t64).unwrap();
    // 12,800 coins per precision: 6,400 expected, sd ~57; 5 sd = 283.
    for negatives in [
        x32.iter().filter(|&&v| v < 0.0).count(),
        x64.iter().filter(|&&v| v < 0.0).count(),
    ] {
        assert!((6117..=6683).contains(&negatives), "{negatives} of 12800");
    }
    // Within each interval the draws are spread out (mean of U[1,2] is 1.5,
    // sd of a mean of ~6400 draws ~0.0036).
    let positives: Vec<f64> = x64.iter().copied().filter(|&v| v > 0.0).collect();
    let mean = positives.iter().sum::<f64>() / positives.len() as f64;
    assert!((mean - 1.5).abs() < 0.02, "{mean}");
    // Every lane flips its own coin: each of the 16 lanes sees both signs.
    for lane in 0..16 {
        let lane_values = x32.iter().skip(lane).step_by(16);
        let neg = lane_values.clone().filter(|&&v| v < 0.0).count();
        assert!((250..=550).contains(&neg), "lane {lane}: {neg} of 800");
    }
}

#[test]
fn batches_are_deterministic_per_seed() {
    let config = TaskConfig::default();
    let draw = |seed: u64| {
        let task = Task::new(config.clone(), seed).unwrap();
        let mut rng = task.batch_rng();
        let (mut x, mut t) = (vec![0f32; 1600], vec![0f32; 16]);
        let mut out = Vec::new();
        for _ in 0..3 {
            task.fill_batch(&mut rng, &mut x, &mut t).unwrap();
            out.extend_from_slice(&x);
            out.extend_from_slice(&t);
        }
        out
    };
    let (a, b, c) = (draw(5), draw(5), draw(6));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The batch generator is the documented stream.
    let task = Task::new(config, 5).unwrap();
    assert_eq!(task.batch_rng(), LaneRng::stream(5, STREAM_TRAIN_BATCHES));
    // A single-interval batch is exactly LaneRng::fill_uniform_f32's output.
    let (mut x, mut t) = (vec![0f32; 1600], vec![0f32; 16]);
    task.fill_batch(&mut task.batch_rng(), &mut x, &mut t)
        .unwrap();
    let mut plain = vec![0f32; 1600];
    task.batch_rng().fill_uniform_f32(&mut plain, 1.0, 2.0);
    assert_eq!(x, plain);
}

#[test]
fn mismatched_batch_buffers_are_errors() {
    let task = Task::new(TaskConfig::default(), 0).unwrap();
    let mut rng = task.batch_rng();
    let (mut x, mut t) = (vec![0f32; 1000], vec![0f32; 11]);
    let (name, err) = invalid(task.fill_batch(&mut rng, &mut x, &mut t));
    assert_eq!(name, "x");
    assert!(
        err.contains("11 targets needs 1100 inputs") && err.contains("got 1000"),
        "{err}"
    );
    // An empty batch is fine and draws nothing.
    task.fill_batch::<f32>(&mut rng, &mut [], &mut []).unwrap();
    assert_eq!(rng, task.batch_rng());
}

#[test]
fn fixed_sets_have_the_spec_sizes_ranges_and_targets() {
    let task = Task::new(TaskConfig::new(Operation::Add), 3).unwrap();
    let validation = task.validation_set::<f32>();
    let test = task.test_set::<f64>();
    assert_eq!(FIXED_SET_ROWS, 10_000);
    for (set, range) in [
        (
            &validation.x.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            Range::new(1.0, 2.0).unwrap(),
        ),
        (&test.x, Range::new(2.0, 6.0).unwrap()),
    ] {
        assert_eq!(set.len(), 10_000 * 100);
        assert!(set.iter().all(|&v| range.contains(v)));
    }
    assert_eq!(
        (validation.rows, validation.cols, validation.targets.len()),
        (10_000, 100, 10_000)
    );
    for i in (0..10_000).step_by(97) {
        let want = reference_target(task.positions(), Operation::Add, test.row(i));
        assert!(relative_gap(test.targets[i], want) < 1e-13);
        let want = reference_target(task.positions(), Operation::Add, validation.row(i));
        assert!(relative_gap(validation.targets[i] as f64, want) < 1e-7);
    }
}

#[test]
fn fixed_sets_are_the_same_inputs_for_every_run() {
    let config = TaskConfig::default();
    let (first, second) = (
        Task::new(config.clone(), 0).unwrap(),
        Task::new(config, 1).unwrap(),
    );
    assert_ne!(first.positions(), second.positions());
    for split in [Split::Validation, Split::Test] {
        let a = first.fixed_set::<f64>(split, 50);
        let b = second.fixed_set::<f64>(split, 50);
        assert_eq!(a.x, b.x, "{split:?}");
        assert_ne!(a.targets, b.targets, "{split:?}: different positions");
    }
    // They come from the documented fixed streams, drawn in f64.
    let mut drawn = vec![0f64; 50 * 100];
    LaneRng::stream(FIXED_SETS_SEED, STREAM_TEST).fill_uniform_f64(&mut drawn, 2.0, 6.0);
    assert_eq!(first.fixed_set::<f64>(Split::Test, 50).x, drawn);
    LaneRng::stream(FIXED_SETS_SEED, STREAM_VALIDATION).fill_uniform_f64(&mut drawn, 1.0, 2.0);
    assert_eq!(first.fixed_set::<f64>(Split::Validation, 50).x, drawn);
    // f32 sets are the f64 sets rounded, and smaller sets are prefixes.
    let big = first.fixed_set::<f64>(Split::Test, 300);
    let small32 = first.fixed_set::<f32>(Split::Test, 7);
    let rounded: Vec<f32> = big.x[..700].iter().map(|&v| v as f32).collect();
    assert_eq!(small32.x, rounded);
    assert_eq!(first.fixed_set::<f64>(Split::Test, 7).x, big.x[..700]);
    // Validation and test streams differ even on the same range.
    let same_ranges = TaskConfig {
        extrapolation_range: Range::new(1.0, 2.0).unwrap(),
        ..TaskConfig::default()
    };
    let t = Task::new(same_ranges, 0).unwrap();
    assert_ne!(
        t.fixed_set::<f64>(Split::Validation, 5).x,
        t.fixed_set::<f64>(Split::Test, 5).x
    );
}
