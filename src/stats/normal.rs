//! The standard-normal quantile and the one-degree-of-freedom chi-square
//! quantile built from it.

use super::special::polynomial;

/// The standard-normal quantile `Φ⁻¹(p)` (Wichura's algorithm AS 241, relative
/// accuracy about 1e-16). `p = 0` gives `-∞`, `p = 1` gives `+∞`, anything
/// outside `[0, 1]` NaN.
///
/// ```
/// use arithgrad::stats::normal_quantile;
/// assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
/// ```
// The coefficients are quoted with all the digits Wichura published, so that
// they can be checked against the paper.
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = polynomial(
            &[
                3.387_132_872_796_366_608,
                1.331_416_678_917_843_774_5e2,
                1.971_590_950_306_551_442_7e3,
                1.373_169_376_550_946_112_5e4,
                4.592_195_393_154_987_145_7e4,
                6.726_577_092_700_870_085_3e4,
                3.343_057_558_358_812_810_5e4,
                2.509_080_928_730_122_672_7e3,
            ],
            r,
        );
        let den = polynomial(
            &[
                1.0,
                4.231_333_070_160_091_125_2e1,
                6.871_870_074_920_579_083e2,
                5.394_196_021_424_751_107_7e3,
                2.121_379_430_158_659_586_7e4,
                3.930_789_580_009_271_061e4,
                2.872_908_573_572_194_267_4e4,
                5.226_495_278_852_854_561e3,
            ],
            r,
        );
        return q * num / den;
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        let num = polynomial(
            &[
                1.423_437_110_749_683_577_34,
                4.630_337_846_156_545_295_9,
                5.769_497_221_460_691_405_5,
                3.647_848_324_763_204_605_04,
                1.270_458_252_452_368_382_58,
                2.417_807_251_774_506_117_7e-1,
                2.272_384_498_926_918_458_33e-2,
                7.745_450_142_783_414_076_4e-4,
            ],
            r,
        );
        let den = polynomial(
            &[
                1.0,
                2.053_191_626_637_758_821_87,
                1.676_384_830_183_803_849_4,
                6.897_673_349_851_000_045_5e-1,
                1.481_039_764_274_800_745_9e-1,
                1.519_866_656_361_645_719_66e-2,
                5.475_938_084_995_344_946e-4,
                1.050_750_071_644_416_843_24e-9,
            ],
            r,
        );
        num / den
    } else {
        let r = r - 5.0;
        let num = polynomial(
            &[
                6.657_904_643_501_103_777_2,
                5.463_784_911_164_114_369_9,
                1.784_826_539_917_291_335_8,
                2.965_605_718_285_048_912_3e-1,
                2.653_218_952_657_612_309_3e-2,
                1.242_660_947_388_078_438_6e-3,
                2.711_555_568_743_487_578_15e-5,
                2.010_334_399_292_288_132_65e-7,
            ],
            r,
        );
        let den = polynomial(
            &[
                1.0,
                5.998_322_065_558_879_376_9e-1,
                1.369_298_809_227_358_053_1e-1,
                1.487_536_129_085_061_485_25e-2,
                7.868_691_311_456_132_591e-4,
                1.846_318_317_510_054_681_8e-5,
                1.421_511_758_316_445_887e-7,
                2.044_263_103_389_939_785_64e-15,
            ],
            r,
        );
        num / den
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// The `confidence` quantile of the chi-square distribution with one degree
/// of freedom: `Φ⁻¹((1 + confidence)/2)²` (3.841458820694124 for 0.95).
pub fn chi_square_1_quantile(confidence: f64) -> f64 {
    let z = normal_quantile(0.5 + 0.5 * confidence);
    z * z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_edges_and_symmetry() {
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
        // Dyadic p, so that 1 - p is exact.
        for k in [2, 4, 9, 20, 40, 52] {
            let p = 0.5f64.powi(k);
            assert_eq!(normal_quantile(p), -normal_quantile(1.0 - p));
        }
        // The far tail still answers (AS 241 covers p down to 1e-300; value from scipy.special.ndtri).
        assert!((normal_quantile(1e-300) + 37.047_096_299_361_2).abs() < 1e-12);
    }
}
