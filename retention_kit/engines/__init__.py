"""The kit's transaction-log functions on Polars, DuckDB, Spark and Parquet files, written once with narwhals.

``rk.rfm_summary``, ``rk.calibration_holdout_summary``, ``rk.cohort_table``,
``rk.repeat_purchase_rate``, ``rk.metrics.purchase_counts`` and ``rk.metrics.churn_by_period``
accept, besides a pandas DataFrame, a Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark
DataFrame, or the path (or glob) of Parquet files. A result with one row per customer comes back as the input's kind: a lazy input
stays lazy, and nothing is collected but the few numbers the input checks need. A result that is
small by construction (a cohort table, a table per period, a rate) is computed by grouping in the
engine and comes back as pandas or a MetricResult, as the pandas path returns it. A Parquet path
is scanned lazily by DuckDB; its per-customer results come back as pandas, like a pandas input.
The tests compare every engine with the pandas path, value for value.

Time zones: pandas, Polars and Parquet keep a column's zone, and the kit reads dates as their
wall time there. DuckDB and Spark store an instant and show it in the session's zone: set it to
the data's zone (DuckDB ``SET TimeZone = '...'``; Spark ``spark.sql.session.timeZone``) or pass
naive timestamps.
"""
from .frames import ACCEPTED, EngineInput, engine_input, is_engine_input
from .cohorts import engine_cohort_table, engine_purchase_counts, engine_repeat_purchase_rate
from .subscriptions import engine_churn_by_period
from .summaries import engine_calibration_holdout_summary, engine_rfm_summary

__all__ = ["ACCEPTED", "EngineInput", "engine_input", "is_engine_input", "engine_rfm_summary",
           "engine_calibration_holdout_summary", "engine_cohort_table", "engine_repeat_purchase_rate",
           "engine_purchase_counts",
           "engine_churn_by_period"]
