//! The paper's experiments (docs/protocol.md, section 5) as named presets.
//!
//! A preset is a list of cells (one [`RunConfig`] each) and a seed range;
//! its sweep runs every cell with every seed. Seeds are 0..100 for tables
//! and 0..50 for parameter sweeps, as in the paper.
//!
//! The cells follow the authors' batch scripts (`lfs_batch_jobs/` of their
//! `stable-nalu` repository) and export scripts (`export/*.r`): each cell
//! carries its own iteration count and checkpoint window (input-size trains
//! 5,000,000 iterations up to n = 100, 10,000,000 for 125..200 and
//! 15,000,000 for 225..300, and searches the judged checkpoint in the last
//! 15,000,000 iterations); the input-size, overlap and subset sweeps include
//! the gated NAU/NMU; the ablation's "no W-clamp" leaves both layers
//! unprojected. docs/reference-differences.md lists every such choice.

use std::ops::Range as Span;

use crate::error::{Error, Result};
use crate::task::{single_module_ranges, Operation, Range, TaskConfig};
use crate::units::{InaluInit, ModelKind, ModelSpec, NaluSharing, NmuConstraint, UnitKind};

use super::config::DEFAULT_CHECKPOINT_WINDOW;

use super::RunConfig;

/// A named experiment.
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    /// The seeds each cell is run with.
    pub seeds: Span<u64>,
    pub cells: Vec<RunConfig>,
}

impl Preset {
    /// Number of runs: cells times seeds.
    pub fn runs(&self) -> usize {
        self.cells.len() * (self.seeds.end - self.seeds.start) as usize
    }

    /// Total training iterations over all runs.
    pub fn total_iterations(&self) -> u64 {
        let seeds = self.seeds.end - self.seeds.start;
        self.cells.iter().map(|c| c.iterations * seeds).sum()
    }
}

/// Every preset name, in the order of the spec.
pub const PRESET_NAMES: [&str; 16] = [
    "toy",
    "main-table",
    "all-ops",
    "hidden-size",
    "ranges",
    "ablation",
    "input-size",
    "overlap",
    "subset",
    "regularizer",
    "gating",
    "single-module",
    "single-module-add",
    "single-module-sub",
    "single-module-mul",
    "single-module-div",
];

const TABLE_SEEDS: Span<u64> = 0..100;
/// The single-module benchmark's 25 seeds per (unit, operation, range).
const SINGLE_MODULE_SEEDS: Span<u64> = 0..25;
const SWEEP_SEEDS: Span<u64> = 0..50;

/// The multiplication models of the paper's parameter sweeps.
const MUL_MODELS: [ModelKind; 5] = [
    ModelKind::Nmu,
    ModelKind::NacMulNmu,
    ModelKind::NacMulSigma,
    ModelKind::NacMul,
    ModelKind::Nalu,
];

/// The multiplication models of the input-size, overlap and subset sweeps:
/// the parameter-sweep models and the gated NAU/NMU, which the reference's
/// batch scripts for these three experiments also run.
const MUL_MODELS_AND_GATED: [ModelKind; 6] = [
    ModelKind::Nmu,
    ModelKind::NacMulNmu,
    ModelKind::NacMulSigma,
    ModelKind::NacMul,
    ModelKind::Nalu,
    ModelKind::GatedNauNmu,
];

/// The reference's checkpoint window for the input-size experiment
/// (`best.range = 15000` evaluations in its export script, one every 1,000
/// iterations).
pub const INPUT_SIZE_CHECKPOINT_WINDOW: u64 = 15_000_000;

/// The input sizes of the input-size experiment.
pub const INPUT_SIZES: [usize; 14] = [
    4, 10, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275, 300,
];

/// The iterations the reference trains input size `n` for
/// (`lfs_batch_jobs/function_task_static_mul_input_size.sh`): 5,000,000 up
/// to 100, 10,000,000 for 125 to 200, 15,000,000 beyond.
pub fn input_size_iterations(n: usize) -> u64 {
    match n {
        0..=100 => 5_000_000,
        101..=200 => 10_000_000,
        _ => 15_000_000,
    }
}

fn cell(model: ModelSpec, task: TaskConfig) -> RunConfig {
    let c = RunConfig::new(model, task);
    debug_assert_eq!(c.checkpoint_window, DEFAULT_CHECKPOINT_WINDOW);
    c
}

