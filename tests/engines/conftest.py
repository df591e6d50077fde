"""Every engine the kit accepts, built from one pandas table, and its result brought back to pandas.

The engine suite runs with ``make test-engines`` (Polars, pyarrow and PySpark from
requirements-engines.txt; Java 17 for Spark). Spark runs on ``local[2]`` with its session zone set
to UTC, so that naive pandas datetimes go in and come out unchanged.
"""
from __future__ import annotations

import duckdb
import pandas as pd
import polars as pl
import pytest

ENGINES = ["polars", "polars-lazy", "duckdb", "parquet", "spark"]


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("retention-kit-tests")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def to_engine(request, tmp_path):
    """to_engine(frame, kind) -> the same table in that engine (a zoned column keeps its zone's wall time)."""
    made = []

    def build(frame: pd.DataFrame, kind: str, zone: str | None = None):
        if kind == "polars":
            return pl.from_pandas(frame)
        if kind == "polars-lazy":
            return pl.from_pandas(frame).lazy()
        if kind == "duckdb":
            connection = duckdb.connect()
            made.append(connection)
            if zone:
                connection.execute(f"SET TimeZone = '{zone}'")
            return connection.from_df(frame)
        if kind == "parquet":
            path = tmp_path / f"log_{len(made)}.parquet"
            made.append(path)
            frame.to_parquet(path)
            return str(path)
        if kind == "spark":
            session = request.getfixturevalue("spark")
            session.conf.set("spark.sql.session.timeZone", zone or "UTC")
            path = tmp_path / f"spark_{len(made)}.parquet"
            made.append(path)
            frame.to_parquet(path, coerce_timestamps="us")       # Spark reads no nanosecond Parquet timestamps
            return session.read.parquet(str(path))
        raise ValueError(kind)

    yield build
    for thing in made:
        if isinstance(thing, duckdb.DuckDBPyConnection):
            thing.close()


def to_pandas(result, index: str | None = "customer_id") -> pd.DataFrame:
    """Any engine's result as pandas, indexed and sorted by ``index`` (a pandas result as it is)."""
    if isinstance(result, pd.DataFrame):
        return result
    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    if isinstance(result, pl.DataFrame):
        frame = result.to_pandas()
    elif isinstance(result, duckdb.DuckDBPyRelation):
        frame = result.df()
    else:                                            # Spark
        frame = result.toPandas()
    return frame.set_index(index).sort_index() if index else frame
