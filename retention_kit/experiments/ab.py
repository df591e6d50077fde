"""Randomized tests of a retention action: the result of a two-arm test, and how many customers a test needs.

A retention offer is judged by a randomized test: customers are assigned at random to the offer
(treatment) or to nothing (control), and the difference in the share retained is the offer's
effect. :func:`two_proportion_test` reads a finished test (with a check that the arms have the
sizes the randomization planned); :func:`sample_size_two_proportions` and
:func:`power_two_proportions` plan one.
"""
from __future__ import annotations

import math
from statistics import NormalDist


from ..metrics.comparisons import proportion_difference
from ..results import MetricResult
from ..validation import Confidence, InputError, Integer, Probability, Real, validate, warn_data

__all__ = ["two_proportion_test", "sample_size_two_proportions", "power_two_proportions"]

_RATIO = Real(low=0, closed="neither", hint="It is the treatment arm's size over the control arm's: 1 for equal arms.")


def _allocation_check(n_treatment: int, n_control: int, allocation: float) -> float:
    """The p-value of the arms' sizes against the planned share treated (a normal approximation to the binomial)."""
    n = n_treatment + n_control
    z = (n_treatment - n * allocation) / math.sqrt(n * allocation * (1 - allocation))
    return math.erfc(abs(z) / math.sqrt(2))


@validate(successes_treatment=Integer(low=0), n_treatment=Integer(low=1, hint="An arm without customers tests nothing."),
          successes_control=Integer(low=0), n_control=Integer(low=1, hint="An arm without customers tests nothing."),
          allocation=Probability("The share of customers the randomization put in the treatment arm, 0.5 for equal "
                                 "arms."), confidence=Confidence())
def two_proportion_test(successes_treatment: int, n_treatment: int, successes_control: int, n_control: int, *,
                        allocation: float = 0.5, confidence: float = 0.95) -> MetricResult:
    """The effect of a randomized action on a share (retained, renewed, booked): treatment minus control.

    effect = k_t / n_t - k_c / n_c, with Newcombe's interval and the pooled z-test of
    ``rk.metrics.proportion_difference``; relative lift = effect / (k_c / n_c).

    Before reading the effect, the arms' sizes are checked against the randomization's plan
    (``allocation``, the share meant for treatment): with N customers, n_t is about N x allocation.
    A difference that chance would make less than once in a thousand tests (z test of n_t against
    N x allocation) is a *sample ratio mismatch*: customers were lost from one arm, or assigned
    other than at random, and the effect may be biased. It is reported with a DataWarning, and the
    result is still computed.

    Parameters
    ----------
    successes_treatment, n_treatment : int, the treatment arm's successes and size
    successes_control, n_control : int, the control arm's
    allocation : float, default 0.5, the planned share of customers in the treatment arm
    confidence : float, default 0.95

    Returns
    -------
    MetricResult (kind ``"two_proportion_test"``): value the effect (a difference of fractions), with
    its interval, parts ``p_treatment``, ``p_control``, ``relative_lift``, ``z``, ``p_value``,
    ``significant``, ``n_treatment``, ``n_control``, ``allocation_p_value``.

    Raises
    ------
    InputError
        For an arm without customers, more successes than customers, or an allocation outside (0, 1).

    Examples
    --------
    >>> r = two_proportion_test(60, 500, 40, 500)
    >>> round(r.value, 3), round(r.relative_lift, 2), r.significant
    (0.04, 0.5, True)
    """
    if not 0 < allocation < 1:
        raise InputError(f"allocation={allocation} must lie strictly between 0 and 1: a test needs customers in both "
                         "arms. Write 0.5 for equal arms.")
    base = proportion_difference(successes_treatment, n_treatment, successes_control, n_control,
                                 confidence=confidence)
    mismatch = _allocation_check(n_treatment, n_control, allocation)
    if mismatch < 0.001:
        warn_data(f"two_proportion_test: the arms hold {n_treatment:,} and {n_control:,} customers, "
                  f"{n_treatment / (n_treatment + n_control):.1%} in treatment against the planned {allocation:.0%} "
                  f"(p = {mismatch:.2g}): a sample ratio mismatch. Check how customers were assigned and whether some "
                  "were lost from one arm before trusting the effect.")
    p_t, p_c = base.p_a, base.p_b
    return MetricResult(kind="two_proportion_test", name="Effect of the action (treatment - control)",
                        value=base.value, unit="fraction",
                        formula="effect = k_t/n_t - k_c/n_c (Newcombe interval; pooled z-test); "
                                "relative lift = effect / (k_c/n_c)",
                        parts=dict(p_treatment=p_t, p_control=p_c,
                                   relative_lift=base.value / p_c if p_c > 0 else math.inf,
                                   z=base.z, p_value=base.p_value, significant=base.significant,
                                   n_treatment=n_treatment, n_control=n_control, allocation_p_value=mismatch),
                        se=base.se, ci=base.ci, confidence=confidence)