/// Every model of `models` on each of `tasks`.
fn models_on(models: &[ModelKind], tasks: impl IntoIterator<Item = TaskConfig>) -> Vec<RunConfig> {
    tasks
        .into_iter()
        .flat_map(|task| {
            models
                .iter()
                .map(move |m| cell(m.spec(task.input_size, 2), task.clone()))
        })
        .collect()
}

/// Every multiplication model of the parameter sweeps on each of `tasks`.
fn mul_models_on(tasks: impl IntoIterator<Item = TaskConfig>) -> Vec<RunConfig> {
    models_on(&MUL_MODELS, tasks)
}

fn default_task(op: Operation) -> TaskConfig {
    TaskConfig::new(op)
}

fn range(lo: f64, hi: f64) -> Range {
    // The preset ranges are constants that are valid by construction.
    Range::new(lo, hi).unwrap_or_else(|e| unreachable!("{e}"))
}

/// The units of the single-module benchmark that can compute `op` by
/// construction: additive units (and the gated ones) for add and sub; the
/// multiplicative, power and reciprocal units for mul; for div only the
/// units that can form a reciprocal (not the NMU or sNMU, whose factors
/// `W x + 1 - W` never divide).
pub fn single_module_units(op: Operation) -> Vec<UnitKind> {
    use UnitKind as U;
    let inalu = U::Inalu(InaluInit::Benchmark);
    let gated = [U::Nalu(NaluSharing::Shared), U::GNalu, inalu];
    let powers = [U::NacMul, U::Npu, U::RealNpu, U::NaiveNpu];
    let reciprocal = [U::Nru, U::Nmru, U::SignNmru];
    let mut units = Vec::new();
    match op {
        Operation::Add | Operation::Sub => units.extend([U::Nau, U::NacAdd]),
        Operation::Mul => units.extend([U::Nmu(NmuConstraint::Project), U::Snmu]),
        _ => {}
    }
    if matches!(op, Operation::Mul | Operation::Div) {
        units.extend(powers);
        units.extend(reciprocal);
    }
    units.extend(gated);
    units
}

/// The single-module cells of `op`: every unit of [`single_module_units`]
/// on every range pair, with the benchmark's protocol
/// ([`RunConfig::new`] on the single-module layout). On div the NPU family
/// uses its division L1 schedule.
pub fn single_module_cells(op: Operation) -> Vec<RunConfig> {
    let mut cells = Vec::new();
    for unit in single_module_units(op) {
        for (train, test) in single_module_ranges() {
            let task = TaskConfig::single_module(op, train, test);
            let mut c = cell(ModelSpec::single(unit, 2), task);
            if op == Operation::Div
                && matches!(unit, UnitKind::Npu | UnitKind::RealNpu | UnitKind::NaiveNpu)
            {
                c.rules.penalty = crate::units::npu::division_penalty();
            }
            cells.push(c);
        }
    }
    cells
}

fn single_module_preset(
    name: &'static str,
    description: &'static str,
    ops: &[Operation],
) -> Preset {
    Preset {
        name,
        description,
        seeds: SINGLE_MODULE_SEEDS,
        cells: ops.iter().flat_map(|&op| single_module_cells(op)).collect(),
    }
}

