//! The gate's statistics: exact binomial and Poisson tails, exact intervals and alpha spending.
//! Pure functions; `rate_decision` builds the rate rules' tests from them.
//!
//! Everything is computed from two special functions written here (the log-gamma function and the
//! regularized incomplete beta and gamma functions), so no statistics crate is needed and every
//! number can be checked against a table or a hand calculation.

use std::f64::consts::PI;

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, g = 7, nine coefficients; about 15 correct digits).
pub fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the approximation in the range where it is accurate.
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let g = 7.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + g + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)`.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // The continued fraction converges fast only below the mean; use the symmetry above it.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(b, a, 1.0 - x);
    }
    let ln_front =
        a * x.ln() + b * (1.0 - x).ln() - (ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)) - a.ln();
    let fraction = beta_continued_fraction(a, b, x);
    (ln_front.exp() * fraction).clamp(0.0, 1.0)
}

/// The continued fraction of `I_x(a, b)`, `1 / (1 + d1 / (1 + d2 / ...))`, by the modified Lentz method.
///
/// `d(2k+1) = −(a+k)(a+b+k)x / ((a+2k)(a+2k+1))` and `d(2k) = k(b−k)x / ((a+2k−1)(a+2k))`.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let odd = |k: f64| -((a + k) * (a + b + k) * x) / ((a + 2.0 * k) * (a + 2.0 * k + 1.0));
    let even = |k: f64| (k * (b - k) * x) / ((a + 2.0 * k - 1.0) * (a + 2.0 * k));
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 + odd(0.0));
    let mut result = d;
    for step in 1..1_000_000u32 {
        let k = f64::from(step);
        let mut delta = 1.0;
        for term in [even(k), odd(k)] {
            d = 1.0 / guard(1.0 + term * d);
            c = guard(1.0 + term / c);
            delta = c * d;
            result *= delta;
        }
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    result
}

/// The regularized incomplete gamma functions `(P(a, x), Q(a, x))`, where `P + Q = 1`.
///
/// Each branch computes directly the one of the two that can be small there (the series gives `P`
/// below `x = a + 1`, the continued fraction gives `Q` above), so tiny tails keep their digits.
fn regularized_gamma(a: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..100_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        let lower = (sum * ln_front.exp()).clamp(0.0, 1.0);
        return (lower, 1.0 - lower);
    }
    // Continued fraction (modified Lentz) for Q directly.
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..100_000 {
        let an = -f64::from(i) * (f64::from(i) - a);
        b += 2.0;
        d = an * d + b;
        d = if d.abs() < TINY { TINY } else { d };
        c = b + an / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    let upper = (ln_front.exp() * h).clamp(0.0, 1.0);
    (1.0 - upper, upper)
}

/// The standard normal distribution function Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    // Φ(z) = erfc(-z/√2)/2 and erfc(y) = Q(1/2, y²) for y ≥ 0.
    let y = -z / std::f64::consts::SQRT_2;
    let (_, upper) = regularized_gamma(0.5, y * y);
    let erfc = if y >= 0.0 { upper } else { 2.0 - upper };
    0.5 * erfc
}

/// The standard normal quantile Φ⁻¹(p) for `0 < p < 1` (bisection to machine precision).
pub fn normal_quantile(p: f64) -> f64 {
    bisect(-40.0, 40.0, |z| normal_cdf(z) < p)
}

/// Finds the boundary in `[low, high]` where `below` turns from true to false.
pub(super) fn bisect(mut low: f64, mut high: f64, below: impl Fn(f64) -> bool) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if mid <= low || mid >= high {
            break;
        }
        if below(mid) {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`, exactly (through `I_p(k, n − k + 1)`).
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    incomplete_beta(k as f64, (n - k + 1) as f64, p.clamp(0.0, 1.0))
}

/// `P(X ≤ k)` for `X ~ Binomial(n, p)`, exactly (through `I_{1−p}(n − k, k + 1)`, so a tiny tail
/// keeps its digits).
pub fn binomial_lower_tail(k: u64, n: u64, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    incomplete_beta((n - k) as f64, (k + 1) as f64, 1.0 - p.clamp(0.0, 1.0))
}

/// `P(X ≥ k)` for `X ~ Poisson(mean)`, exactly (the regularized gamma function `P(k, mean)`).
pub fn poisson_upper_tail(k: u64, mean: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    regularized_gamma(k as f64, mean.max(0.0)).0
}

/// `P(X ≤ k)` for `X ~ Poisson(mean)`, exactly (the regularized gamma function `Q(k + 1, mean)`).
pub fn poisson_lower_tail(k: u64, mean: f64) -> f64 {
    regularized_gamma(k as f64 + 1.0, mean.max(0.0)).1
}

