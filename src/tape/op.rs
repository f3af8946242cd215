//! The closed list of operations a tape can record. The reverse sweep
//! matches on it and calls each operation's vector-Jacobian product in
//! `crate::ops`, so there is no dynamic dispatch and nothing to allocate.

use super::params::ParamId;

/// One recorded operation, with whatever constants it needs for its
/// backward pass. Axes are stored as `u8` (ranks are at most 4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op<T> {
    /// A value that is not differentiated.
    Constant,
    /// A differentiable leaf; `Some` when it was loaded from a parameter store.
    Leaf(Option<ParamId>),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    AddScalar(T),
    MulScalar(T),
    ScalarSub(T),
    DivScalar(T),
    ScalarDiv(T),
    PowScalar(T),
    Matmul,
    MatmulNt,
    MatmulTn,
    Broadcast,
    Sum,
    Mean,
    SumAxis(u8),
    MeanAxis(u8),
    ProdAxis(u8),
    LerpProd,
    /// `exp(ln(|x| + eps) · Wᵀ)`; `saved` is the index of the constant node
    /// holding `ln(|x| + eps)`, recorded just before it.
    LogSpaceProduct {
        eps: T,
        saved: u32,
    },
    Exp,
    Log,
    Abs,
    Sqrt,
    Square,
    Sigmoid,
    Tanh,
    Relu,
    Relu6,
    Clamp {
        lo: T,
        hi: T,
    },
    Minimum,
    Maximum,
    Sign,
    Cos,
    CosPi,
    LogAbs(T),
    IsNegative,
    ConcatCols,
    SliceCols {
        start: u32,
    },
    Reshape,
    Transpose,
    /// `g * a + (1 - g) * m`, three operands `[g, a, m]`.
    GateMix,
    /// The complex logarithm `[l, k]` of the power units; `gated`: with a
    /// relevance gate as the second operand.
    ComplexLog {
        eps: T,
        gated: bool,
    },
    /// `Re exp((l + i pi k) Wᵀ)`; `saved` is the index of the constant node
    /// holding `exp(m)`, `cos(pi p)` and `sin(pi p)`, recorded just before it.
    ComplexPower {
        saved: u32,
    },
    /// `prod_i (sign(x) max(|x|, eps)^w a + 1 - a)`, three operands
    /// `[x, w, a]`; `saved` is the index of the constant node holding the
    /// floored logarithms and the signed powers, recorded just before it.
    SignedPowerProduct {
        eps: T,
        saved: u32,
    },
}

impl<T> Op<T> {
    /// The operation's name, as used in errors and graph export.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Constant => "constant",
            Op::Leaf(Some(_)) => "parameter",
            Op::Leaf(None) => "variable",
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
            Op::Div => "div",
            Op::Neg => "neg",
            Op::AddScalar(_) => "add_scalar",
            Op::MulScalar(_) => "mul_scalar",
            Op::ScalarSub(_) => "scalar_sub",
            Op::DivScalar(_) => "div_scalar",
            Op::ScalarDiv(_) => "scalar_div",
            Op::PowScalar(_) => "powf",
            Op::Matmul => "matmul",
            Op::MatmulNt => "matmul_nt",
            Op::MatmulTn => "matmul_tn",
            Op::Broadcast => "broadcast_to",
            Op::Sum => "sum",
            Op::Mean => "mean",
            Op::SumAxis(_) => "sum_axis",
            Op::MeanAxis(_) => "mean_axis",
            Op::ProdAxis(_) => "prod_axis",
            Op::LerpProd => "lerp_prod",
            Op::LogSpaceProduct { .. } => "log_space_product",
            Op::Exp => "exp",
            Op::Log => "log",
            Op::Abs => "abs",
            Op::Sqrt => "sqrt",
            Op::Square => "square",
            Op::Sigmoid => "sigmoid",
            Op::Tanh => "tanh",
            Op::Relu => "relu",
            Op::Relu6 => "relu6",
            Op::Clamp { .. } => "clamp",
            Op::Minimum => "minimum",
            Op::Maximum => "maximum",
            Op::Sign => "sign",
            Op::Cos => "cos",
            Op::CosPi => "cos_pi",
            Op::LogAbs(_) => "log_abs",
            Op::IsNegative => "is_negative",
            Op::ConcatCols => "concat_cols",
            Op::SliceCols { .. } => "slice_cols",
            Op::Reshape => "reshape",
            Op::Transpose => "transpose",
            Op::GateMix => "gate_mix",
            Op::ComplexLog { .. } => "complex_log",
            Op::ComplexPower { .. } => "complex_power",
            Op::SignedPowerProduct { .. } => "signed_power_product",
        }
    }

    /// Whether this node is an input of the graph rather than a computation.
    pub(crate) fn is_leaf(&self) -> bool {
        matches!(self, Op::Constant | Op::Leaf(_))
    }
}
