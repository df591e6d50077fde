"""The two kinds of customer record the kit reads: a transaction log and a subscriptions table.

Every function that takes one runs the same checks, so a log is either accepted everywhere or
refused everywhere with the same message.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError, label, warn_data
from .dates import as_datetime, as_timestamp, require_no_isolated_dates
from .frames import (preview, require_columns, require_complete, require_frame, require_ids, require_nonnegative,
                     require_numeric, require_unique)

__all__ = ["TransactionLog", "require_transactions", "SubscriptionTable", "require_subscriptions",
           "warn_duplicate_rows", "repeated_rows"]

REFUND_FIX = ("refunds are not purchases: a refund row would count as a visit and make a one-time buyer a repeat "
              "buyer. Remove refund rows (tx[tx['amount'] >= 0]) and net them against their orders if you need "
              "spend after refunds")


@dataclass(frozen=True)
class TransactionLog:
    """A checked transaction log: ``frame`` has the id, the date (naive wall time) and the amount.

    Parameters
    ----------
    frame : DataFrame
    customer_id_col, datetime_col, monetary_value_col : str
    zone : the dates' time zone (see ``dates.as_datetime``)

    Examples
    --------
    >>> log = require_transactions(pd.DataFrame({"customer_id": [1], "date": ["2025-01-01"], "amount": [2.0]}))
    >>> log.timestamp("2025-02-01", "period_end")
    Timestamp('2025-02-01 00:00:00')
    """

    frame: pd.DataFrame
    customer_id_col: str
    datetime_col: str
    monetary_value_col: str | None
    zone: object = None
    pending: object = None

    def finish(self) -> None:
        """Wait for the repeated-rows check started in the background (``require_transactions(background=True)``)
        and warn about what it found; nothing to do after a check made in place.

        Returns
        -------
        None

        Raises
        ------
        DataWarning
            As :func:`warn_duplicate_rows`.
        """
        if self.pending is not None:
            thread, found, name = self.pending
            thread.join()
            _warn_repeated(found[0], name)

    @property
    def dates(self) -> pd.Series:
        return self.frame[self.datetime_col]

    def timestamp(self, value, argument: str) -> pd.Timestamp:
        """A date argument read in the log's zone.

        Parameters
        ----------
        value : a date
        argument : str, its name for messages

        Returns
        -------
        pandas.Timestamp, naive

        Raises
        ------
        InputError
            As ``dates.as_timestamp``.
        """
        return as_timestamp(value, argument, self.zone)

    def default_end(self) -> pd.Timestamp:
        """The default ``observation_period_end``: midnight after the day of the last event.

        Returns
        -------
        pandas.Timestamp
        """
        return self.dates.max().normalize() + pd.Timedelta(days=1)


def require_transactions(transactions, *, customer_id_col: str = "customer_id", datetime_col: str = "date",
                         monetary_value_col: str | None = "amount", name: str = "transactions",
                         background: bool = False, check_repeated_rows: bool = True) -> TransactionLog:
    """Check a transaction log (one row per purchase) and return it with parsed dates and float amounts.

    Checks: a non-empty DataFrame; the columns exist; customer ids are present and of one type;
    dates are present, ISO or datetime, in one zone, none isolated; amounts (unless
    ``monetary_value_col=None``) are present, numeric and not negative (refunds are refused);
    no row repeats another in every column.

    Parameters
    ----------
    transactions : DataFrame
    customer_id_col, datetime_col, monetary_value_col : str
        Column names; ``monetary_value_col=None`` for a log without amounts.
    name : str
        What to call the table in messages.
    background : bool, default False
        Look for repeated rows in a background thread, while the caller computes (numpy releases
        the interpreter's lock in its sorts); the caller then calls ``log.finish()``, which warns.
    check_repeated_rows : bool, default True
        False: skip the repeated-rows check (for a log known to have unique rows).

    Returns
    -------
    TransactionLog

    Raises
    ------
    InputError
        Naming the column, the offending value and row, and the fix.

    Examples
    --------
    >>> log = require_transactions(pd.DataFrame({"customer_id": [1, 1], "date": ["2025-01-01", "2025-01-05"],
    ...                                          "amount": [4.5, 5.0]}))
    >>> log.dates.dt.day.tolist(), log.default_end()
    ([1, 5], Timestamp('2025-01-06 00:00:00'))
    """
    require_frame(transactions, name)
    amount_hint = ("pass the right name with the matching *_col argument (monetary_value_col=None for a log "
                   "without amounts)")
    require_columns(transactions, [customer_id_col, datetime_col], name)
    if monetary_value_col is not None:
        require_columns(transactions, [monetary_value_col], name, amount_hint)
    require_ids(transactions[customer_id_col], customer_id_col)
    require_complete(transactions[datetime_col], datetime_col, "fill or remove those rows explicitly before calling.")
    dates, zone = as_datetime(transactions[datetime_col], datetime_col)
    require_no_isolated_dates(dates, datetime_col)
    frame = pd.DataFrame({customer_id_col: transactions[customer_id_col], datetime_col: dates})
    if monetary_value_col is not None:
        amounts = require_numeric(transactions[monetary_value_col], monetary_value_col)
        require_complete(amounts, monetary_value_col, "fill them (0 for a free order) or remove those rows.")
        require_nonnegative(amounts, monetary_value_col, REFUND_FIX)
        frame[monetary_value_col] = amounts
    if not check_repeated_rows:
        return TransactionLog(frame, customer_id_col, datetime_col, monetary_value_col, zone)
    if not background:
        warn_duplicate_rows(transactions, name)
        return TransactionLog(frame, customer_id_col, datetime_col, monetary_value_col, zone)
    found: list = [None]
    thread = threading.Thread(target=lambda: found.__setitem__(0, repeated_rows(transactions)), daemon=True)
    thread.start()
    return TransactionLog(frame, customer_id_col, datetime_col, monetary_value_col, zone, (thread, found, name))


@dataclass(frozen=True)
class SubscriptionTable:
    """Checked subscriptions: start and end instants as int64 nanoseconds (no end = the largest int64).

    Parameters
    ----------
    start, end : numpy arrays of int64
    starts, ends : Series of naive datetimes (ends missing while active)
    zone : the dates' time zone

    Examples
    --------
    >>> t = require_subscriptions(pd.DataFrame({"customer_id": [1], "start_date": ["2025-01-01"], "end_date": [None]}))
    >>> int(t.end[0]) == np.iinfo(np.int64).max
    True
    """

    start: np.ndarray
    end: np.ndarray
    starts: pd.Series
    ends: pd.Series
    zone: object = None

    def timestamp(self, value, argument: str) -> pd.Timestamp:
        """A date argument read in the table's zone.

        Parameters
        ----------
        value : a date
        argument : str

        Returns
        -------
        pandas.Timestamp, naive

        Raises
        ------
        InputError
            As ``dates.as_timestamp``.
        """
        return as_timestamp(value, argument, self.zone)


def require_subscriptions(subscriptions, *, customer_id_col: str | None = "customer_id", start_col: str = "start_date",
                          end_col: str = "end_date", unique: bool = True) -> SubscriptionTable:
    """Check a subscriptions table (one row per customer, an empty end date while active).

    Checks: a non-empty DataFrame; the columns exist; customer ids present, of one type and (with
    ``unique=True``) not repeated; every start date present; dates ISO or datetime, both columns
    in one zone, none isolated; no end before its start.

    Parameters
    ----------
    subscriptions : DataFrame
    customer_id_col, start_col, end_col : str
        Column names; ``customer_id_col=None`` skips the id checks.
    unique : bool
        Refuse repeated customer ids.

    Returns
    -------
    SubscriptionTable

    Raises
    ------
    InputError
        Naming the column, the offending value and row, and the fix.

    Examples
    --------
    >>> t = require_subscriptions(pd.DataFrame({"customer_id": ["a", "b"], "start_date": ["2025-01-01", "2025-02-01"],
    ...                                         "end_date": ["2025-03-01", None]}))
    >>> t.ends.isna().tolist()
    [False, True]
    """
    require_frame(subscriptions, "subscriptions")
    require_columns(subscriptions, [c for c in (customer_id_col, start_col, end_col) if c is not None], "subscriptions")
    if customer_id_col is not None:
        require_ids(subscriptions[customer_id_col], customer_id_col)
        if unique:
            require_unique(subscriptions[customer_id_col], customer_id_col,
                           "keep one row per customer (the current or last subscription); a customer who left and "
                           "came back is two customers for this definition, so give them new ids.")
    require_complete(subscriptions[start_col], start_col, "every subscription needs a start date.")
    starts, start_zone = as_datetime(subscriptions[start_col], start_col)
    ends, end_zone = as_datetime(subscriptions[end_col], end_col)
    if subscriptions[end_col].notna().any() and start_zone != end_zone:
        raise InputError(f"columns {start_col!r} and {end_col!r} are in different time zones ({start_zone} and "
                         f"{end_zone}). Fix: convert both to the same zone.")
    require_no_isolated_dates(pd.concat([starts, ends]).dropna(), f"{start_col}/{end_col}")
    backwards = (ends < starts).to_numpy()
    if backwards.any():
        row = subscriptions.index[np.flatnonzero(backwards)[0]]
        raise InputError(f"{int(backwards.sum())} row(s) have {end_col!r} before {start_col!r}; the first is row "
                         f"{label(row)} ({start_col}={starts[row]}, {end_col}={ends[row]}). Fix: correct those dates "
                         f"(an end date is empty while a customer is still active).")
    start = starts.to_numpy("datetime64[ns]").view(np.int64)
    end = np.where(ends.isna().to_numpy(), np.iinfo(np.int64).max, ends.to_numpy("datetime64[ns]").view(np.int64))
    return SubscriptionTable(start, end, starts, ends, start_zone)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _row_hashes(df: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash per row; equal rows hash equal (unequal ones rarely collide, and are checked exactly).

    Columns of 8-byte numbers and dates are mixed with numpy arithmetic, several times faster than
    pandas' general hashing, which the other columns use.
    """
    fast = [c for c in df.columns if isinstance(df[c].dtype, np.dtype) and df[c].dtype.kind in "iufM"
            and df[c].dtype.itemsize == 8]
    other = [c for c in df.columns if c not in fast]
    hashes = (pd.util.hash_pandas_object(df[other], index=False).to_numpy() if other
              else np.zeros(len(df), dtype=np.uint64))
    with np.errstate(over="ignore"):
        for column in fast:
            bits = df[column].to_numpy().view(np.uint64)
            hashes = (hashes ^ (bits * _MIX)) * _MIX
            hashes ^= hashes >> np.uint64(29)
    return hashes


def warn_duplicate_rows(df: pd.DataFrame, name: str) -> None:
    """Warn about rows identical in every column: they count as separate purchases.

    A row loaded twice doubles its spend; two identical orders on one day in a log of dates are
    real. The kit cannot tell, so it keeps them and says so with a :class:`DataWarning`.

    Parameters
    ----------
    df : DataFrame, the table as the user passed it (all its columns)
    name : str

    Returns
    -------
    None

    Raises
    ------
    DataWarning
        As a warning, counting the rows and saying what to do.

    Examples
    --------
    >>> warn_duplicate_rows(pd.DataFrame({"customer_id": [1, 2]}), "transactions")
    """
    _warn_repeated(repeated_rows(df), name)


def repeated_rows(df: pd.DataFrame) -> pd.Index:
    """The labels of the rows that repeat another row exactly in every column (every copy).

    Parameters
    ----------
    df : DataFrame

    Returns
    -------
    pandas.Index, empty when no row repeats

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> repeated_rows(pd.DataFrame({"customer_id": [1, 2, 1]})).tolist()
    [0, 2]
    """
    hashes = _row_hashes(df)
    ordered = np.sort(hashes)                                  # equal rows have equal hashes: neighbours here
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return df.index[:0]
    candidates = np.isin(hashes, repeated)
    duplicated = df[candidates].duplicated(keep=False)
    return duplicated.index[duplicated.to_numpy()]


def _warn_repeated(rows: pd.Index, name: str) -> None:
    if len(rows):
        warn_data(f"{name} has {len(rows)} rows that repeat another row exactly in every column (first: rows "
                  f"{preview(rows[:2].tolist(), 2)}); they are kept as separate rows. If they were loaded twice, "
                  f"drop the copies first ({name}.drop_duplicates()); if they are separate purchases, add the column "
                  f"that tells them apart (an order id) and this warning goes.")
