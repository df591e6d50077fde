"""The kit's transaction-log functions on Polars, DuckDB, Spark and Parquet files, written once with narwhals.

``rk.rfm_summary`` and ``rk.calibration_holdout_summary`` accept, besides a pandas DataFrame, a
Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark DataFrame, or the path (or glob) of
Parquet files, and give back the same kind: a lazy input stays lazy, and nothing is collected
but the few numbers the input checks need. A Parquet path is scanned lazily by DuckDB and comes
back as pandas, like a pandas input. The tests compare every engine with the pandas path, value
for value.

Time zones: pandas, Polars and Parquet keep a column's zone, and the kit reads dates as their
wall time there. DuckDB and Spark store an instant and show it in the session's zone: set it to
the data's zone (DuckDB ``SET TimeZone = '...'``; Spark ``spark.sql.session.timeZone``) or pass
naive timestamps.
"""
from .frames import ACCEPTED, EngineInput, engine_input, is_engine_input
from .summaries import engine_calibration_holdout_summary, engine_rfm_summary

__all__ = ["ACCEPTED", "EngineInput", "engine_input", "is_engine_input", "engine_rfm_summary",
           "engine_calibration_holdout_summary"]
