//! A small progress line for sweeps: runs done, runs solved so far, and an
//! estimate of the time left. Redrawn in place on a terminal, printed as a
//! plain line every few seconds otherwise (logs stay readable).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a sweep of `total` runs.
pub struct Progress {
    total: usize,
    done: usize,
    solved: usize,
    start: Instant,
    last_draw: Option<Instant>,
    /// `(done, solved)` when the line was last drawn.
    last_drawn: Option<(usize, usize)>,
    tty: bool,
    enabled: bool,
}

impl Progress {
    /// Starts tracking a sweep of `total` runs still to do; `enabled = false`
    /// prints nothing (e.g. `--quiet`).
    pub fn new(total: usize, enabled: bool) -> Progress {
        Progress {
            total,
            done: 0,
            solved: 0,
            start: Instant::now(),
            last_draw: None,
            last_drawn: None,
            tty: std::io::stderr().is_terminal(),
            enabled,
        }
    }

    /// Records one finished run.
    pub fn finish_run(&mut self, solved: bool) {
        self.done += 1;
        self.solved += solved as usize;
        self.draw(false);
    }

    /// Prints `text` on its own line of stderr (clearing the progress line
    /// on a terminal first) and redraws the progress line after it.
    pub fn message(&mut self, text: &str) {
        if self.enabled && self.tty {
            eprint!("\r\x1b[K");
        }
        eprintln!("{text}");
        self.last_draw = None;
        self.draw(true);
    }

    /// Prints the final state (unless it is already shown) and ends the line.
    pub fn close(&mut self) {
        if self.last_drawn != Some((self.done, self.solved)) {
            self.draw(true);
        }
        if self.enabled && self.tty {
            eprintln!();
        }
    }

    fn draw(&mut self, force: bool) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let every = if self.tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(10)
        };
        if !force && self.done < self.total {
            if let Some(t) = self.last_draw {
                if now - t < every {
                    return;
                }
            }
        }
        self.last_draw = Some(now);
        self.last_drawn = Some((self.done, self.solved));
        let elapsed = now - self.start;
        let left = if self.done >= self.total {
            String::new()
        } else if self.done > 0 {
            let per = elapsed.as_secs_f64() / self.done as f64;
            format!(
                ", ~{} left",
                format_duration(per * (self.total - self.done) as f64)
            )
        } else {
            ", ? left".to_string()
        };
        let width = 30;
        let filled = (width * self.done).checked_div(self.total).unwrap_or(width);
        let bar: String = (0..width)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        let line = format!(
            "[{bar}] {}/{} runs, {} solved, {} elapsed{left}",
            self.done,
            self.total,
            self.solved,
            format_duration(elapsed.as_secs_f64()),
        );
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r{line}\x1b[K");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }
}

/// `93.2 s` -> "1m33s"; hours-long sweeps get hours, and sweeps of two
/// days or more days.
pub fn format_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "?".into();
    }
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{:.1}s", secs),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        3600..=172_799 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::format_duration;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(2.31), "2.3s");
        assert_eq!(format_duration(93.2), "1m33s");
        assert_eq!(format_duration(7322.0), "2h02m");
        assert_eq!(format_duration(47.0 * 3600.0), "47h00m");
        assert_eq!(format_duration(143.5 * 3600.0), "5d23h");
    }
}
