//! iNALU, the improved NALU of Schlör, Ring & Hotho, "iNALU: Improved
//! Neural Arithmetic Logic Unit" (Frontiers in Artificial Intelligence
//! 2020, arXiv 2003.07629), as benchmarked by Mistry, Farrahi & Hare, "A
//! Primer for Neural Arithmetic Logic Modules" (JMLR 2022).
//!
//! ```text
//! W_a = tanh(A_hat) ⊙ sigmoid(A_m)        (additive path, its own weights)
//! W_m = tanh(M_hat) ⊙ sigmoid(M_m)        (multiplicative path)
//! a   = x W_aᵀ
//! m   = exp(min(log(max(|x|, 1e-7)) W_mᵀ, 20))          (capped exponent)
//! s_j = clamp(prod_i (sign(x_i) |W_m,ji| + 1 - |W_m,ji|), -1, 1)
//!                                                     (sign retrieval)
//! g   = sigmoid(G)                        (one gate per output, no input)
//! z   = g ⊙ a + (1 - g) ⊙ m ⊙ s
//! R   = sum over A_hat, A_m, M_hat, M_m, G of mean(max(20 - |p|, 0))
//!                                         (regularizer, weight 0.05)
//! ```
//!
//! Shapes: `x: [B, I]`, `A_hat, A_m, M_hat, M_m: [O, I]`, `G: [O]`, `z: [B, O]`.
//! The sign retrieval is an NMU-style product ([`Tape::lerp_prod`]) of
//! `sign(x)` with `|W_m|`: an input with `|W_m| = 1` contributes its sign,
//! one with `W_m = 0` contributes 1.
//!
//! Initialisation ([`InaluInit`]): the single-module benchmark's
//! `A_hat, M_hat ~ N(1, 0.1^2)`, `A_m, M_m ~ N(-1, 0.1^2)`, `G ~ N(0, 0.1^2)`;
//! or the iNALU library's defaults `N(0.88, 0.2^2)`, `N(0.5, 0.2^2)`,
//! `N(0, 0.2^2)`. (Standard deviations as given; drawn in the order
//! `A_hat, A_m, M_hat, M_m, G`.)
//!
//! Training rules of the paper ([`training_rules`], applied by the trainer
//! through [`super::rules`]): the regularizer `R` is the unit's extra loss
//! term ([`Unit::penalty`]) with weight 0.05, switched on only after a
//! warm-up of 10,000 steps and while the latest validation MSE is below 1;
//! gradients are clipped by value to `[-0.1, 0.1]`; and the
//! reinitialisation rule ([`Unit::reinit`], see [`restart_due`]) redraws
//! every parameter from `U[-2, 2]` when the validation MSE has stalled
//! while large.

use crate::error::Result;
use crate::random::Rng;
use crate::tape::{ParamId, ParamStore, Tape, Var};
use crate::tensor::{Element, Shape};

use super::common::{
    add_param, batch_size, check_sizes, gate_mix, nac_weight_of, nac_weight_value,
};
use super::init::fill_uniform;
use super::sparsity::max_sparsity_error;
use super::{
    GradClip, InaluInit, LossHistory, PenaltyWeight, ReinitRule, TrainingRules, Unit, UnitKind,
    WatchedLoss,
};

/// iNALU: `z = g a + (1 - g) m s` with independent weights per path, a
/// capped exponent, sign retrieval and an input-independent gate.
///
/// ```
/// use arithgrad::random::Rng;
/// use arithgrad::units::{Inalu, InaluInit, Unit};
/// use arithgrad::{ParamStore, Shape, Tape, Tensor};
/// let mut params = ParamStore::<f64>::new();
/// let mut rng = Rng::seed_from_u64(0);
/// let u = Inalu::new(&mut params, "inalu", 2, 1, InaluInit::Benchmark, &mut rng)?;
/// params.set(u.m_hat(), &[30.0, 30.0])?; // W_m = [1, 1]: x1 * x2
/// params.set(u.m_m(), &[40.0, 40.0])?;
/// params.set(u.gate_weight(), &[-40.0])?; // gate shut: the multiplicative path
/// let mut tape = Tape::new();
/// let x = tape.constant(&Tensor::from_vec(Shape::matrix(1, 2), vec![-3.0, 4.0])?);
/// let z = u.apply(&mut tape, &params, x)?;
/// assert!((tape.value(z)?[0] + 12.0).abs() < 1e-9); // the sign is retrieved
/// # Ok::<(), arithgrad::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Inalu {
    a_hat: ParamId,
    a_m: ParamId,
    m_hat: ParamId,
    m_m: ParamId,
    g: ParamId,
    init: InaluInit,
    inputs: usize,
    outputs: usize,
}

