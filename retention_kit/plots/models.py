"""Figures that check a fitted model against data (lessons 04 and 07).

Each function takes a table from ``rk.clv`` first and everything else by keyword, draws on ``ax``
(a new figure when None) and returns it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..validation import plural
from ._common import ORANGE, TEAL, _axes, _columns, _level

__all__ = ["period_transactions", "frequency_recency_heatmap", "transactions_over_time", "cohort_projection"]


def period_transactions(table: pd.DataFrame, *, ax=None, title="Customers by repeat purchases: data and model"):
    """Bars of customers by number of repeat purchases, observed (teal) and expected by the model (orange).

    Parameters
    ----------
    table : DataFrame from ``rk.clv.period_transactions`` (``actual``, ``model``; index ``frequency``)
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"actual": [5, 3], "model": [4.5, 3.5]}, index=pd.RangeIndex(2, name="frequency"))
    >>> [float(p.get_height()) for p in period_transactions(t).patches]
    [5.0, 3.0, 4.5, 3.5]
    """
    _columns(table, ["actual", "model"])
    ax = _axes(ax)
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["actual"], width=0.4, color=TEAL, label="observed")
    ax.bar(x + 0.2, table["model"], width=0.4, color=ORANGE, label="model")
    pooled = table.attrs.get("pooled_from")
    labels = [f"{i}+" if pooled is not None and i == pooled else str(i) for i in table.index]
    unit = table.attrs.get("time_unit")
    ax.set_xticks(x, labels)
    ax.set(xlabel=f"repeat purchase {plural(unit)}" if unit else "repeat purchases", ylabel="customers", title=title)
    ax.legend(frameon=False)
    return ax


def frequency_recency_heatmap(matrix: pd.DataFrame, *, ax=None, title=None):
    """A model's P(alive) or expected purchases over histories (frequency down, recency across).

    Cells no customer can have are left blank.

    Parameters
    ----------
    matrix : DataFrame from ``rk.clv.frequency_recency_matrix``
    ax : matplotlib Axes, optional
    title : str, optional; default says what the cells hold

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a matrix that is not a DataFrame.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, np.nan], [np.nan, 0.5]], index=[0, 1], columns=[0, 10])
    >>> m.attrs.update(what="p_alive", T=10, time_unit="day")
    >>> frequency_recency_heatmap(m).get_title()
    'P(alive) at age 10 days'
    """
    _columns(matrix, [], "matrix")
    ax = _axes(ax, (7, 4.5))
    what, unit = matrix.attrs.get("what", "p_alive"), matrix.attrs.get("time_unit")
    age = f" at age {matrix.attrs['T']:g} {plural(unit)}" if "T" in matrix.attrs and unit else ""
    if what == "p_alive":
        label, image = "P(alive)", ax.imshow(matrix.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1,
                                             origin="upper")
    else:
        horizon = matrix.attrs.get("horizon")
        label = f"expected purchases in the next {horizon:g} {plural(unit)}" if horizon and unit else "expected purchases"
        image = ax.imshow(matrix.to_numpy(), aspect="auto", cmap="viridis", origin="upper")
    ax.figure.colorbar(image, ax=ax, label=label)
    columns = np.asarray(matrix.columns)
    ticks = np.unique(np.linspace(0, len(columns) - 1, min(len(columns), 6)).round().astype(int))
    ax.set_xticks(ticks, [str(columns[i]) for i in ticks])
    rows = np.asarray(matrix.index)
    row_ticks = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), 11)).round().astype(int))
    ax.set_yticks(row_ticks, [str(rows[i]) for i in row_ticks])
    ax.set(xlabel=f"recency ({plural(unit)} from first to last purchase)" if unit else "recency",
           ylabel="frequency (repeat purchases)", title=title if title is not None else label + age)
    return ax


def transactions_over_time(table: pd.DataFrame, *, cumulative: bool = True, ax=None,
                           title="Repeat purchases over time: data and model"):
    """Observed (teal) and expected (dashed orange) repeat purchases by period, cumulative or per period.

    A vertical line marks ``attrs["calibration_period_end"]`` when the table records one: to its
    right the model predicts data it was not fitted on.

    Parameters
    ----------
    table : DataFrame from ``rk.clv.transactions_over_time``
    cumulative : bool, default True
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a table without the columns it draws.

    Examples
    --------
    >>> t = pd.DataFrame({"actual_cumulative": [1.0, 3.0], "model_cumulative": [1.5, 2.5], "actual": [1.0, 2.0],
    ...                   "model": [1.5, 1.0]}, index=pd.to_datetime(["2025-01-01", "2025-02-01"]))
    >>> [line.get_ydata().tolist() for line in transactions_over_time(t, cumulative=False).lines]
    [[1.0, 2.0], [1.5, 1.0]]
    """
    columns = ["actual_cumulative", "model_cumulative"] if cumulative else ["actual", "model"]
    _columns(table, columns)
    ax = _axes(ax, (8, 4))
    ax.plot(table.index, table[columns[0]].to_numpy(), color=TEAL, lw=2, label="observed")
    ax.plot(table.index, table[columns[1]].to_numpy(), color=ORANGE, lw=2, ls="--", label="model")
    end = table.attrs.get("calibration_period_end")
    if end is not None:
        ax.axvline(end, color="grey", lw=1, ls=":")
        ax.annotate("end of calibration ", (end, 0.02), xycoords=("data", "axes fraction"), color="grey", fontsize=9,
                    ha="right")
    if isinstance(table.index, pd.DatetimeIndex):          # a few concise date ticks, readable in a narrow panel
        import matplotlib.dates as mdates
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    unit = table.attrs.get("time_unit")
    what = "cumulative repeat purchases" if cumulative else f"repeat purchases per {unit}" if unit else "repeat purchases"
    ax.set(xlabel="period end", ylabel=what, title=title)
    ax.legend(frameon=False)
    return ax


def cohort_projection(projection: pd.DataFrame, *, observed=None, fitted_periods: int | None = None, ax=None,
                      title="Customers still active: projection and data"):
    """A cohort's projected active customers with its interval band, the observed counts and the fitting window.

    Parameters
    ----------
    projection : DataFrame from ``ShiftedBetaGeometric.project`` (``expected``, ``ci_low``, ``ci_high``; the
        legend says whether the interval includes the cohort's chance variation, ``attrs["include_chance"]``)
    observed : sequence of active counts at periods 0, 1, ..., optional
    fitted_periods : int, optional
        The model was fitted on periods 0..fitted_periods; a line marks where projection starts.
    ax : matplotlib Axes, optional
    title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InputError
        For a projection without the columns it draws.

    Examples
    --------
    >>> p = pd.DataFrame({"expected": [100.0, 60.0], "ci_low": [100.0, 55.0], "ci_high": [100.0, 65.0]})
    >>> ax = cohort_projection(p, observed=[100, 62], fitted_periods=1)
    >>> ax.lines[0].get_ydata().tolist(), ax.lines[1].get_ydata().tolist()
    ([100.0, 60.0], [100, 62])
    """
    _columns(projection, ["expected", "ci_low", "ci_high"], "projection")
    ax = _axes(ax)
    t = np.asarray(projection.index)
    level = _level(projection.attrs.get("confidence"))
    source = "parameters and chance" if projection.attrs.get("include_chance") else "parameters"
    ax.plot(t, projection["expected"].to_numpy(), color=ORANGE, lw=2, ls="--", label="model (expected)")
    ax.fill_between(t, projection["ci_low"], projection["ci_high"], color=ORANGE, alpha=0.25, lw=0,
                    label=f"{level} interval ({source})".strip())
    if observed is not None:
        observed = list(observed)
        ax.plot(np.arange(len(observed)), observed, "o-", color=TEAL, ms=4, label="observed")
    if fitted_periods is not None:
        ax.axvline(fitted_periods, color="grey", lw=1, ls=":")
        ax.annotate(" projected from here", (fitted_periods, 0.95), xycoords=("data", "axes fraction"), color="grey",
                    fontsize=9)
    ax.set(xlabel="period since the cohort started", ylabel="customers still active", title=title, ylim=(0, None))
    ax.legend(frameon=False)
    return ax
