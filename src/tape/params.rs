//! Parameters: named tensors that live across training steps, stored in one
//! flat buffer (and their gradients in another of the same layout), so an
//! optimizer can update every parameter in a single fused loop.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::tensor::{Element, Shape, Tensor};

static NEXT_STORE_ID: AtomicU32 = AtomicU32::new(1);

/// A `Copy` handle to one parameter of a [`ParamStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId {
    store: u32,
    index: u32,
}

impl ParamId {
    /// Position of the parameter in its store, in the order it was added.
    pub fn index(&self) -> usize {
        self.index as usize
    }
}

/// The name, shape and place in the flat buffers of one parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamInfo {
    pub name: String,
    pub shape: Shape,
    /// Where the parameter's elements sit in [`ParamStore::values`].
    pub offset: usize,
}

impl ParamInfo {
    /// The parameter's range in the flat buffers.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.shape.numel()
    }
}

/// Named parameters in one flat value buffer, with a gradient buffer of the
/// same layout. Serializes (with serde) to its names, shapes and values.
///
/// ```
/// use arithgrad::tape::ParamStore;
/// use arithgrad::tensor::{Shape, Tensor};
/// let mut params = ParamStore::<f32>::new();
/// let w = params.add("w", Tensor::zeros(Shape::matrix(2, 3)))?;
/// assert_eq!(params.value(w)?.len(), 6);
/// assert_eq!(params.name(w)?, "w");
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    bound = "T: Element",
    try_from = "SavedParams<T>",
    into = "SavedParams<T>"
)]
pub struct ParamStore<T> {
    id: u32,
    infos: Vec<ParamInfo>,
    values: Vec<T>,
    grads: Vec<T>,
}

#[derive(Serialize, Deserialize)]
#[serde(bound = "T: Element")]
struct SavedParams<T> {
    params: Vec<ParamInfo>,
    #[serde(deserialize_with = "values_or_nan")]
    values: Vec<T>,
}

/// JSON has no NaN or infinity (serde_json writes them as `null`): reading
/// `null` back as NaN keeps a store with a non-finite weight loadable.
fn values_or_nan<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Element,
{
    let raw = Vec::<Option<T>>::deserialize(d)?;
    Ok(raw.into_iter().map(|v| v.unwrap_or_else(T::nan)).collect())
}

/// Loading checks that the parameters tile the value buffer exactly, in
/// order, with unique names, so every later access is in bounds.
impl<T: Element> TryFrom<SavedParams<T>> for ParamStore<T> {
    type Error = Error;

    fn try_from(s: SavedParams<T>) -> Result<Self> {
        let mut expected_offset = 0usize;
        for (i, p) in s.params.iter().enumerate() {
            if s.params[..i].iter().any(|q| q.name == p.name) {
                return Err(Error::invalid(
                    "parameter store",
                    format!("parameter `{}` appears twice", p.name),
                ));
            }
            if p.offset != expected_offset {
                return Err(Error::invalid(
                    "parameter store",
                    format!(
                        "parameter `{}` starts at {} but the previous ones end at {expected_offset}",
                        p.name, p.offset
                    ),
                ));
            }
            expected_offset += p.shape.numel();
        }
        if expected_offset != s.values.len() {
            return Err(Error::invalid(
                "parameter store",
                format!(
                    "the parameters' shapes need {expected_offset} values but the file has {}",
                    s.values.len()
                ),
            ));
        }
        let n = s.values.len();
        Ok(ParamStore {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            infos: s.params,
            values: s.values,
            grads: vec![T::zero(); n],
        })
    }
}

impl<T: Element> From<ParamStore<T>> for SavedParams<T> {
    fn from(p: ParamStore<T>) -> Self {
        SavedParams {
            params: p.infos,
            values: p.values,
        }
    }
}

impl<T: Element> Default for ParamStore<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Element> ParamStore<T> {
    /// An empty store.
    pub fn new() -> Self {
        ParamStore {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            infos: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
        }
    }

    /// Adds a parameter with its initial value; names must be unique.
    pub fn add(&mut self, name: impl Into<String>, value: Tensor<T>) -> Result<ParamId> {
        let name = name.into();
        if self.infos.iter().any(|p| p.name == name) {
            return Err(Error::invalid(
                "parameter name",
                format!("`{name}` is already in this store"),
            ));
        }
        let offset = self.values.len();
        self.values.extend_from_slice(value.data());
        self.grads.resize(self.values.len(), T::zero());
        self.infos.push(ParamInfo {
            name,
            shape: value.shape(),
            offset,
        });
        Ok(ParamId {
            store: self.id,
            index: (self.infos.len() - 1) as u32,
        })
    }

    fn info(&self, id: ParamId) -> Result<&ParamInfo> {
        if id.store != self.id {
            return Err(Error::ForeignHandle { what: "parameter" });
        }
        self.infos
            .get(id.index as usize)
            .ok_or(Error::ForeignHandle { what: "parameter" })
    }

    /// Number of parameters (tensors, not elements).
    pub fn len(&self) -> usize {
        self.infos.len()
    }

    /// Whether the store holds no parameters.
    pub fn is_empty(&self) -> bool {
        self.infos.is_empty()
    }

    /// Number of scalar elements over all parameters.
    pub fn numel(&self) -> usize {
        self.values.len()
    }