/// The exact (Garwood) two-sided interval for the mean of a Poisson count `k` at `confidence`.
pub fn poisson_interval(k: u64, confidence: f64) -> (f64, f64) {
    let tail = (1.0 - confidence) / 2.0;
    // Far enough above `k` that the lower tail there is below any tail asked for.
    let ceiling = 2.0 * k as f64 + 100.0 + 40.0 * (k as f64).sqrt();
    let low = if k == 0 {
        0.0
    } else {
        bisect(0.0, ceiling, |mean| poisson_upper_tail(k, mean) < tail)
    };
    let high = bisect(0.0, ceiling, |mean| poisson_lower_tail(k, mean) > tail);
    (low, high)
}

/// The exact (Clopper–Pearson) two-sided interval for a binomial proportion `k / n` at `confidence`.
pub fn clopper_pearson(k: u64, n: u64, confidence: f64) -> (f64, f64) {
    let tail = (1.0 - confidence) / 2.0;
    let low = if k == 0 {
        0.0
    } else {
        bisect(0.0, 1.0, |p| binomial_upper_tail(k, n, p) < tail)
    };
    let high = if k >= n {
        1.0
    } else {
        bisect(0.0, 1.0, |p| binomial_lower_tail(k, n, p) > tail)
    };
    (low, high)
}

/// How much of the false-alarm budget may be spent by a given point in the watch.
///
/// The Lan–DeMets O'Brien–Fleming-type function `α(t) = 2 − 2Φ(z_{1−α/2} / √t)` over an
/// information fraction `t`: early looks get almost nothing, so only an overwhelming effect ends a
/// watch early. `rate_decision::SpendingPlan` spends the budgets before and after the soak along it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlphaSpending {
    /// The total false-alarm budget.
    pub alpha: f64,
    z: f64,
}

impl AlphaSpending {
    /// A spending plan for a one-sided total budget `alpha`.
    pub fn obrien_fleming(alpha: f64) -> Self {
        Self {
            alpha,
            z: normal_quantile(1.0 - alpha / 2.0),
        }
    }