/// An [`Inalu`] layer's weights recorded on a tape for one step.
#[derive(Clone, Copy, Debug)]
pub struct InaluWeights {
    /// The additive path's weight `W_a = tanh(A_hat) * sigmoid(A_m)`, `[O, I]`.
    pub effective_add: Var,
    /// The multiplicative path's weight `W_m = tanh(M_hat) * sigmoid(M_m)`, `[O, I]`.
    pub effective_mul: Var,
    /// The gate parameter `G`, `[O]` (the gate is `sigmoid(G)`).
    pub g: Var,
    /// The raw parameters `A_hat, A_m, M_hat, M_m` (for the regularizer).
    pub stored: [Var; 4],
}

/// The exponent cap of the multiplicative path.
const EXPONENT_CAP: f64 = 20.0;

/// The regularizer's threshold `t` in `max(t - |p|, 0)`.
const REGULARIZER_THRESHOLD: f64 = 20.0;

/// What iNALU asks of the training loop, as the single-module benchmark's
/// harness (Mistry, Farrahi & Hare's `single_layer_benchmark.py`) runs it:
/// gradient clipping by value to `[-0.1, 0.1]`; its regularizer
/// ([`Unit::penalty`]) with weight 0.05 in steps after the first 10,000
/// (`step > 10000`) while the *validation* MSE of the latest evaluation is
/// below 1; and a reinitialisation check ([`restart_due`]) at every tenth
/// step over the history of that same validation MSE, one entry per step
/// since the last reinitialisation (up to 100,000 of them: all, in a
/// 50,000-step run). The harness watches the validation MSE where the
/// iNALU authors' own code (epochs over a fixed training set) watches the
/// batch loss ([`WatchedLoss::Batch`] gives that). The optimizer's state is
/// kept, as in both.
pub fn training_rules() -> TrainingRules {
    TrainingRules {
        grad_clip: GradClip::Value(0.1),
        penalty: PenaltyWeight::AfterWarmupBelowLoss {
            weight: 0.05,
            warmup: 10_001,
            below_loss: 1.0,
        },
        reinit: Some(ReinitRule {
            check_every: 10,
            history: 100_000,
            reset_optimizer: false,
        }),
        watch: WatchedLoss::Validation,
        ..TrainingRules::NONE
    }
}

/// iNALU's reinitialisation rule (Schlör et al. 2020, section 3.4): with
/// more than 5,000 losses kept, and `first`, `second` the two halves of the
/// history (oldest first; `second` the longer for an odd count), restart if
/// `mean(first) <= mean(second) + std(second)` (no progress) and
/// `mean(second) > 1` (still far off). `std` is the population standard
/// deviation, as NumPy's. A non-finite loss in the history makes both
/// comparisons false (as NaN does in NumPy). O(1): the history keeps
/// running sums of its halves ([`LossHistory::halves`]).
///
/// ```
/// use arithgrad::units::{inalu::restart_due, LossHistory};
/// let mut stuck = LossHistory::with_capacity(10_000);
/// let mut falling = LossHistory::with_capacity(10_000);
/// for t in 0..5_001 {
///     stuck.push(5.0);
///     falling.push(1e4 / (1.0 + t as f64));
/// }
/// assert!(restart_due(&stuck));
/// assert!(!restart_due(&falling));
/// ```
pub fn restart_due(history: &LossHistory) -> bool {
    if history.len() <= 5_000 {
        return false;
    }
    match history.halves() {
        Some((first, second, std)) => second > 1.0 && first <= second + std,
        None => false,
    }
}

impl Inalu {
    /// The `eps` of `log(max(|x|, eps))`.
    pub const LOG_EPS: f64 = 1e-7;

    /// Adds `prefix.A_hat`, `prefix.A_m`, `prefix.M_hat`, `prefix.M_m`
    /// (`[O, I]`) and `prefix.G` (`[O]`), and initialises them.
    pub fn new<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
        init: InaluInit,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_sizes("inalu", inputs, outputs)?;
        let m = Shape::matrix(outputs, inputs);
        let unit = Inalu {
            a_hat: add_param(params, prefix, "A_hat", m)?,
            a_m: add_param(params, prefix, "A_m", m)?,
            m_hat: add_param(params, prefix, "M_hat", m)?,
            m_m: add_param(params, prefix, "M_m", m)?,
            g: add_param(params, prefix, "G", Shape::vector(outputs))?,
            init,
            inputs,
            outputs,
        };
        unit.init(params, rng)?;
        Ok(unit)
    }

    /// The initialisation this layer uses.
    pub fn init_kind(&self) -> InaluInit {
        self.init
    }

    /// `A_hat` of the additive path.
    pub fn a_hat(&self) -> ParamId {
        self.a_hat
    }

    /// `A_m` of the additive path.
    pub fn a_m(&self) -> ParamId {
        self.a_m
    }

    /// `M_hat` of the multiplicative path.
    pub fn m_hat(&self) -> ParamId {
        self.m_hat
    }

    /// `M_m` of the multiplicative path.
    pub fn m_m(&self) -> ParamId {
        self.m_m
    }

    /// The gate parameter `G` (`[O]`; 1 after the sigmoid selects the
    /// additive path).
    pub fn gate_weight(&self) -> ParamId {
        self.g
    }

    /// Redraws every parameter from `U[-2, 2]` (the paper's
    /// reinitialisation, in the order `A_hat, A_m, M_hat, M_m, G`).
    pub fn reinitialise<T: Element>(
        &self,
        params: &mut ParamStore<T>,
        rng: &mut Rng,
    ) -> Result<()> {
        for id in self.param_ids() {
            fill_uniform(params.value_mut(id)?, rng, -2.0, 2.0);
        }
        Ok(())
    }

    /// Records the gate `g = sigmoid(G)` broadcast to `[B, O]`.
    pub fn gate<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &InaluWeights,
        batch: usize,
    ) -> Result<Var> {
        let g = tape.sigmoid(weights.g)?;
        tape.broadcast_to(g, Shape::matrix(batch, self.outputs))
    }
}