def _arms(p_control: float, p_treatment: float, ratio: float):
    p_bar = (p_control + ratio * p_treatment) / (1 + ratio)
    null_sd = math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / ratio))
    alt_sd = math.sqrt(p_control * (1 - p_control) + p_treatment * (1 - p_treatment) / ratio)
    return null_sd, alt_sd


def _different(p_control: float, p_treatment: float) -> None:
    if p_control == p_treatment:
        raise InputError(f"p_treatment={p_treatment} equals p_control: there is no effect to detect. Give the "
                         "smallest effect worth detecting.")
    if p_control in (0, 1) and p_treatment in (0, 1):
        raise InputError(f"p_control={p_control} and p_treatment={p_treatment}: shares of exactly 0 or 1 leave no "
                         "variation to test. Use the shares you expect.")


@validate(p_control=Probability(), p_treatment=Probability(), power=Real(low=0, high=1, closed="neither"),
          confidence=Confidence(), ratio=_RATIO)
def sample_size_two_proportions(p_control: float, p_treatment: float, *, power: float = 0.8,
                                confidence: float = 0.95, ratio: float = 1.0) -> MetricResult:
    """Customers a two-arm test needs to detect p_treatment against p_control (two-sided, normal approximation).

    With k = n_t / n_c (``ratio``), p = (p_c + k p_t) / (1 + k), z_a the two-sided critical value
    and z_b = z of ``power``:

    n_c = ( z_a sqrt(p (1 - p) (1 + 1/k)) + z_b sqrt(p_c (1 - p_c) + p_t (1 - p_t) / k) )^2 / (p_t - p_c)^2,

    rounded up, and n_t = k n_c rounded up (Fleiss, Levin & Paik 2003, without continuity correction).

    Parameters
    ----------
    p_control : float, the share expected without the action
    p_treatment : float, the share with it: the smallest effect worth detecting
    power : float, default 0.8, the chance of a significant result if the effect is real
    confidence : float, default 0.95, one minus the two-sided significance level
    ratio : float, default 1, treatment arm size over control arm size

    Returns
    -------
    MetricResult (kind ``"sample_size"``): value n_control, parts ``n_treatment``, ``total``.

    Raises
    ------
    InputError
        For equal shares, shares of exactly 0 and 1, a power outside (0, 1) or a ratio of 0 or less.

    Examples
    --------
    >>> sample_size_two_proportions(0.10, 0.15).value
    686
    """
    _different(p_control, p_treatment)
    null_sd, alt_sd = _arms(p_control, p_treatment, ratio)
    z_a = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    z_b = NormalDist().inv_cdf(power)
    n_c = math.ceil((z_a * null_sd + z_b * alt_sd) ** 2 / (p_treatment - p_control) ** 2)
    n_t = math.ceil(ratio * n_c)
    return MetricResult(kind="sample_size", name="Customers needed in the control arm", value=n_c, unit="count",
                        formula="n_c = (z_a sqrt(p(1-p)(1+1/k)) + z_b sqrt(p_c(1-p_c) + p_t(1-p_t)/k))^2 / (p_t-p_c)^2",
                        parts=dict(n_treatment=n_t, total=n_c + n_t, power=power, ratio=ratio))


@validate(p_control=Probability(), p_treatment=Probability(), n_control=Integer(low=1), confidence=Confidence(),
          ratio=_RATIO)
def power_two_proportions(p_control: float, p_treatment: float, n_control: int, *, confidence: float = 0.95,
                          ratio: float = 1.0) -> MetricResult:
    """The chance that a two-arm test of these sizes finds p_treatment different from p_control (two-sided).

    power = Phi( (|p_t - p_c| sqrt(n_c) - z_a sqrt(p (1 - p) (1 + 1/k))) / sqrt(p_c (1 - p_c) + p_t (1 - p_t) / k) ),
    with k, p and z_a as in :func:`sample_size_two_proportions` (the far tail's tiny share is left out).

    Parameters
    ----------
    p_control, p_treatment : float, the shares without and with the action
    n_control : int, customers in the control arm (the treatment arm holds ratio x n_control)
    confidence : float, default 0.95
    ratio : float, default 1

    Returns
    -------
    MetricResult (kind ``"power"``): value the power, a fraction.

    Raises
    ------
    InputError
        For equal shares, shares of exactly 0 and 1, or an arm size below 1.

    Examples
    --------
    >>> round(power_two_proportions(0.10, 0.15, 686).value, 3)
    0.8
    """
    _different(p_control, p_treatment)
    null_sd, alt_sd = _arms(p_control, p_treatment, ratio)
    z_a = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    power = NormalDist().cdf((abs(p_treatment - p_control) * math.sqrt(n_control) - z_a * null_sd) / alt_sd)
    return MetricResult(kind="power", name="Power of the test", value=power, unit="fraction",
                        formula="Phi((|p_t-p_c| sqrt(n_c) - z_a sqrt(p(1-p)(1+1/k))) / sqrt(p_c(1-p_c) + p_t(1-p_t)/k))",
                        parts=dict(n_control=n_control, n_treatment=math.ceil(ratio * n_control)))