    /// The budget spent by information fraction `t` (0 at the start, all of α at 1 and after).
    pub fn spent(&self, t: f64) -> f64 {
        if t <= 0.0 {
            0.0
        } else if t >= 1.0 {
            self.alpha
        } else {
            // 2 − 2Φ(x) written as 2Φ(−x), which keeps tiny early values exact.
            (2.0 * normal_cdf(-self.z / t.sqrt())).min(self.alpha)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} is not within {tolerance} of {expected}"
        );
    }

    /// The binomial tail by direct summation of the probability mass, as a second opinion.
    fn tail_by_summation(k: u64, n: u64, p: f64) -> f64 {
        (k..=n)
            .map(|i| {
                let ln_choose = ln_gamma(n as f64 + 1.0)
                    - ln_gamma(i as f64 + 1.0)
                    - ln_gamma((n - i) as f64 + 1.0);
                (ln_choose + i as f64 * p.ln() + (n - i) as f64 * (1.0 - p).ln()).exp()
            })
            .sum()
    }

    #[test]
    fn log_gamma_matches_factorials_and_root_pi() {
        close(ln_gamma(1.0), 0.0, 1e-13);
        close(ln_gamma(5.0), 24f64.ln(), 1e-13);
        close(ln_gamma(10.0), 362_880f64.ln(), 1e-12);
        close(ln_gamma(0.5), PI.sqrt().ln(), 1e-13);
        close(ln_gamma(0.1), 2.252_712_651_734_206, 1e-12);
    }

    #[test]
    fn binomial_tails_match_hand_counts() {
        // 8 or more heads in 10 fair tosses: (45 + 10 + 1) / 1024.
        close(binomial_upper_tail(8, 10, 0.5), 56.0 / 1024.0, 1e-14);
        close(binomial_upper_tail(10, 10, 0.5), 1.0 / 1024.0, 1e-15);
        close(binomial_upper_tail(1, 3, 0.5), 7.0 / 8.0, 1e-14);
        assert_eq!(binomial_upper_tail(0, 5, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(6, 5, 0.3), 0.0);
        close(binomial_lower_tail(2, 10, 0.5), 56.0 / 1024.0, 1e-14);
    }

    #[test]
    fn binomial_tails_match_table_values_and_summation() {
        // P(X ≥ 60) for 100 fair tosses, a textbook value.
        close(
            binomial_upper_tail(60, 100, 0.5),
            0.028_443_966_820_490_4,
            1e-12,
        );
        for (k, n, p) in [
            (3, 20, 0.05),
            (40, 1000, 0.03),
            (510, 1000, 0.5),
            (7, 7, 0.9),
        ] {
            let expected = tail_by_summation(k, n, p);
            close(
                binomial_upper_tail(k, n, p),
                expected,
                1e-11 * expected.max(1e-3),
            );
        }
    }

    #[test]
    fn normal_distribution_matches_tables() {
        close(normal_cdf(0.0), 0.5, 1e-15);
        close(normal_cdf(-1.0), 0.158_655_253_931_457_05, 1e-14);
        close(normal_cdf(1.959_963_984_540_054), 0.975, 1e-14);
        close(normal_cdf(-5.0), 2.866_515_718_791_939e-7, 1e-19);
        close(normal_quantile(0.975), 1.959_963_984_540_054, 1e-12);
        close(normal_quantile(0.05), -1.644_853_626_951_472_2, 1e-12);
    }

    #[test]
    fn clopper_pearson_matches_published_intervals() {
        let (low, high) = clopper_pearson(5, 10, 0.95);
        close(low, 0.187_086_028_447_398_9, 1e-9);
        close(high, 0.812_913_971_552_601_1, 1e-9);
        // Zero successes: the upper bound is 1 − (α/2)^(1/n).
        let (low, high) = clopper_pearson(0, 10, 0.95);
        assert_eq!(low, 0.0);
        close(high, 1.0 - 0.025f64.powf(0.1), 1e-10);
    }

    /// The Poisson tail by direct summation of the probability mass, as a second opinion.
    fn poisson_tail_by_summation(k: u64, mean: f64) -> f64 {
        let mass = |i: u64| (i as f64 * mean.ln() - mean - ln_gamma(i as f64 + 1.0)).exp();
        (k..k + 2_000).map(mass).sum()
    }

    #[test]
    fn poisson_tails_match_hand_values_and_summation() {
        // P(X ≥ 1) = 1 − e^(−m) and P(X ≤ 0) = e^(−m).
        close(poisson_upper_tail(1, 2.0), 1.0 - (-2.0f64).exp(), 1e-15);
        close(poisson_lower_tail(0, 2.0), (-2.0f64).exp(), 1e-15);
        // P(X ≤ 2) for a mean of 3: e^(−3)(1 + 3 + 4.5).
        close(poisson_lower_tail(2, 3.0), (-3.0f64).exp() * 8.5, 1e-15);
        assert_eq!(poisson_upper_tail(0, 5.0), 1.0);
        for (k, mean) in [(3, 0.5), (12, 4.0), (40, 25.0), (500, 450.0), (30, 60.0)] {
            let expected = poisson_tail_by_summation(k, mean);
            close(
                poisson_upper_tail(k, mean),
                expected,
                1e-11 * expected.max(1e-3),
            );
            close(
                poisson_lower_tail(k, mean) + poisson_upper_tail(k + 1, mean),
                1.0,
                1e-14,
            );
        }
    }

    #[test]
    fn tiny_tails_keep_their_digits() {
        // Far tails are computed directly, not as 1 minus something close to 1.
        let upper = poisson_upper_tail(60, 10.0);
        close(upper, poisson_tail_by_summation(60, 10.0), 1e-12 * upper);
        assert!(upper < 1e-20 && upper > 0.0, "{upper}");
        // By symmetry P(X ≤ 10) = P(X ≥ 990) for 1000 fair tosses, about 1e-278.
        let lower = binomial_lower_tail(10, 1000, 0.5);
        let expected = tail_by_summation(990, 1000, 0.5);
        assert!(expected > 0.0 && expected < 1e-250, "{expected}");
        close(lower, expected, 1e-10 * expected);
        close(
            binomial_lower_tail(3, 20, 0.05),
            1.0 - tail_by_summation(4, 20, 0.05),
            1e-14,
        );
    }

    #[test]
    fn garwood_interval_solves_its_defining_tails() {
        // Closed forms: the upper limit for 0 is −ln(α/2), the lower limit for 1 is −ln(1 − α/2).
        let (low, high) = poisson_interval(0, 0.95);
        assert_eq!(low, 0.0);
        close(high, -(0.025f64.ln()), 1e-12);
        let (low, high) = poisson_interval(1, 0.95);
        close(low, -(0.975f64.ln()), 1e-12);
        // e^(−U)(1 + U) = α/2 at the upper limit for 1.
        close((-high).exp() * (1.0 + high), 0.025, 1e-12);
        // For 10, the limits put 2.5 % in each tail, checked by summing the mass.
        let (low, high) = poisson_interval(10, 0.95);
        close(poisson_tail_by_summation(10, low), 0.025, 1e-12);
        close(1.0 - poisson_tail_by_summation(11, high), 0.025, 1e-12);
        // The χ² table: χ²(0.025; 20) / 2 = 4.7954 and χ²(0.975; 22) / 2 = 18.3904.
        close(low, 4.7954, 1e-4);
        close(high, 18.3904, 1e-4);
    }

    #[test]
    fn obrien_fleming_spending_matches_lan_demets_values() {
        let plan = AlphaSpending::obrien_fleming(0.05);
        assert_eq!(plan.spent(0.0), 0.0);
        close(plan.spent(1.0), 0.05, 1e-15);
        close(plan.spent(2.0), 0.05, 1e-15);
        // Published Lan–DeMets O'Brien–Fleming values for α = 0.05: 0.0056 at t = 0.5, 0.0001 at 0.25.
        close(plan.spent(0.5), 0.005_574, 2e-6);
        close(plan.spent(0.25), 0.000_089, 2e-6);
        let mut previous = 0.0;
        for step in 1..=20 {
            let spent = plan.spent(f64::from(step) / 20.0);
            assert!(spent > previous, "spending must grow");
            previous = spent;
        }
    }
}