impl Unit for Inalu {
    type Weights = InaluWeights;

    fn kind(&self) -> UnitKind {
        UnitKind::Inalu(self.init)
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn param_ids(&self) -> Vec<ParamId> {
        vec![self.a_hat, self.a_m, self.m_hat, self.m_m, self.g]
    }

    fn init<T: Element>(&self, params: &mut ParamStore<T>, rng: &mut Rng) -> Result<()> {
        let ((hat_mean, m_mean, g_mean), std) = match self.init {
            InaluInit::Benchmark => ((1.0, -1.0, 0.0), 0.1),
            InaluInit::Library => ((0.88, 0.5, 0.0), 0.2),
        };
        for (id, mean) in [
            (self.a_hat, hat_mean),
            (self.a_m, m_mean),
            (self.m_hat, hat_mean),
            (self.m_m, m_mean),
            (self.g, g_mean),
        ] {
            // Drawn and shifted in f64, then rounded: f32 and f64 layers
            // get the same draws.
            for x in params.value_mut(id)? {
                *x = T::from_f64_lossy(mean + std * rng.normal());
            }
        }
        Ok(())
    }

    fn record<T: Element>(
        &self,
        tape: &mut Tape<T>,
        params: &ParamStore<T>,
    ) -> Result<InaluWeights> {
        let stored = [
            tape.param(params, self.a_hat)?,
            tape.param(params, self.a_m)?,
            tape.param(params, self.m_hat)?,
            tape.param(params, self.m_m)?,
        ];
        let w_a = nac_weight_of(tape, stored[0], stored[1])?;
        let w_m = nac_weight_of(tape, stored[2], stored[3])?;
        let g = tape.param(params, self.g)?;
        Ok(InaluWeights {
            effective_add: w_a,
            effective_mul: w_m,
            g,
            stored,
        })
    }

    fn forward<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &InaluWeights,
        x: Var,
    ) -> Result<Var> {
        batch_size(tape, "inalu", x, self.inputs)?;
        let a = tape.matmul_nt(x, weights.effective_add)?;
        // The multiplicative path: exp(min(log(max(|x|, eps)) W_m^T, 20)).
        let l = tape.log_abs(x, T::from_f64_lossy(Self::LOG_EPS))?;
        let e = tape.matmul_nt(l, weights.effective_mul)?;
        let e = tape.clamp(e, T::neg_infinity(), T::from_f64_lossy(EXPONENT_CAP))?;
        let m = tape.exp(e)?;
        // Sign retrieval: prod_i (sign(x_i) |W_m| + 1 - |W_m|), clipped.
        let sx = tape.sign(x)?;
        let wm_abs = tape.abs(weights.effective_mul)?;
        let s = tape.lerp_prod(sx, wm_abs)?;
        let s = tape.clamp(s, -T::one(), T::one())?;
        let ms = tape.mul(m, s)?;
        // sigmoid(G) [O], mixed into every row: the same values and
        // gradients as the broadcast gate of `Inalu::gate`, bit for bit.
        let g = tape.sigmoid(weights.g)?;
        gate_mix(tape, g, a, ms)
    }

