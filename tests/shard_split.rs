//! The split of a sweep into shards (`sweep --shard I/N`): for N in 1..64
//! and every preset, every run lands in exactly one shard, and the shards'
//! estimated costs differ by at most the cost of the costliest run (the
//! guarantee of the longest-processing-time rule, see
//! `experiment::split_by_cost`).

use arithgrad::experiment::{preset, run_cost, split_by_cost, Shard, SweepPlan, PRESET_NAMES};
use proptest::prelude::*;

fn plan(name: &str) -> SweepPlan {
    let p = preset(name).unwrap();
    SweepPlan {
        preset: p.name,
        cells: p.cells,
        seeds: p.seeds,
        threshold_samples: 1000,
        compat: arithgrad::Compat::Default,
    }
}

#[test]
fn every_run_lands_in_exactly_one_shard_and_costs_are_balanced() {
    for name in PRESET_NAMES {
        let plan = plan(name);
        let runs: Vec<(usize, u64)> = plan.runs().collect();
        let costs: Vec<u64> = runs
            .iter()
            .map(|&(c, _)| run_cost(&plan.cells[c]))
            .collect();
        let costliest = *costs.iter().max().unwrap();
        for n in 1..64usize {
            let part = split_by_cost(&costs, n);
            assert_eq!(part.len(), runs.len());
            let mut load = vec![0u64; n];
            for (p, c) in part.iter().zip(&costs) {
                assert!(*p < n);
                load[*p] += c;
            }
            let (max, min) = (*load.iter().max().unwrap(), *load.iter().min().unwrap());
            assert!(
                max - min <= costliest,
                "{name} in {n} parts: costs {min}..{max}, costliest run {costliest}"
            );
            // The same split through the plan, shard by shard: a partition.
            if [1, 2, 3, 7, 16, 63].contains(&n) {
                let mut seen = vec![0u8; runs.len()];
                let index: std::collections::HashMap<(usize, u64), usize> =
                    runs.iter().enumerate().map(|(i, r)| (*r, i)).collect();
                for i in 0..n {
                    let shard = plan.shard_runs(Shard::new(i, n).unwrap());
                    for r in &shard {
                        seen[index[r]] += 1;
                        assert_eq!(part[index[r]], i);
                    }
                    // In plan order.
                    assert!(shard.windows(2).all(|w| index[&w[0]] < index[&w[1]]));
                }
                assert!(seen.iter().all(|&s| s == 1), "{name} in {n} parts");
            }
        }
    }
}

proptest! {
    #[test]
    fn any_costs_split_within_the_costliest_run(
        costs in proptest::collection::vec(1u64..1_000_000, 0..300),
        n in 1usize..64,
    ) {
        let part = split_by_cost(&costs, n);
        prop_assert_eq!(part.len(), costs.len());
        let mut load = vec![0u64; n];
        for (p, c) in part.iter().zip(&costs) {
            prop_assert!(*p < n);
            load[*p] += c;
        }
        let spread = load.iter().max().unwrap() - load.iter().min().unwrap();
        prop_assert!(spread <= costs.iter().copied().max().unwrap_or(0));
        prop_assert_eq!(part, split_by_cost(&costs, n));
    }
}
