"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007).

Each customer has a constant chance theta of leaving at each renewal; across customers theta ~ Beta(alpha,
beta). With T the period in which a customer's subscription ends (T = 1, 2, ...):

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),
    S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta),
    r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1).

The retention rate r(t) rises with t although no customer's chance changes: the customers likely to leave
leave first (heterogeneity, not loyalty). Periods are renewal periods (months, years), with no time unit of
their own.

References: Fader & Hardie (2007), "How to project customer retention", Journal of Interactive Marketing
21(1); Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of ignoring
heterogeneity", Marketing Science 29(1).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import Confidence, Flag, InputError, Integer, Real, check, require_columns, require_frame, validate
from .fitting import Fitter, NotFittedError

__all__ = ["ShiftedBetaGeometric"]


def _counts_from_cohorts(active) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(period, customers lost in it) and (periods survived, customers still active) from active counts."""
    if isinstance(active, (str, bytes)) or not hasattr(active, "__len__") or len(active) == 0:
        raise InputError(f"active={active!r}: pass the customers active at the start of periods 0, 1, ..., n, such "
                         f"as [1000, 631, 468], or a list of such lists (one per cohort).")
    nested = isinstance(active[0], (list, tuple, np.ndarray, pd.Series))
    cohorts = list(active) if nested else [active]
    lost_t, lost_n, alive_t, alive_n = [], [], [], []
    for i, cohort in enumerate(cohorts):
        values = np.asarray(cohort, dtype=float)
        name = "active" if len(cohorts) == 1 else f"active[{i}]"
        if values.ndim != 1 or len(values) < 2:
            raise InputError(f"{name} must list the customers active at the start of periods 0, 1, ..., n (at least "
                             f"two numbers: the cohort size, then who is left); got {cohort!r}.")
        if not np.all(np.isfinite(values)) or (values < 0).any() or (values != np.round(values)).any():
            raise InputError(f"{name} holds counts of customers: whole numbers, 0 or more; got {cohort!r}.")
        if (np.diff(values) > 0).any():
            at = int(np.flatnonzero(np.diff(values) > 0)[0]) + 1
            raise InputError(f"{name} rises at period {at} ({values[at - 1]:g} -> {values[at]:g}); customers who left "
                             f"do not come back in this model. Fix: count one cohort's survivors, never new joiners.")
        periods = np.arange(1, len(values))
        lost_t.append(periods)
        lost_n.append(values[:-1] - values[1:])
        alive_t.append([len(values) - 1])
        alive_n.append([values[-1]])
    return tuple(np.concatenate(x).astype(float) for x in (lost_t, lost_n, alive_t, alive_n))


def _sbg_nll(log_params, data, penalizer):
    """Mean negative log-likelihood and its gradient in log-parameters."""
    from scipy.special import betaln, digamma
    a, b = np.exp(log_params)
    lost_t, lost_n, alive_t, alive_n = data
    total = lost_n.sum() + alive_n.sum()
    ll = (lost_n @ (betaln(a + 1, b + lost_t - 1) - betaln(a, b)) + alive_n @ (betaln(a, b + alive_t) - betaln(a, b)))
    base_a, base_b = digamma(a) - digamma(a + b), digamma(b) - digamma(a + b)
    d_a = (lost_n @ (digamma(a + 1) - digamma(a + b + lost_t) - base_a)
           + alive_n @ (digamma(a + b) - digamma(a + b + alive_t)))
    d_b = (lost_n @ (digamma(b + lost_t - 1) - digamma(a + b + lost_t) - base_b)
           + alive_n @ (digamma(b + alive_t) - digamma(a + b + alive_t) - base_b))
    params = np.array([a, b])
    value = -ll / total + penalizer * np.sum(params ** 2)
    return value, -np.array([d_a, d_b]) * params / total + penalizer * 2 * params ** 2


class ShiftedBetaGeometric(Fitter):
    """The sBG model of contractual retention, fitted by maximum likelihood with analytic gradients.

    Parameters
    ----------
    penalizer : float, default 0
        Adds ``penalizer * (alpha**2 + beta**2)`` to the mean negative log-likelihood.

    Examples
    --------
    The "regular" customers of Fader & Hardie (2007), years 0-7; the paper reports alpha = 0.704, beta = 1.182:

    >>> model = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> model.params_.round(3).tolist()
    [0.704, 1.182]
    >>> model.retention_rate([1, 2, 8]).round(3).tolist()       # rising: heterogeneity, not loyalty
    [0.627, 0.756, 0.921]
    """

    _param_names = ("alpha", "beta")
    _advice = "a cohort followed for more periods; "

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("this ShiftedBetaGeometric is not fitted yet; call .fit(active) with the customers "
                                 "active at the start of each period, or .fit_customers(lifetimes).")

    def _fit(self, data, initial_params, name="sBG") -> "ShiftedBetaGeometric":
        x0 = self._start(initial_params if initial_params is not None else (1.0, 1.0))
        args = (data, self.penalizer)
        result = self._maximize(_sbg_nll, x0, args, name)
        n = float(data[1].sum() + data[3].sum())
        params = pd.Series(np.exp(result.x), index=list(self._param_names))
        self.standard_errors_ = self._standard_errors(params, lambda z, *a: _sbg_nll(z, *a)[1], result.x, args, n,
                                                      name)
        self.params_, self.n_customers_, self.time_unit_ = params, int(n), None
        self.log_likelihood_ = float(-(result.fun - self.penalizer * np.sum(params.to_numpy() ** 2)) * n)
        self.iterations_ = int(result.nit)
        return self

    def fit(self, active, *, initial_params=None) -> "ShiftedBetaGeometric":
        """Fit to the customers of one or several cohorts still active at the start of periods 0, 1, ..., n.

        A cohort's ``active[t-1] - active[t]`` customers left in period t and contribute P(T = t); the
        ``active[n]`` still there contribute S(n). Cohorts may be followed for different numbers of periods.

        Parameters
        ----------
        active : sequence of counts, ``active[0]`` the cohort size; or a list of such sequences
        initial_params : two positive numbers (alpha, beta), optional (default 1, 1)

        Returns
        -------
        self

        Raises
        ------
        InputError
            For fewer than two counts, counts that are not whole and non-negative, or a count that rises.
        ConvergenceError
            When the estimate does not converge or is not determined by the data.
        """
        return self._fit(_counts_from_cohorts(active), initial_params)

    def fit_customers(self, lifetimes: pd.DataFrame, *, periods_col: str = "periods", churned_col: str = "churned",
                      initial_params=None) -> "ShiftedBetaGeometric":
        """Fit to one row per customer: the periods they were observed active and whether they left.

        A customer who left in period t (``periods`` = t, ``churned`` True) contributes P(T = t); one still
        active after t periods contributes S(t).

        Parameters
        ----------
        lifetimes : DataFrame, one row per customer
        periods_col : str, default "periods"
            Whole periods: for a churned customer the period in which they left (1 or more), for an active one
            the periods completed (0 or more).
        churned_col : str, default "churned"
            True or False.
        initial_params : two positive numbers (alpha, beta), optional

        Returns
        -------
        self

        Raises
        ------
        InputError
            For missing columns, periods that are not whole and non-negative, a churned customer with 0
            periods, or flags that are not True/False.
        ConvergenceError
            As :meth:`fit`.

        Examples
        --------
        >>> life = pd.DataFrame({"periods": [1, 1, 2, 3, 3, 3], "churned": [True, True, True, False, False, False]})
        >>> ShiftedBetaGeometric().fit_customers(life).n_customers_
        6
        """
        require_frame(lifetimes, "lifetimes")
        require_columns(lifetimes, [periods_col, churned_col], "lifetimes")
        t = pd.to_numeric(lifetimes[periods_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if not np.all(np.isfinite(t)) or (t < 0).any() or (t != np.round(t)).any():
            raise InputError(f"column {periods_col!r} must hold whole numbers of periods, 0 or more.")
        flags = lifetimes[churned_col]
        if not flags.isin([True, False]).all():
            raise InputError(f"column {churned_col!r} must be True or False for every customer.")
        churned = flags.to_numpy(dtype=bool)
        if (churned & (t < 1)).any():
            raise InputError(f"a churned customer has {periods_col} = 0; the period in which a customer leaves is "
                             f"1 or more (period 1 is the first).")
        lost = pd.Series(1.0, index=t[churned]).groupby(level=0).sum()
        alive = pd.Series(1.0, index=t[~churned]).groupby(level=0).sum()
        data = (lost.index.to_numpy(float), lost.to_numpy(), alive.index.to_numpy(float), alive.to_numpy())
        return self._fit(data, initial_params)

    # ---------------------------------------------------------------- predictions
    def survival(self, t) -> np.ndarray:
        """S(t) = B(alpha, beta + t) / B(alpha, beta): the share of a cohort still active after t periods.

        Parameters
        ----------
        t : number or array of periods, 0 or more

        Returns
        -------
        numpy array

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        from scipy.special import betaln
        self._check_fitted()
        a, b = self.params_
        t = np.asarray(t, dtype=float)
        return np.exp(betaln(a, b + t) - betaln(a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r(t) = (beta + t - 1) / (alpha + beta + t - 1): the share of period t-1's customers who renew into period t.

        Parameters
        ----------
        t : number or array of periods, 1 or more

        Returns
        -------
        numpy array

        Raises
        ------
        NotFittedError
            Before ``fit``.
        """
        self._check_fitted()
        a, b = self.params_
        t = np.asarray(t, dtype=float)
        return (b + t - 1) / (a + b + t - 1)

    @validate(cohort_size=Real(low=0, closed="neither"), periods=Integer(low=1), confidence=Confidence(),
              n_draws=Integer(low=100), include_chance=Flag())
    def project(self, cohort_size: float, periods: int, *, confidence: float = 0.95, n_draws: int = 2000,
                include_chance: bool = False, random_state=0) -> pd.DataFrame:
        """The expected customers of a cohort active at the start of periods 0..``periods``, with an interval.

        expected(t) = cohort_size x S(t). The interval carries the uncertainty of the fitted parameters
        (percentiles over draws from their sampling distribution, :meth:`parameter_draws`). The cohort's own
        chance variation around its expectation, about sqrt(n S (1 - S)) customers, comes on top: with
        ``include_chance=True`` each draw's count is drawn as Binomial(cohort_size, S(t)), so the interval is
        for the count a cohort of this size will show (the one to hold months that were held back against).

        Parameters
        ----------
        cohort_size : positive number
        periods : int, 1 or more
        confidence : float, default 0.95
        n_draws : int, default 2000
        include_chance : bool, default False
            Add the cohort's chance variation (needs a whole ``cohort_size``).
        random_state : int, default 0

        Returns
        -------
        DataFrame indexed by ``period`` with ``expected``, ``ci_low``, ``ci_high`` and ``retention_rate``;
        ``attrs`` records ``confidence`` and ``include_chance``.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For a cohort size that is not whole with ``include_chance=True``.
        """
        if include_chance and cohort_size != round(cohort_size):
            raise InputError(f"cohort_size={cohort_size!r} must be a whole number of customers with "
                             f"include_chance=True (the count is drawn as a binomial).")
        t = np.arange(periods + 1)
        rng = np.random.default_rng(random_state)
        draws = self.parameter_draws(n_draws, random_state=rng)
        shares = np.array([self.with_params(row).survival(t) for row in draws.to_numpy()])
        paths = rng.binomial(int(cohort_size), shares) if include_chance else shares * cohort_size
        tail = (1 - confidence) / 2
        rates = np.r_[np.nan, self.retention_rate(t[1:])]
        table = pd.DataFrame({"expected": cohort_size * self.survival(t), "ci_low": np.quantile(paths, tail, axis=0),
                              "ci_high": np.quantile(paths, 1 - tail, axis=0), "retention_rate": rates},
                             index=pd.Index(t, name="period"))
        table.attrs.update(confidence=confidence, include_chance=include_chance)
        return table

    def derl(self, renewals, *, discount_rate: float) -> np.ndarray:
        """Discounted expected residual lifetime of a customer who has renewed ``renewals`` times (Fader & Hardie 2010).

        DERL(d | n - 1 renewals) = (beta + n - 1) / (alpha + beta + n - 1) x 2F1(1, beta + n; alpha + beta + n;
        1 / (1 + d)): the expected number of further payments, each discounted to the moment the customer decides
        on the next renewal (the first undiscounted). Times the margin per period, it is what the customer is
        still worth; it grows with the renewals made, since a customer who has renewed often has a low chance of
        leaving.

        Parameters
        ----------
        renewals : int or array of ints, 0 or more
            Renewals made so far (a customer in their first period has made 0).
        discount_rate : float, per period, above 0

        Returns
        -------
        numpy array

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For renewals that are not whole and non-negative, or a discount rate that is not positive.

        Examples
        --------
        >>> model = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> model.derl([0, 4], discount_rate=0.1).round(2).tolist()
        [2.96, 5.89]
        """
        from scipy.special import hyp2f1
        self._check_fitted()
        d = check("discount_rate", discount_rate, Real(low=0, closed="neither", hint="Write 10% as 0.1."))
        n = np.asarray(renewals, dtype=float) + 1
        if not np.all(np.isfinite(n)) or (n < 1).any() or (n != np.round(n)).any():
            raise InputError(f"renewals={renewals!r} must be whole numbers, 0 or more.")
        a, b = self.params_
        return (b + n - 1) / (a + b + n - 1) * hyp2f1(1, b + n, a + b + n, 1 / (1 + d))