    fn reinit<T: Element>(
        &self,
        params: &mut ParamStore<T>,
        history: &LossHistory,
        rng: &mut Rng,
    ) -> Result<bool> {
        if restart_due(history) {
            self.reinitialise(params, rng)?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn penalty<T: Element>(
        &self,
        tape: &mut Tape<T>,
        weights: &InaluWeights,
    ) -> Result<Option<Var>> {
        let t = T::from_f64_lossy(REGULARIZER_THRESHOLD);
        let mut total: Option<Var> = None;
        for p in weights.stored.into_iter().chain([weights.g]) {
            // mean(max(t - |p|, 0)) = mean(relu(t - |p|))
            let a = tape.abs(p)?;
            let d = tape.neg(a)?;
            let d = tape.add_scalar(d, t)?;
            let d = tape.relu(d)?;
            let r = tape.mean(d)?;
            total = Some(match total {
                Some(sum) => tape.add(sum, r)?,
                None => r,
            });
        }
        Ok(total)
    }

    fn sparsity_error<T: Element>(&self, params: &ParamStore<T>) -> Result<f64> {
        let weights = |hat: ParamId, m: ParamId| -> Result<Vec<f64>> {
            let (h, m) = (params.value(hat)?, params.value(m)?);
            Ok(h.iter()
                .zip(m)
                .map(|(h, m)| nac_weight_value(h.to_f64_lossy(), m.to_f64_lossy()))
                .collect())
        };
        let mut all = weights(self.a_hat, self.a_m)?;
        all.extend(weights(self.m_hat, self.m_m)?);
        Ok(max_sparsity_error(all))
    }
}

impl Inalu {
    /// Adds the parameters (named as by [`Inalu::new`]) with the given
    /// values: the additive path's `(A_hat, A_m)` and the multiplicative
    /// path's `(M_hat, M_m)`, all `[outputs, inputs]`, and the gate `G`
    /// (`[outputs]`). `init` is the initialisation [`Unit::init`] draws from
    /// later (it is part of the unit's kind). A shape that does not fit is an
    /// error naming both shapes, and adds no parameter.
    pub fn from_weights<T: Element>(
        params: &mut ParamStore<T>,
        prefix: &str,
        add: (&crate::tensor::Tensor<T>, &crate::tensor::Tensor<T>),
        mul: (&crate::tensor::Tensor<T>, &crate::tensor::Tensor<T>),
        g: &crate::tensor::Tensor<T>,
        init: InaluInit,
    ) -> Result<Self> {
        use super::common::{check_shape, unused_rng, weight_dims};
        const OP: &str = "Inalu::from_weights";
        let (outputs, inputs) = weight_dims(OP, add.0)?;
        for w in [add.1, mul.0, mul.1] {
            check_shape(OP, add.0.shape(), w.shape())?;
        }
        check_shape(OP, Shape::vector(outputs), g.shape())?;
        let unit = Self::new(params, prefix, inputs, outputs, init, &mut unused_rng())?;
        let given = [add.0, add.1, mul.0, mul.1, g];
        for (id, w) in unit.param_ids().into_iter().zip(given) {
            params.set(id, w.data())?;
        }
        Ok(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule written out over a plain list, as the reference harness does.
    fn direct(losses: &[f64]) -> bool {
        if losses.len() <= 5_000 {
            return false;
        }
        let h = losses.len() / 2;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (a, b) = (&losses[..h], &losses[h..]);
        let mb = mean(b);
        let std = (b.iter().map(|x| (x - mb) * (x - mb)).sum::<f64>() / b.len() as f64).sqrt();
        mean(a) <= mb + std && mb > 1.0
    }

    #[test]
    fn restart_rule_agrees_with_the_rule_written_out() {
        let mut state = 12345u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for level in [0.5, 1.5, 3.0] {
            for slope in [0.0, -2e-4, 1e-4] {
                let mut history = LossHistory::with_capacity(100_000);
                let mut kept = Vec::new();
                for step in 0..5_200u64 {
                    let loss = level + slope * step as f64 + 0.3 * noise();
                    history.push(loss);
                    kept.push(loss);
                    if step % 37 == 0 || step > 4_990 {
                        assert_eq!(
                            restart_due(&history),
                            direct(&kept),
                            "{level} {slope} {step}"
                        );
                    }
                }
            }
        }
        let mut nan = LossHistory::with_capacity(6_000);
        for _ in 0..6_000 {
            nan.push(f64::NAN);
        }
        assert!(!restart_due(&nan));
    }

    #[test]
    fn reinit_redraws_from_u_minus_2_2_only_when_due() {
        let mut params = ParamStore::<f64>::new();
        let mut rng = Rng::seed_from_u64(1);
        let u = Inalu::new(&mut params, "i", 3, 2, InaluInit::Benchmark, &mut rng).unwrap();
        let before = params.values().to_vec();
        let mut history = LossHistory::with_capacity(10_000);
        for _ in 0..5_000 {
            history.push(5.0);
        }
        assert!(!u.reinit(&mut params, &history, &mut rng).unwrap());
        assert_eq!(params.values(), &before[..]);
        history.push(5.0);
        assert!(u.reinit(&mut params, &history, &mut rng).unwrap());
        assert_ne!(params.values(), &before[..]);
        assert!(params.values().iter().all(|v| (-2.0..2.0).contains(v)));
        training_rules().validate().unwrap();
    }
}
