"""The ground floor: checks shared by every module, the time-unit vocabulary and the date policy.

Every check raises :class:`InputError` (a ``ValueError``) whose message names the argument or
column, shows the offending value (and row) and says how to fix it. Rows the kit leaves out or
changes for a reason of its own are reported one way only: a :class:`DataWarning` that says how
many and why. Rows that a metric's definition leaves out (skipped survey answers) are counted in
the metric's parts instead.

Submodules: ``errors`` (the two signals), ``args`` (declarative argument checks), ``frames`` (tables and columns), ``dates``
(the date and time-zone policy), ``units`` (time units and calendar periods), ``logs``
(transaction logs and subscription tables).
"""
from .args import Confidence, Flag, Integer, Options, Probability, RandomState, Real, Spec, check, validate
from .errors import DataWarning, InputError, label, warn_data
from .dates import OFFSETS, as_datetime, as_timestamp, require_no_isolated_dates, require_period
from .frames import (as_flag, preview, require_columns, require_complete, require_frame, require_ids, require_labels,
                     require_nonnegative, require_numeric, require_unique, to_series)
from .logs import SubscriptionTable, TransactionLog, require_subscriptions, require_transactions, warn_duplicate_rows
from .units import (DAYS, DAYS_PER_MONTH, PANDAS_PERIOD, TIME_UNITS, convert_length, is_period_start, period_index,
                    period_numbers, period_starts, plural, require_time_unit)

InputError.__module__ = "retention_kit"     # shown as retention_kit.InputError in tracebacks
DataWarning.__module__ = "retention_kit"

__all__ = ["InputError", "DataWarning", "Spec", "Real", "Integer", "Options", "Flag", "RandomState", "Confidence",
           "Probability", "validate", "check", "warn_data", "label", "as_datetime", "as_timestamp", "require_period",
           "require_no_isolated_dates", "OFFSETS", "require_frame", "require_columns", "to_series", "require_numeric",
           "require_nonnegative", "require_unique", "require_complete", "require_ids", "require_labels", "as_flag",
           "warn_duplicate_rows", "preview", "TransactionLog", "require_transactions", "SubscriptionTable",
           "require_subscriptions", "TIME_UNITS", "DAYS", "DAYS_PER_MONTH", "require_time_unit", "convert_length",
           "period_numbers", "period_starts", "period_index", "is_period_start", "plural", "PANDAS_PERIOD"]