    /// Handles of every parameter, in the order they were added.
    pub fn ids(&self) -> impl Iterator<Item = ParamId> + '_ {
        (0..self.infos.len() as u32).map(|index| ParamId {
            store: self.id,
            index,
        })
    }

    /// The handle of the parameter called `name`.
    pub fn id(&self, name: &str) -> Result<ParamId> {
        self.infos
            .iter()
            .position(|p| p.name == name)
            .map(|i| ParamId {
                store: self.id,
                index: i as u32,
            })
            .ok_or_else(|| Error::invalid("parameter name", format!("no parameter `{name}`")))
    }

    /// Name, shape and offset of every parameter.
    pub fn infos(&self) -> &[ParamInfo] {
        &self.infos
    }

    /// The parameter's name.
    pub fn name(&self, id: ParamId) -> Result<&str> {
        Ok(&self.info(id)?.name)
    }

    /// The parameter's shape.
    pub fn shape(&self, id: ParamId) -> Result<Shape> {
        Ok(self.info(id)?.shape)
    }

    /// The parameter's values.
    pub fn value(&self, id: ParamId) -> Result<&[T]> {
        let r = self.info(id)?.range();
        Ok(&self.values[r])
    }

    /// The parameter's values, mutable (for initialisation and projection).
    pub fn value_mut(&mut self, id: ParamId) -> Result<&mut [T]> {
        let r = self.info(id)?.range();
        Ok(&mut self.values[r])
    }

    /// The parameter's value as an owned tensor.
    pub fn tensor(&self, id: ParamId) -> Result<Tensor<T>> {
        let info = self.info(id)?;
        Tensor::from_slice(info.shape, &self.values[info.range()])
    }

    /// The parameter's accumulated gradient.
    pub fn grad(&self, id: ParamId) -> Result<&[T]> {
        let r = self.info(id)?.range();
        Ok(&self.grads[r])
    }

    /// The parameter's gradient, mutable (e.g. to add a hand-written term).
    pub fn grad_mut(&mut self, id: ParamId) -> Result<&mut [T]> {
        let r = self.info(id)?.range();
        Ok(&mut self.grads[r])
    }

    /// Every parameter value, in one flat buffer.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Every parameter value, mutable.
    pub fn values_mut(&mut self) -> &mut [T] {
        &mut self.values
    }

    /// Every gradient, in the same layout as [`ParamStore::values`].
    pub fn grads(&self) -> &[T] {
        &self.grads
    }

    /// Every gradient, mutable (for clipping).
    pub fn grads_mut(&mut self) -> &mut [T] {
        &mut self.grads
    }

    /// Values (mutable) and gradients together, for an optimizer step.
    pub fn values_and_grads_mut(&mut self) -> (&mut [T], &[T]) {
        (&mut self.values, &self.grads)
    }

    /// Sets every gradient to zero.
    pub fn zero_grad(&mut self) {
        self.grads.fill(T::zero());
    }

    /// Overwrites a parameter's value; the length must match.
    pub fn set(&mut self, id: ParamId, data: &[T]) -> Result<()> {
        let dst = self.value_mut(id)?;
        if dst.len() != data.len() {
            return Err(Error::DataLength {
                expected: dst.len(),
                actual: data.len(),
            });
        }
        dst.copy_from_slice(data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_ids_are_errors() {
        let mut a = ParamStore::<f64>::new();
        let mut b = ParamStore::<f64>::new();
        let ia = a.add("w", Tensor::zeros(Shape::vector(2))).unwrap();
        b.add("w", Tensor::zeros(Shape::vector(2))).unwrap();
        assert_eq!(
            b.value(ia).unwrap_err(),
            Error::ForeignHandle { what: "parameter" }
        );
    }

    #[test]
    fn duplicate_names_are_errors() {
        let mut a = ParamStore::<f32>::new();
        a.add("w", Tensor::zeros(Shape::vector(2))).unwrap();
        let (name, reason) =
            crate::error::expect::invalid(a.add("w", Tensor::zeros(Shape::vector(1))));
        assert_eq!(name, "parameter name");
        assert_eq!(reason, "`w` is already in this store");
    }

    #[test]
    fn serde_round_trip_keeps_names_shapes_values() {
        let mut a = ParamStore::<f32>::new();
        a.add("w", Tensor::full(Shape::matrix(2, 2), 0.5)).unwrap();
        a.add("b", Tensor::full(Shape::vector(2), -1.0)).unwrap();
        let json = serde_json::to_string(&a).unwrap();
        let back: ParamStore<f32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.infos(), a.infos());
        assert_eq!(back.values(), a.values());
        assert_eq!(back.grads().len(), a.values().len());
        let id = back.id("b").unwrap();
        assert_eq!(back.value(id).unwrap(), &[-1.0, -1.0]);
    }

    #[test]
    fn non_finite_values_survive_a_json_round_trip_as_nan() {
        let mut a = ParamStore::<f32>::new();
        a.add(
            "w",
            Tensor::from_vec(Shape::vector(2), vec![f32::NAN, 1.5]).unwrap(),
        )
        .unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("null"), "{json}");
        let back: ParamStore<f32> = serde_json::from_str(&json).unwrap();
        assert!(back.values()[0].is_nan());
        assert_eq!(back.values()[1], 1.5);
    }

    #[test]
    fn corrupt_files_are_errors_not_later_panics() {
        let bad = [
            // too few values for the shapes
            r#"{"params":[{"name":"w","shape":[2,2],"offset":0}],"values":[1.0,2.0]}"#,
            // a gap between parameters
            r#"{"params":[{"name":"w","shape":[1],"offset":0},{"name":"b","shape":[1],"offset":2}],"values":[1.0,2.0]}"#,
            // a name twice
            r#"{"params":[{"name":"w","shape":[1],"offset":0},{"name":"w","shape":[1],"offset":1}],"values":[1.0,2.0]}"#,
        ];
        for text in bad {
            let e = serde_json::from_str::<ParamStore<f64>>(text).unwrap_err();
            assert!(e.to_string().contains("parameter store"), "{e}");
        }
    }
}
