"""What a transaction-log function accepts besides pandas, and how the result goes back.

Polars (eager or lazy), DuckDB relations and PySpark DataFrames are wrapped with narwhals as a
lazy frame; a Parquet path or glob is scanned lazily by DuckDB. Nothing here imports Polars or
PySpark: an object is recognized by narwhals' checks, which look only at modules already loaded.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
from narwhals import dependencies as deps

from ..validation import InputError

__all__ = ["EngineInput", "engine_input", "is_engine_input", "ACCEPTED"]

ACCEPTED = ("a pandas DataFrame, a Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark DataFrame, or the "
            "path (or glob) of Parquet files")


@dataclass(frozen=True)
class EngineInput:
    """A table handed to the kit by another engine, as a narwhals lazy frame, and how to give a result back.

    ``kind`` is "polars" (eager), "polars-lazy", "duckdb", "spark" or "parquet". A result goes back as the
    input came: eager Polars is collected, the lazy kinds stay lazy, and a Parquet scan comes back as
    pandas (``returns_pandas``), like a pandas input.

    Parameters
    ----------
    frame : narwhals.LazyFrame
    kind : str
    keep : object, whatever must stay alive while the frame is used (a Parquet scan's DuckDB connection)

    Examples
    --------
    >>> import duckdb
    >>> engine_input(duckdb.sql("SELECT 1 AS customer_id"), "transactions").kind
    'duckdb'
    """

    frame: Any
    kind: str
    keep: Any = field(default=None, repr=False)

    @property
    def returns_pandas(self) -> bool:
        return self.kind == "parquet"

    def finish(self, result):
        """The native object of a narwhals lazy ``result``, of the input's kind.

        Parameters
        ----------
        result : narwhals.LazyFrame built from ``frame``

        Returns
        -------
        polars.DataFrame (eager input), the input's lazy kind, or pandas.DataFrame (Parquet)

        Raises
        ------
        Nothing of its own; the engine's errors pass through.
        """
        if self.kind == "polars":
            return result.collect().to_native()
        if self.kind == "parquet":
            return result.to_native().df()              # DuckDB hands pandas back without pyarrow
        return result.to_native()


def _parquet_files(source) -> list[str] | None:
    """The Parquet files a path or glob names, None when ``source`` is not a path of Parquet files."""
    if not isinstance(source, (str, os.PathLike)):
        return None
    text = os.fspath(source)
    if not (text.endswith(".parquet") or (Path(text).is_dir())):
        return None
    if Path(text).is_dir():
        text = os.path.join(text, "**", "*.parquet")
    return sorted(glob.glob(text, recursive=True))


def _microseconds(relation):
    """Zoned nanosecond timestamps (DuckDB's TIMESTAMPTZ_NS, from pandas' Parquet files) as zoned microseconds,
    the type narwhals reads; a purchase's period does not change."""
    zoned_ns = {c for c, t in zip(relation.columns, relation.types) if str(t) == "TIMESTAMPTZ_NS"}
    if not zoned_ns:
        return relation
    return relation.project(", ".join(f'CAST("{c}" AS TIMESTAMPTZ) AS "{c}"' if c in zoned_ns else f'"{c}"'
                                      for c in relation.columns))


def _parquet_zone(path: str) -> str | None:
    """The time zone a Parquet file's writer recorded for its zoned timestamps (Arrow's schema), if any."""
    import pyarrow.parquet as pq
    zones = {f.type.tz for f in pq.read_schema(path) if getattr(f.type, "tz", None)}
    if len(zones) > 1:
        raise InputError(f"{path} holds timestamps in several time zones ({sorted(zones)}). Fix: write them in one.")
    return zones.pop() if zones else None


def is_engine_input(obj) -> bool:
    """True for a Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark DataFrame or a Parquet path.

    Parameters
    ----------
    obj : anything

    Returns
    -------
    bool

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> is_engine_input("purchases/*.parquet"), is_engine_input([1, 2])
    (True, False)
    """
    return bool(deps.is_polars_dataframe(obj) or deps.is_polars_lazyframe(obj) or deps.is_duckdb_relation(obj)
                or deps.is_pyspark_dataframe(obj) or deps.is_pyspark_connect_dataframe(obj)
                or _parquet_files(obj) is not None)


def engine_input(obj, name: str) -> EngineInput:
    """Wrap a table of another engine (see :func:`is_engine_input`) for the kit's narwhals code.

    Parameters
    ----------
    obj : Polars DataFrame or LazyFrame, DuckDB relation, PySpark DataFrame, or a Parquet path or glob
    name : str, the argument's name for messages

    Returns
    -------
    EngineInput

    Raises
    ------
    InputError
        For another type, or a Parquet path or glob that matches no file.

    Examples
    --------
    >>> engine_input("no/such/*.parquet", "transactions")
    Traceback (most recent call last):
    ...
    retention_kit.InputError: transactions='no/such/*.parquet' matches no Parquet file. Fix: check the path (a glob such as 'purchases/*.parquet' or a folder of Parquet files works too).
    """
    files = _parquet_files(obj)
    if files is not None:
        if not files:
            raise InputError(f"{name}={os.fspath(obj)!r} matches no Parquet file. Fix: check the path (a glob such as "
                             f"'purchases/*.parquet' or a folder of Parquet files works too).")
        import duckdb
        connection = duckdb.connect()
        zone = _parquet_zone(files[0])
        if zone:                        # DuckDB shows an instant in its session's zone: make it the data's zone
            connection.execute(f"SET TimeZone = '{zone}'")
        relation = _microseconds(connection.read_parquet(files))
        return EngineInput(nw.from_native(relation), "parquet", keep=connection)
    if deps.is_polars_dataframe(obj):
        return EngineInput(nw.from_native(obj).lazy(), "polars")
    if deps.is_polars_lazyframe(obj):
        return EngineInput(nw.from_native(obj), "polars-lazy")
    if deps.is_duckdb_relation(obj):
        return EngineInput(nw.from_native(_microseconds(obj)), "duckdb")
    if deps.is_pyspark_dataframe(obj) or deps.is_pyspark_connect_dataframe(obj):
        return EngineInput(nw.from_native(obj), "spark")
    raise InputError(f"{name} must be {ACCEPTED}; got {type(obj).__name__}.")
