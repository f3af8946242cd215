//! Which computation a result follows: the correct one (the default), or the
//! one the authors' published scripts performed.
//!
//! The paper's numbers were produced by the R scripts of the authors'
//! `stable-nalu` repository, which differ from the paper's own definitions
//! in a few deterministic ways (docs/reference-differences.md lists them,
//! with the file each comes from). [`Compat::Published`] reproduces them on
//! demand, so a researcher can tell which differences between a table of
//! this crate and the paper's come from the computation and which from the
//! runs:
//!
//! - success threshold: simulated on the R script's subset geometry
//!   (inclusive 1-based ranges: `floor(s n) + 1` inputs per subset, the
//!   overlap one larger), see [`crate::task::TaskConfig::threshold_positions`];
//! - sparsity-error fit: the R likelihood (beta density at `x` instead of
//!   `2x`, values above 0.5 clipped instead of a fallback), see
//!   [`crate::stats::beta_mean_with`];
//! - checkpoint search: step 0 is a candidate whenever the R export's window
//!   reaches back to it (the toy and input-size experiments), see
//!   [`crate::experiment::judge_with`].
//!
//! The mode is part of every run key and threshold cache key (as
//! `compat=published`; the default adds nothing), so results of the two
//! modes never mix.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The computation a result follows.
///
/// ```
/// use arithgrad::Compat;
/// assert_eq!("published".parse::<Compat>()?, Compat::Published);
/// assert_eq!(Compat::default().to_string(), "default");
/// assert!("paper".parse::<Compat>().unwrap_err().to_string().contains("published"));
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compat {
    /// The paper's definitions, computed correctly.
    #[default]
    Default,
    /// What the authors' published R scripts computed.
    Published,
}

impl Compat {
    /// Both modes.
    pub const ALL: [Compat; 2] = [Compat::Default, Compat::Published];

    /// The mode's name: "default" or "published".
    pub fn name(self) -> &'static str {
        match self {
            Compat::Default => "default",
            Compat::Published => "published",
        }
    }

    /// Whether this is [`Compat::Published`].
    pub fn is_published(self) -> bool {
        self == Compat::Published
    }

    /// What the mode adds to a run key or a threshold cache key: nothing for
    /// the default (so keys written before the switch existed stay valid),
    /// ` compat=published` otherwise.
    pub fn key_suffix(self) -> &'static str {
        match self {
            Compat::Default => "",
            Compat::Published => " compat=published",
        }
    }
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Compat {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Compat::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "compat",
                    format!("unknown mode `{s}`; the modes are default, published"),
                )
            })
    }
}
