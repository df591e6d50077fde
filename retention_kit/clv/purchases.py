"""What the models of repeat purchasing in continuous time share: BG/NBD, Pareto/NBD and MBG/NBD.

They take the same summary (``frequency``, ``recency``, ``T`` from :func:`rk.rfm_summary`), are
fitted the same way (on time rescaled so that the oldest customer has T = 1, from a warm start on
large tables) and predict the same things. Each model supplies its likelihood and two formulas:
P(alive | x, t_x, T) (``_alive``) and the expected purchases in the next t given the history
(``_cumulative``, which takes P(alive) so that it is computed once for a whole path).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import InputError, Integer, check
from .fitting import Fitter, first_bad, summary_arrays

__all__: list[str] = []   # building blocks of the models, not part of the kit's public API


def check_history(summary, x, tx, T) -> None:
    """Refuse impossible histories, naming how many customers, the first one and the fix."""
    checks = [
        (x < 0, "frequency is negative", "frequency counts repeat purchases, 0 or more"),
        (x != np.round(x), "frequency is not a whole number", "frequency counts repeat purchase periods"),
        (tx < 0, "recency is negative", "recency is last minus first purchase time"),
        (tx > T, "recency is greater than T", "recency (last - first purchase) cannot exceed T (end - first)"),
        ((x == 0) & (tx != 0), "recency is not 0 while frequency is 0", "a customer with no repeat purchase has "
                                                                       "recency 0"),
    ]
    for mask, what, fix in checks:
        if mask.any():
            raise InputError(f"{int(mask.sum())} customer(s) where {what} (first: customer "
                             f"{first_bad(summary, mask)}). Fix: {fix}; build the summary with rk.rfm_summary.")


class PurchaseModel(Fitter):
    """Base of BetaGeo, ParetoNBD and ModifiedBetaGeo: the shared fitting flow and predictions."""

    _time_params: tuple[int, ...] = (1,)     # positions of the parameters measured in time (alpha; and beta)
    _label = ""                              # the model's name in messages, such as "BG/NBD"
    _advice = "a coarser time unit (weeks instead of days: rk.rfm_summary(..., time_unit='week')); "

    def _alive(self, x, tx, T) -> np.ndarray:          # pragma: no cover - every model defines it
        raise NotImplementedError

    def _cumulative(self, t, x, T, alive) -> np.ndarray:   # pragma: no cover - every model defines it
        raise NotImplementedError

    def _fit_summary(self, summary, time_unit, initial_params, nll, make_data, *, warm: bool = True):
        """Check the summary, maximise ``nll`` on rescaled time and set the fitted attributes.

        Returns the fitted values in the model's unit, the repeat purchases x and the time scale, for
        a model to compute its log-likelihood in its own unit.
        """
        unit = self._unit_of(summary, time_unit)
        x, tx, T = summary_arrays(summary, ["frequency", "recency", "T"])
        check_history(summary, x, tx, T)
        if T.max() <= 0:
            raise InputError("every customer has T = 0: all were first seen in the last observed period, so there is "
                             "no time in which to see a repeat purchase. Fix: observe longer (a later "
                             "observation_period_end) or summarise in a finer time unit.")
        scale, timed = 1.0 / T.max(), list(self._time_params)
        x0 = self._start(initial_params)
        if initial_params is not None:
            x0[timed] += np.log(scale)
        args = (make_data(x, tx * scale, T * scale), self.penalizer)
        rows = self._warm_rows(len(x)) if warm else None
        warm_args = None if rows is None else (make_data(x[rows], tx[rows] * scale, T[rows] * scale), self.penalizer)
        result = self._maximize(nll, x0, args, self._label, warm_args=warm_args)
        values = np.exp(result.x)
        values[timed] /= scale
        params = pd.Series(values, index=list(self._param_names))
        errors = self._standard_errors(params, lambda z, *a: nll(z, *a)[1], result.x, args, len(x),
                                       self._label)   # log-scale SEs: the time scale cancels
        self.params_, self.standard_errors_ = params, errors
        self.n_customers_ = len(x)
        self.time_unit_ = unit
        self.iterations_ = int(result.nit)
        return result, x, scale, args

    def _history(self, summary):
        self._check_fitted()
        self._check_unit(summary)
        x, tx, T = summary_arrays(summary, ["frequency", "recency", "T"])
        check_history(summary, x, tx, T)
        return x, tx, T

    def _p_alive_series(self, summary) -> pd.Series:
        return pd.Series(self._alive(*self._history(summary)), index=summary.index, name="p_alive")

    def _expected_series(self, summary, horizon, time_unit) -> pd.Series:
        t = self._horizon(horizon, time_unit)
        x, tx, T = self._history(summary)
        return pd.Series(self._cumulative(t, x, T, self._alive(x, tx, T)), index=summary.index,
                         name="expected_purchases")

    def purchase_path(self, summary: pd.DataFrame, *, periods: int, time_unit: str | None = None) -> pd.DataFrame:
        """Cumulative expected repeat purchases at the end of each of the next ``periods`` periods.

        Column k holds E[Y(k L) | x, t_x, T], with L one ``time_unit`` in the model's unit; the
        differences between columns are the purchases expected in each period (what
        :func:`customer_lifetime_value` discounts).

        Parameters
        ----------
        summary : DataFrame with ``frequency``, ``recency``, ``T`` in the model's time unit
        periods : int, at least 1
        time_unit : str, optional
            The length of one period; default the model's unit.

        Returns
        -------
        DataFrame indexed like ``summary``, columns 1..periods.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        InputError
            For periods that are not a whole number of at least 1, or a summary in another unit.

        Examples
        --------
        >>> import retention_kit as rk
        >>> summary = rk.rfm_summary(rk.datasets.make_transactions(1000, random_state=0).data)
        >>> path = rk.clv.BetaGeo().fit(summary).purchase_path(summary, periods=3, time_unit="month")
        >>> list(path.columns), bool((path.diff(axis=1).iloc[:, 1:] >= 0).all().all())
        ([1, 2, 3], True)
        """
        self._check_fitted()
        periods = check("periods", periods, Integer(low=1))
        length = self._horizon(1, time_unit)
        x, tx, T = self._history(summary)
        alive = self._alive(x, tx, T)
        path = np.column_stack([self._cumulative(k * length, x, T, alive) for k in range(1, periods + 1)])
        return pd.DataFrame(path, index=summary.index, columns=pd.RangeIndex(1, periods + 1, name="period"))
