//! Saving and loading a model's weights (serde; JSON in practice).
//!
//! The file holds a format version, the model's spec (unit kinds and sizes)
//! and its parameter store (names, shapes, values). Loading checks all of it
//! against the model being loaded into, and a mismatch is an error naming it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random::Rng;
use crate::tape::ParamStore;
use crate::tensor::Element;

use super::{Model, ModelSpec};

/// The version [`SavedModel::format_version`] has when written by this crate.
pub const SAVED_MODEL_FORMAT_VERSION: u32 = 1;

/// A model's weights as written to a file.
///
/// ```
/// use arithgrad::units::{Model, ModelKind, SavedModel};
/// let model = Model::<f32>::from_seed(ModelKind::Nau.spec(10, 2), 3)?;
/// let json = serde_json::to_string(&model.save()).unwrap();
/// let file: SavedModel<f32> = serde_json::from_str(&json).unwrap();
/// let back = Model::from_saved(&file)?;
/// assert_eq!(back.params().values(), model.params().values());
///
/// // Loading into another model is an error naming the mismatch.
/// let mut other = Model::<f32>::from_seed(ModelKind::Nmu.spec(10, 2), 3)?;
/// let err = other.load_weights(&file).unwrap_err().to_string();
/// assert!(err.contains("expected model nmu, file has nau"), "{err}");
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "T: Element")]
pub struct SavedModel<T> {
    /// [`SAVED_MODEL_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The model's name ([`ModelSpec::name`]), for people reading the file.
    pub model: String,
    /// The element type the weights were trained in (`f32` or `f64`).
    pub element: String,
    /// The model's layer kinds and sizes.
    pub spec: ModelSpec,
    /// Every parameter: names, shapes, values.
    pub params: ParamStore<T>,
}

fn mismatch(reason: String) -> Error {
    Error::invalid("saved model", reason)
}

impl<T: Element> Model<T> {
    /// The model's weights in the saved format.
    pub fn save(&self) -> SavedModel<T> {
        SavedModel {
            format_version: SAVED_MODEL_FORMAT_VERSION,
            model: self.spec().name(),
            element: T::NAME.to_string(),
            spec: *self.spec(),
            params: self.params().clone(),
        }
    }

    /// Rebuilds the model a file describes, with its weights.
    pub fn from_saved(saved: &SavedModel<T>) -> Result<Self> {
        check_version(saved)?;
        // The initial draw is overwritten by the file's weights.
        let mut model = Model::new(saved.spec, &mut Rng::seed_from_u64(0))?;
        model.load_weights(saved)?;
        Ok(model)
    }

    /// Replaces this model's weights by a file's. The file must be for the
    /// same model (layer kinds) with the same parameter names and shapes;
    /// otherwise nothing is changed and the error names the mismatch, e.g.
    /// `expected model nmu, file has nau` or
    /// `layer1.W: expected [2, 100], file has [2, 10]`.
    pub fn load_weights(&mut self, saved: &SavedModel<T>) -> Result<()> {
        check_version(saved)?;
        let (mine, theirs) = (self.spec(), &saved.spec);
        if (mine.layer1, mine.layer2) != (theirs.layer1, theirs.layer2) {
            return Err(mismatch(format!(
                "expected model {}, file has {}",
                mine.name(),
                theirs.name()
            )));
        }
        let file = &saved.params;
        for info in file.infos() {
            let fits = info
                .offset
                .checked_add(info.shape.numel())
                .is_some_and(|end| end <= file.values().len());
            if !fits {
                return Err(mismatch(format!(
                    "parameter `{}` lies outside the file's value buffer",
                    info.name
                )));
            }
            if self.params().id(&info.name).is_err() {
                return Err(mismatch(format!(
                    "the file has a parameter `{}` that model {} does not have",
                    info.name,
                    mine.name()
                )));
            }
        }
        // Check every parameter before changing any.
        let mut sources = Vec::with_capacity(self.params().len());
        for info in self.params().infos() {
            let Some(theirs) = file.infos().iter().find(|p| p.name == info.name) else {
                return Err(mismatch(format!(
                    "the file has no parameter `{}`",
                    info.name
                )));
            };
            if theirs.shape != info.shape {
                return Err(mismatch(format!(
                    "{}: expected {}, file has {}",
                    info.name, info.shape, theirs.shape
                )));
            }
            sources.push(theirs.range());
        }
        let ids: Vec<_> = self.params().ids().collect();
        for (id, range) in ids.into_iter().zip(sources) {
            self.params_mut().set(id, &file.values()[range])?;
        }
        Ok(())
    }
}

fn check_version<T>(saved: &SavedModel<T>) -> Result<()> {
    if saved.format_version != SAVED_MODEL_FORMAT_VERSION {
        return Err(mismatch(format!(
            "format version {} is not supported (this build reads version {})",
            saved.format_version, SAVED_MODEL_FORMAT_VERSION
        )));
    }
    Ok(())
}
