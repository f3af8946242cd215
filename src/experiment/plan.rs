//! What a sweep runs, and how to split it among machines.
//!
//! A [`SweepPlan`] is a preset's cells and seeds (with any overrides); its
//! runs are every (cell, seed) pair. [`SweepPlan::shard_runs`] gives the
//! runs of one of `N` parts: a split that depends only on the plan, so
//! every machine computes the same one without talking to the others, and
//! that balances the parts by estimated cost rather than by count (a NALU
//! run costs several NMU runs; see [`run_cost`]).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::units::{ModelSpec, UnitKind};
use crate::Compat;

use super::RunConfig;

/// What a sweep runs: every cell with every seed.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// The preset's name.
    pub preset: &'static str,
    pub cells: Vec<RunConfig>,
    pub seeds: Range<u64>,
    /// Monte-Carlo samples of each cell's threshold.
    pub threshold_samples: usize,
    /// The computation every cell follows (`--compat`).
    pub compat: Compat,
}

impl SweepPlan {
    /// Every (cell index, seed) pair, seed-major: all cells of seed 0 first,
    /// so an interrupted sweep has about as many seeds in every cell.
    pub fn runs(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let cells = self.cells.len();
        self.seeds
            .clone()
            .flat_map(move |seed| (0..cells).map(move |c| (c, seed)))
    }

    /// Number of runs.
    pub fn len(&self) -> usize {
        self.cells.len() * (self.seeds.end - self.seeds.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The runs of part `shard` of the split of this plan into
    /// `shard.count` parts, in plan order. See [`split_by_cost`].
    pub fn shard_runs(&self, shard: Shard) -> Vec<(usize, u64)> {
        let runs: Vec<(usize, u64)> = self.runs().collect();
        let costs: Vec<u64> = runs
            .iter()
            .map(|&(cell, _)| run_cost(&self.cells[cell]))
            .collect();
        let part = split_by_cost(&costs, shard.count);
        runs.into_iter()
            .zip(part)
            .filter(|&(_, p)| p == shard.index)
            .map(|(run, _)| run)
            .collect()
    }
}

/// Part `index` (0-based) of `count` parts, written `I/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole plan as one part.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// A valid shard: `count >= 1` and `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Shard> {
        if count == 0 {
            return Err(Error::invalid(
                "shard",
                "`I/0` has no parts; N must be at least 1",
            ));
        }
        if index >= count {
            return Err(Error::invalid(
                "shard",
                format!(
                    "`{index}/{count}`: I counts from 0, so with {count} parts it is 0 to {}",
                    count - 1
                ),
            ));
        }
        Ok(Shard { index, count })
    }
}

impl FromStr for Shard {
    type Err = Error;
    fn from_str(s: &str) -> Result<Shard> {
        let bad = |what: &str| {
            Error::invalid(
                "shard",
                format!("`{s}` must look like I/N with 0 <= I < N, e.g. 0/4 ({what})"),
            )
        };
        let (i, n) = s.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let index = i
            .trim()
            .parse()
            .map_err(|_| bad(&format!("`{i}` is not a number")))?;
        let count = n
            .trim()
            .parse()
            .map_err(|_| bad(&format!("`{n}` is not a number")))?;
        Shard::new(index, count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The cost of one training iteration of a model whose costlier layer is
/// `kind`, relative to an NMU model's 10. From `arithgrad bench --model M
/// --steps 5000 --blocks 3` (one thread, the default 100 -> 2 -> 1 task,
/// fastest block) on a loaded 2-core AMD EPYC VM, in us per step: nmu 20.9,
/// nau 21.0, linear 22.8, nac-add 25.8, nac-mul-nmu 29.2, relu 33.9,
/// nac-mul 42.4, nac-mul-sigma 51.4, nalu 141, gated-nau-nmu 150. Only the
/// ratios matter; kinds not listed count as an NMU.
fn unit_cost(kind: UnitKind) -> u64 {
    match kind.to_string().as_str() {
        "nalu" | "nalu-separate" | "gated-nau-nmu" => 70,
        "nac-mul-sigma" => 25,
        "nac-mul" => 20,
        "relu" | "relu6" => 16,
        "nac-mul-nmu" => 14,
        "nac-add" => 12,
        "linear" => 11,
        _ => 10,
    }
}

/// The cost factor of a model: what one of its iterations costs relative to
/// an NMU model's 10 (the factor of its costlier layer; a NALU model costs
/// 70, seven NMU models).
pub fn model_cost_factor(model: &ModelSpec) -> u64 {
    unit_cost(model.layer1).max(unit_cost(model.layer2))
}

/// The estimated cost of a run: its model's cost factor times its own
/// iteration count (in units of a tenth of an NMU iteration).
pub fn run_cost(config: &RunConfig) -> u64 {
    model_cost_factor(&config.model).saturating_mul(config.iterations)
}

/// Splits runs of the given costs into `parts` parts (at least one), as the
/// part of each run: the longest-processing-time rule, taking runs from the
/// most costly down (ties in input order) and giving each to the part with
/// the least cost so far (ties to the lowest part). It uses integers only,
/// so it is the same on every machine.
///
/// Guarantee: the most and the least costly part differ by at most the
/// cost of the costliest run (when a part received its last run, it was
/// the least costly).
pub fn split_by_cost(costs: &[u64], parts: usize) -> Vec<usize> {
    let parts = parts.max(1);
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; parts];
    let mut part_of = vec![0usize; costs.len()];
    for i in order {
        let (p, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(p, &l)| (l, p))
            .unwrap_or((0, &0));
        part_of[i] = p;
        load[p] = load[p].saturating_add(costs[i]);
    }
    part_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_bad_ones_say_why() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert_eq!(Shard { index: 2, count: 4 }.to_string(), "2/4");
        for (bad, needle) in [
            ("3/3", "0 to 2"),
            ("0/0", "at least 1"),
            ("a/b", "`a` is not a number"),
            ("3", "I/N"),
            ("-1/2", "not a number"),
        ] {
            let e = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn a_nalu_run_costs_about_seven_nmu_runs() {
        use crate::units::ModelKind;
        let nmu = model_cost_factor(&ModelKind::Nmu.spec(100, 2));
        let nalu = model_cost_factor(&ModelKind::Nalu.spec(100, 2));
        let ratio = nalu as f64 / nmu as f64;
        assert_eq!(ratio, 7.0);
    }

    #[test]
    fn the_split_is_balanced_and_deterministic() {
        let costs = [70, 10, 10, 70, 30, 10, 10, 10];
        let parts = split_by_cost(&costs, 3);
        assert_eq!(parts, split_by_cost(&costs, 3));
        let mut load = [0u64; 3];
        for (c, p) in costs.iter().zip(&parts) {
            load[*p] += c;
        }
        assert_eq!(load.iter().sum::<u64>(), 220);
        assert!(load.iter().max().unwrap() - load.iter().min().unwrap() <= 70);
        assert!(split_by_cost(&[], 4).is_empty());
        assert_eq!(split_by_cost(&[5, 5], 1), [0, 0]);
    }
}
