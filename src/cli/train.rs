//! `arithgrad train`: one run, printed as a summary or as its record.

use super::args::TrainArgs;
use super::config::run_config;
use super::error::{CliError, CliResult};
use super::output::{sci, thousands, Stdout};
use super::progress::format_duration;
use super::thresholds::{thresholds_of, user_cache};
use crate::experiment::{run, RunRecord};
use crate::task::DEFAULT_THRESHOLD_SEED;

/// Decimals of the learned weights in the summary.
const WEIGHT_DECIMALS: usize = 3;

pub fn train(args: &TrainArgs) -> CliResult {
    let config = run_config(args)?;
    let threshold = thresholds_of(
        &mut user_cache().with_compat(config.compat),
        std::slice::from_ref(&config.task),
        args.threshold_samples,
        DEFAULT_THRESHOLD_SEED,
        1,
    )?[0];
    eprintln!(
        "training {} on {} with seed {} for {} iterations",
        config.model,
        config.task,
        args.seed,
        thousands(config.iterations)
    );
    let record = run(&config, args.seed, threshold.mse).map_err(CliError::runtime)?;
    let mut out = Stdout::new();
    if args.json {
        out.json_line(&record)
    } else {
        for line in summary(&record) {
            out.line(line)?;
        }
        Ok(())
    }
}

/// The record of a run for people: one line per fact, then the learned
/// weights of the judged checkpoint.
pub fn summary(r: &RunRecord) -> Vec<String> {
    let c = &r.config;
    let mut lines = vec![
        format!("model           {}", c.model),
        format!("task            {}", c.task),
        format!("seed            {}", r.seed),
        format!("iterations      {}", thousands(c.iterations)),
        format!("threshold       {}", sci(r.threshold)),
    ];
    if c.compat.is_published() {
        lines.push(
            "compat          published (the authors' R threshold geometry and checkpoint search)"
                .to_string(),
        );
    }
    let solved = match (r.solved, r.solved_at) {
        (true, Some(at)) => format!("yes, first below the threshold at step {}", thousands(at)),
        (true, None) => "yes".to_string(),
        (false, _) => "no".to_string(),
    };
    lines.push(format!("solved          {solved}"));
    if r.diverged {
        let at = r.curve.last().map_or(0, |p| p.step);
        lines.push(format!(
            "diverged        at step {} (NaN or infinite gradient or weights; the run stopped)",
            thousands(at)
        ));
    }
    match &r.judged {
        Some(j) => {
            lines.push(format!(
                "judged at step  {} (lowest validation MSE)",
                thousands(j.step)
            ));
            lines.push(format!("validation MSE  {}", sci(j.valid_mse)));
            lines.push(format!("test MSE        {}", sci(j.test_mse)));
            lines.push(format!("sparsity error  {}", sci(j.sparsity_error)));
            for (layer, gate) in r.gates.iter().enumerate() {
                if let Some(g) = gate {
                    let test = r.gates_test[layer]
                        .map_or(String::new(), |t| format!("; {t:.3} on test rows"));
                    lines.push(format!(
                        "gate layer {}    {g:.3} (mean on the training batch{test})",
                        layer + 1
                    ));
                }
            }
            lines.push(format!(
                "wall time       {}",
                format_duration(r.wall_time_s)
            ));
            lines.push(format!(
                "weights at the judged checkpoint, rounded to {WEIGHT_DECIMALS} decimals:"
            ));
            let params = &j.weights.params;
            for (info, id) in params.infos().iter().zip(params.ids()) {
                let values = params.value(id).unwrap_or(&[]);
                lines.push(format!("  {} {}", info.name, info.shape));
                let dims = info.shape.dims();
                let row_len = dims.last().copied().unwrap_or(1).max(1);
                for (i, row) in values.chunks(row_len).enumerate() {
                    let label = if values.len() > row_len {
                        format!("[{i}] ")
                    } else {
                        String::new()
                    };
                    for (k, part) in weight_row(row).into_iter().enumerate() {
                        let indent = if k == 0 {
                            label.clone()
                        } else {
                            " ".repeat(label.len())
                        };
                        lines.push(format!("    {indent}{part}"));
                    }
                }
            }
        }
        None => {
            lines.push("judged          none (no finite validation MSE after step 0)".into());
            lines.push(format!(
                "wall time       {}",
                format_duration(r.wall_time_s)
            ));
        }
    }
    lines
}

/// Values per line when a row of weights is printed in full.
const WEIGHTS_PER_LINE: usize = 10;

/// A row of weights rounded, with runs of equal values collapsed
/// (`0.000 x13, 1.000 x25, 0.000 x62`) when that is shorter, so a learned
/// selection reads at a glance; otherwise in lines of ten values, each
/// after the column index of its first value.
fn weight_row(row: &[f64]) -> Vec<String> {
    let rounded: Vec<String> = row
        .iter()
        .map(|w| {
            let s = format!("{w:.WEIGHT_DECIMALS$}");
            // -0.000 reads as a sign that is not there.
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        })
        .collect();
    let mut runs: Vec<(&str, usize)> = Vec::new();
    for s in &rounded {
        match runs.last_mut() {
            Some((last, n)) if *last == s.as_str() => *n += 1,
            _ => runs.push((s, 1)),
        }
    }
    if runs.len() * 2 < rounded.len() {
        let text = runs
            .iter()
            .map(|(s, n)| {
                if *n > 1 {
                    format!("{s} x{n}")
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        return vec![text];
    }
    if rounded.len() <= WEIGHTS_PER_LINE {
        return vec![rounded.join(" ")];
    }
    let width = (rounded.len() - 1).to_string().len();
    rounded
        .chunks(WEIGHTS_PER_LINE)
        .enumerate()
        .map(|(k, chunk)| {
            let values: Vec<String> = chunk.iter().map(|s| format!("{s:>6}")).collect();
            format!("{:>width$}: {}", k * WEIGHTS_PER_LINE, values.join(" "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::weight_row;

    #[test]
    fn rows_collapse_only_when_shorter() {
        let mut row = vec![0.0001; 13];
        row.extend([0.99999; 25]);
        row.extend([-0.0002; 62]);
        assert_eq!(weight_row(&row), ["0.000 x13, 1.000 x25, 0.000 x62"]);
        assert_eq!(weight_row(&[0.5, -0.25, 1.0]), ["0.500 -0.250 1.000"]);
        let long: Vec<f64> = (0..12).map(|i| i as f64 / 10.0).collect();
        assert_eq!(
            weight_row(&long),
            [
                " 0:  0.000  0.100  0.200  0.300  0.400  0.500  0.600  0.700  0.800  0.900",
                "10:  1.000  1.100"
            ]
        );
    }
}