/// The preset called `name`; an error listing the names otherwise.
pub fn preset(name: &str) -> Result<Preset> {
    let n = 100;
    let p = match name {
        "toy" => Preset {
            name: "toy",
            description: "10-parameter toy (n = 4, t = (x1+x2+x3+x4)(x1+x2)): NAC*, NALU, NMU",
            seeds: TABLE_SEEDS,
            cells: [ModelKind::NacMul, ModelKind::Nalu, ModelKind::Nmu]
                .iter()
                .map(|m| cell(m.spec(4, 2), TaskConfig::toy()))
                .collect(),
        },
        "main-table" => Preset {
            name: "main-table",
            description: "every model of the table on mul, add and sub",
            seeds: TABLE_SEEDS,
            cells: [Operation::Mul, Operation::Add, Operation::Sub]
                .iter()
                .flat_map(|&op| {
                    ModelKind::PAPER
                        .iter()
                        .map(move |m| cell(m.spec(n, 2), default_task(op)))
                })
                .collect(),
        },
        "all-ops" => Preset {
            name: "all-ops",
            description: "every model on mul, div, add, sub, root and squared",
            seeds: TABLE_SEEDS,
            cells: [
                Operation::Mul,
                Operation::Div,
                Operation::Add,
                Operation::Sub,
                Operation::Root,
                Operation::Squared,
            ]
            .iter()
            .flat_map(|&op| {
                ModelKind::PAPER
                    .iter()
                    .map(move |m| cell(m.spec(n, 2), default_task(op)))
            })
            .collect(),
        },
        "hidden-size" => Preset {
            name: "hidden-size",
            description: "hidden size 2..10 on mul (NMU, NAC*,NMU, NAC*,sigma, NAC*, NALU)",
            seeds: SWEEP_SEEDS,
            cells: (2..=10)
                .flat_map(|h| {
                    MUL_MODELS
                        .iter()
                        .map(move |m| cell(m.spec(n, h), default_task(Operation::Mul)))
                })
                .collect(),
        },
        "ranges" => {
            let pairs = [
                (range(-2.0, -1.0), range(-6.0, -2.0)),
                (
                    range(-2.0, 2.0),
                    Range::union(-6.0, -2.0, 2.0, 6.0).unwrap_or_else(|e| unreachable!("{e}")),
                ),
                (range(0.0, 1.0), range(1.0, 5.0)),
                (range(0.1, 0.2), range(0.2, 2.0)),
                (range(1.0, 2.0), range(2.0, 6.0)),
                (range(1.1, 1.2), range(1.2, 6.0)),
                (range(10.0, 20.0), range(20.0, 40.0)),
            ];
            Preset {
                name: "ranges",
                description: "seven interpolation/extrapolation ranges on mul",
                seeds: SWEEP_SEEDS,
                cells: mul_models_on(pairs.iter().map(|&(inter, extra)| TaskConfig {
                    interpolation_range: inter,
                    extrapolation_range: extra,
                    ..default_task(Operation::Mul)
                })),
            }
        }
        "ablation" => Preset {
            name: "ablation",
            description: "NMU on mul, hidden 2..10: default, no W-clamp (both layers), no regularizer, both",
            seeds: SWEEP_SEEDS,
            cells: (2..=10)
                .flat_map(|h| {
                    // The reference passes `--oob-mode regualized` to both
                    // layers: without the W-clamp neither the NAU nor the
                    // NMU is projected.
                    let projected = (UnitKind::Nau, UnitKind::Nmu(NmuConstraint::Project));
                    let unprojected = (
                        UnitKind::NauNoWClamp,
                        UnitKind::Nmu(NmuConstraint::ClampInForward),
                    );
                    [
                        (projected, true),
                        (unprojected, true),
                        (projected, false),
                        (unprojected, false),
                    ]
                    .into_iter()
                    .map(move |((layer1, layer2), regularized)| {
                        let spec = ModelSpec {
                            layer1,
                            layer2,
                            ..ModelKind::Nmu.spec(n, h)
                        };
                        let mut c = cell(spec, default_task(Operation::Mul));
                        if !regularized {
                            c.regularizer = crate::units::RegularizerSchedule::none();
                        }
                        c
                    })
                })
                .collect(),
        },
        "input-size" => Preset {
            name: "input-size",
            description: "input size 4, 10, 25, ..., 300 on mul, with gated NAU/NMU (5M, 10M from 125, 15M from 225 iterations)",
            seeds: SWEEP_SEEDS,
            cells: models_on(
                &MUL_MODELS_AND_GATED,
                INPUT_SIZES.into_iter().map(|input_size| TaskConfig {
                    input_size,
                    ..default_task(Operation::Mul)
                }),
            )
            .into_iter()
            .map(|mut c| {
                c.iterations = input_size_iterations(c.task.input_size);
                c.checkpoint_window = INPUT_SIZE_CHECKPOINT_WINDOW;
                c
            })
            .collect(),
        },
        "overlap" => Preset {
            name: "overlap",
            description: "overlap ratio 0, 0.1, 0.25, 0.5, 0.75, 1 on mul, with gated NAU/NMU",
            seeds: SWEEP_SEEDS,
            cells: models_on(
                &MUL_MODELS_AND_GATED,
                [0.0, 0.1, 0.25, 0.5, 0.75, 1.0]
                    .into_iter()
                    .map(|overlap_ratio| TaskConfig {
                        overlap_ratio,
                        ..default_task(Operation::Mul)
                    }),
            ),
        },
        "subset" => Preset {
            name: "subset",
            description: "subset ratio 0.05, 0.1, 0.25, 0.5 on mul, with gated NAU/NMU",
            seeds: SWEEP_SEEDS,
            cells: models_on(
                &MUL_MODELS_AND_GATED,
                [0.05, 0.1, 0.25, 0.5]
                    .into_iter()
                    .map(|subset_ratio| TaskConfig {
                        subset_ratio,
                        ..default_task(Operation::Mul)
                    }),
            ),
        },
        "regularizer" => {
            let lambdas = [0.0, 0.01, 0.1, 1.0, 10.0, 100.0];
            let models = [
                (ModelKind::Nau, Operation::Add),
                (ModelKind::Nau, Operation::Sub),
                (ModelKind::Nmu, Operation::Mul),
            ];
            let mut cells = Vec::new();
            for &(m, op) in &models {
                for &l in &lambdas {
                    let mut c = cell(m.spec(n, 2), default_task(op));
                    c.regularizer = c.regularizer.with_lambda_hat(l)?;
                    cells.push(c);
                }
            }
            Preset {
                name: "regularizer",
                description: "lambda_hat 0, 0.01, 0.1, 1, 10, 100: NAU on add and sub, NMU on mul",
                seeds: SWEEP_SEEDS,
                cells,
            }
        }
        "gating" => {
            let layer_pairs = [
                (UnitKind::NacAdd, UnitKind::Nalu(NaluSharing::Separate)),
                (UnitKind::NacAdd, UnitKind::Nalu(NaluSharing::Shared)),
                (UnitKind::Nau, UnitKind::GatedNauNmu),
            ];
            let mut cells = Vec::new();
            for op in [Operation::Mul, Operation::Add] {
                for &(l1, l2) in &layer_pairs {
                    let spec = ModelSpec::new(l1, l2, n, 2, 1)?;
                    cells.push(cell(spec, default_task(op)));
                }
            }
            Preset {
                name: "gating",
                description:
                    "layer 2 NALU (separate), NALU (shared) or gated NAU/NMU, on mul and add",
                seeds: TABLE_SEEDS,
                cells,
            }
        }
        "single-module" => single_module_preset(
            "single-module",
            "y = x1 op x2, one unit: every unit that fits x add, sub, mul, div x 9 ranges, 25 seeds",
            &[Operation::Add, Operation::Sub, Operation::Mul, Operation::Div],
        ),
        "single-module-add" => single_module_preset(
            "single-module-add",
            "y = x1 + x2, one unit: NAU, NAC+, NALU, G-NALU, iNALU x 9 ranges, 25 seeds",
            &[Operation::Add],
        ),
        "single-module-sub" => single_module_preset(
            "single-module-sub",
            "y = x1 - x2, one unit: NAU, NAC+, NALU, G-NALU, iNALU x 9 ranges, 25 seeds",
            &[Operation::Sub],
        ),
        "single-module-mul" => single_module_preset(
            "single-module-mul",
            "y = x1 * x2, one unit: NMU, sNMU, NAC*, NPUs, NRU, NMRUs, NALUs x 9 ranges, 25 seeds",
            &[Operation::Mul],
        ),
        "single-module-div" => single_module_preset(
            "single-module-div",
            "y = x1 / x2, one unit: NAC*, NPUs, NRU, NMRUs, NALUs x 9 ranges, 25 seeds",
            &[Operation::Div],
        ),
        other => {
            return Err(Error::invalid(
                "preset",
                format!(
                    "no preset `{other}`; the presets are {}",
                    PRESET_NAMES.join(", ")
                ),
            ))
        }
    };
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_builds_and_validates() {
        for name in PRESET_NAMES {
            let p = preset(name).unwrap();
            assert_eq!(p.name, name);
            assert!(!p.cells.is_empty(), "{name}");
            for c in &p.cells {
                c.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
    }

    #[test]
    fn sizes_match_the_spec() {
        let toy = preset("toy").unwrap();
        assert_eq!(toy.runs(), 300);
        assert_eq!(toy.cells[0].iterations, 200_000);
        assert_eq!(preset("main-table").unwrap().cells.len(), 33);
        assert_eq!(preset("all-ops").unwrap().cells.len(), 66);
        assert_eq!(preset("hidden-size").unwrap().cells.len(), 45);
        assert_eq!(preset("ablation").unwrap().cells.len(), 36);
        assert_eq!(preset("regularizer").unwrap().cells.len(), 18);
        assert_eq!(preset("hidden-size").unwrap().seeds, 0..50);
        assert_eq!(preset("main-table").unwrap().cells[0].iterations, 5_000_000);
    }

    /// lfs_batch_jobs/function_task_static_mul_input_size.sh: `max_miters`
    /// 5 5 5 5 5 5 10 10 10 10 15 15 15 15 (millions) for input sizes
    /// 4 10 25 50 75 100 125 150 175 200 225 250 275 300;
    /// export/function_task_static_mul_input_size.r: `best.range = 15000`.
    #[test]
    fn input_size_cells_carry_the_reference_iterations_and_window() {
        let reference: [(usize, u64); 14] = [
            (4, 5),
            (10, 5),
            (25, 5),
            (50, 5),
            (75, 5),
            (100, 5),
            (125, 10),
            (150, 10),
            (175, 10),
            (200, 10),
            (225, 15),
            (250, 15),
            (275, 15),
            (300, 15),
        ];
        let p = preset("input-size").unwrap();
        assert_eq!(p.cells.len(), reference.len() * 6);
        for c in &p.cells {
            let (_, millions) = reference
                .iter()
                .find(|(n, _)| *n == c.task.input_size)
                .unwrap_or_else(|| panic!("unexpected input size {}", c.task.input_size));
            assert_eq!(
                c.iterations,
                millions * 1_000_000,
                "n = {}",
                c.task.input_size
            );
            assert_eq!(c.checkpoint_window, 15_000_000);
        }
        for (n, _) in reference {
            assert_eq!(
                p.cells.iter().filter(|c| c.task.input_size == n).count(),
                6,
                "n = {n}"
            );
        }
        // Every other preset keeps the reference's 5,000-evaluation window.
        for name in PRESET_NAMES.iter().filter(|&&n| n != "input-size") {
            for c in preset(name).unwrap().cells {
                assert_eq!(c.checkpoint_window, 5_000_000, "{name}");
            }
        }
    }

    #[test]
    fn gated_series_is_in_input_size_overlap_and_subset() {
        for (name, tasks) in [("input-size", 14), ("overlap", 6), ("subset", 4)] {
            let p = preset(name).unwrap();
            let gated: Vec<_> = p
                .cells
                .iter()
                .filter(|c| c.model.preset() == Some(ModelKind::GatedNauNmu))
                .collect();
            assert_eq!(gated.len(), tasks, "{name}");
            for c in gated {
                assert_eq!(
                    (c.model.layer1, c.model.layer2),
                    (UnitKind::GatedNauNmu, UnitKind::GatedNauNmu),
                    "{name}"
                );
                assert_eq!(c.model.inputs, c.task.input_size);
            }
        }
    }

    #[test]
    fn ablation_no_clamp_cells_leave_both_layers_unprojected() {
        let p = preset("ablation").unwrap();
        let no_clamp: Vec<_> = p
            .cells
            .iter()
            .filter(|c| c.model.layer2 == UnitKind::Nmu(NmuConstraint::ClampInForward))
            .collect();
        assert_eq!(no_clamp.len(), 18);
        for c in &no_clamp {
            assert_eq!(c.model.layer1, UnitKind::NauNoWClamp);
        }
        // The other half is the projected default, with and without the
        // regularizer.
        for c in p.cells.iter().filter(|c| c.model.layer1 == UnitKind::Nau) {
            assert_eq!(c.model.layer2, UnitKind::Nmu(NmuConstraint::Project));
        }
        // And the units really do not project: a weight outside the bounds
        // stays there.
        for c in no_clamp.iter().take(1) {
            let mut m = crate::units::Model::<f64>::from_seed(c.model, 0).unwrap();
            m.params_mut().values_mut().fill(1.5);
            m.project().unwrap();
            assert!(m.params().values().iter().all(|&w| w == 1.5));
        }
    }

    #[test]
    fn single_module_sizes() {
        let counts = [("add", 5), ("sub", 5), ("mul", 12), ("div", 10)];
        let mut total = 0;
        for (op, units) in counts {
            let p = preset(&format!("single-module-{op}")).unwrap();
            assert_eq!(p.cells.len(), units * 9, "{op}");
            assert_eq!(p.seeds, 0..25);
            assert!(p.cells.iter().all(|c| c.iterations == 50_000
                && c.model.is_single()
                && c.task.operation.name() == op));
            total += p.cells.len();
        }
        assert_eq!(preset("single-module").unwrap().cells.len(), total);
        let div = preset("single-module-div").unwrap();
        let npu = div
            .cells
            .iter()
            .find(|c| c.model.layer2 == UnitKind::Npu)
            .unwrap();
        assert_eq!(npu.rules.penalty, crate::units::npu::division_penalty());
        let nmru = div
            .cells
            .iter()
            .find(|c| c.model.layer2 == UnitKind::Nmru)
            .unwrap();
        assert_eq!(nmru.learning_rate, 1e-2);
    }

    #[test]
    fn unknown_preset_lists_the_names() {
        let e = preset("tyo").unwrap_err().to_string();
        assert!(e.contains("tyo") && e.contains("hidden-size"), "{e}");
    }
}
