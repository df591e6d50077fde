"""rk.rfm_summary and rk.calibration_holdout_summary on every engine, compared with the pandas path value for value.

The pandas path is itself checked against lifetimes and hand-worked values (tests/test_summaries*.py); here
each engine must give exactly its numbers, on a random log and on the edge cases of the ground floor: time
zones across a change of clocks, repeated rows, refunds, missing values, text dates, an isolated date, rows
after the end, a log without amounts, and an empty log.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

import retention_kit as rk

from .conftest import ENGINES, to_pandas

KINDS = {"polars": pl.DataFrame, "polars-lazy": pl.LazyFrame}


def random_log(n=6_000, customers=700, seed=0):
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, 2 * 365 * 86_400, n)
    log = pd.DataFrame({"customer_id": rng.integers(0, customers, n),
                        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(seconds, unit="s"),
                        "amount": rng.gamma(2.0, 12.0, n).round(2)})
    return log.drop_duplicates().reset_index(drop=True)


def same(result, reference, kind):
    got = to_pandas(result, reference.index.name)
    pd.testing.assert_frame_equal(got[reference.columns], reference, check_names=False, check_index_type=False)
    if kind == "parquet":                            # a Parquet scan comes back as pandas, exactly as the pandas path
        assert isinstance(result, pd.DataFrame) and result.attrs == reference.attrs
        pd.testing.assert_frame_equal(result, reference)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("time_unit", ["hour", "day", "week", "month", "quarter", "year"])
def test_rfm_summary_equals_the_pandas_path(kind, time_unit, to_engine):
    log = random_log()
    reference = rk.rfm_summary(log, observation_period_end="2026-01-01", time_unit=time_unit)
    result = rk.rfm_summary(to_engine(log, kind), observation_period_end="2026-01-01", time_unit=time_unit)
    same(result, reference, kind)
    if kind in KINDS:
        assert isinstance(result, KINDS[kind])               # eager stays eager, lazy stays lazy


@pytest.mark.parametrize("kind", ENGINES)
def test_the_default_end_no_amounts_and_string_ids(kind, to_engine):
    log = random_log(seed=1).assign(customer_id=lambda d: "C" + d["customer_id"].astype(str).str.zfill(4))
    same(rk.rfm_summary(to_engine(log, kind)), rk.rfm_summary(log), kind)
    plain = log.drop(columns="amount")
    same(rk.rfm_summary(to_engine(plain, kind), monetary_value_col=None, time_unit="week"),
         rk.rfm_summary(plain, monetary_value_col=None, time_unit="week"), kind)


@pytest.mark.parametrize("kind", ENGINES)
def test_calibration_holdout_summary_equals_the_pandas_path(kind, to_engine):
    log = random_log(seed=2)
    for unit, cal in (("day", "2025-07-01"), ("week", "2025-06-30"), ("month", "2025-07-01")):
        reference = rk.calibration_holdout_summary(log, calibration_period_end=cal, observation_period_end="2026-01-01",
                                                   time_unit=unit)
        result = rk.calibration_holdout_summary(to_engine(log, kind), calibration_period_end=cal,
                                                observation_period_end="2026-01-01", time_unit=unit)
        same(result, reference, kind)
    with pytest.raises(rk.InputError, match="falls inside a week"):
        rk.calibration_holdout_summary(to_engine(log, kind), calibration_period_end="2025-07-01", time_unit="week")


@pytest.mark.parametrize("kind", ENGINES)
def test_zoned_dates_are_read_as_their_wall_time_across_a_change_of_clocks(kind, to_engine):
    """New York's clocks went forward on 2025-03-09 and back on 2025-11-02: purchases around midnight fall on
    the day their wall time says, as in the pandas path."""
    wall = pd.to_datetime(["2025-03-08 23:30", "2025-03-09 00:30", "2025-03-09 03:30", "2025-11-01 23:30",
                           "2025-11-02 01:30", "2025-11-02 23:59", "2025-11-03 00:01", "2025-12-31 23:00"])
    log = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3, 3, 3, 1], "date": wall.tz_localize("America/New_York", ambiguous=np.ones(len(wall), bool)),
                        "amount": [4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]})
    for unit in ("day", "hour", "week"):
        reference = rk.rfm_summary(log, observation_period_end="2026-01-01", time_unit=unit)
        result = rk.rfm_summary(to_engine(log, kind, zone="America/New_York"), observation_period_end="2026-01-01",
                                time_unit=unit)
        same(result, reference, kind)


@pytest.mark.parametrize("kind", ENGINES)
def test_repeated_rows_are_kept_with_a_warning_as_in_pandas(kind, to_engine):
    log = random_log(seed=3)
    doubled = pd.concat([log, log.iloc[:5]], ignore_index=True)
    with pytest.warns(rk.DataWarning, match="repeat another row"):
        reference = rk.rfm_summary(doubled, observation_period_end="2026-01-01")
    with pytest.warns(rk.DataWarning, match="10 rows that repeat another row"):
        result = rk.rfm_summary(to_engine(doubled, kind), observation_period_end="2026-01-01")
    same(result, reference, kind)


@pytest.mark.parametrize("kind", ENGINES)
def test_rows_after_the_end_are_left_out_with_a_warning(kind, to_engine):
    log = random_log(seed=4)
    late = int((log["date"] >= "2025-10-01").sum())
    with pytest.warns(rk.DataWarning, match=f"{late} transaction"):
        reference = rk.rfm_summary(log, observation_period_end="2025-10-01")
    with pytest.warns(rk.DataWarning, match=f"rfm_summary: {late} transaction"):
        result = rk.rfm_summary(to_engine(log, kind), observation_period_end="2025-10-01")
    same(result, reference, kind)
    with pytest.raises(rk.InputError, match="no transaction falls before observation_period_end"):
        rk.rfm_summary(to_engine(log, kind), observation_period_end="2023-01-01")


@pytest.mark.parametrize("kind", ENGINES)
def test_bad_logs_are_refused_with_the_column_the_value_and_the_fix(kind, to_engine):
    log = random_log(n=300, seed=5)
    refund = log.assign(amount=log["amount"].where(log.index != 7, -12.5))
    with pytest.raises(rk.InputError, match=r"column 'amount' has 1 negative value\(s\) .*-12.5.*refunds are not"):
        rk.rfm_summary(to_engine(refund, kind))
    missing = log.assign(customer_id=log["customer_id"].astype(float).where(log.index != 3))
    with pytest.raises(rk.InputError, match="column 'customer_id' is empty in 1 row"):
        rk.rfm_summary(to_engine(missing, kind))
    with pytest.raises(rk.InputError, match="column 'date' holds text, not dates"):
        rk.rfm_summary(to_engine(log.assign(date=log["date"].astype(str)), kind))
    with pytest.raises(rk.InputError, match="has no column 'when'"):
        rk.rfm_summary(to_engine(log, kind), datetime_col="when")
    typo = log.assign(date=log["date"].where(log.index != 0, pd.Timestamp("2205-01-01")))
    with pytest.raises(rk.InputError, match="2205-01-01 00:00:00 .*customer"):
        rk.rfm_summary(to_engine(typo, kind))
    with pytest.raises(rk.InputError, match="is empty"):
        rk.rfm_summary(to_engine(log.iloc[:0], kind))


def test_anything_else_is_refused_with_what_is_accepted(tmp_path):
    with pytest.raises(rk.InputError, match="a Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark DataFrame"):
        rk.rfm_summary({"customer_id": [1]})
    with pytest.raises(rk.InputError, match="matches no Parquet file"):
        rk.rfm_summary(str(tmp_path / "*.parquet"))


def test_a_folder_and_a_glob_of_parquet_files_are_one_log(tmp_path):
    log = random_log(seed=6)
    for i, part in enumerate(np.array_split(log.index, 3)):
        log.loc[part].to_parquet(tmp_path / f"part-{i}.parquet")
    reference = rk.rfm_summary(log, observation_period_end="2026-01-01")
    for source in (tmp_path, str(tmp_path / "part-*.parquet")):
        pd.testing.assert_frame_equal(rk.rfm_summary(source, observation_period_end="2026-01-01"), reference)


@pytest.mark.parametrize("kind", ENGINES)
def test_a_cut_with_fractions_of_a_second_cuts_where_pandas_cuts(kind, to_engine):
    """Each engine spells fractions of a second its own way (Polars' %.f, a cast on Spark)."""
    log = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
                        "date": pd.to_datetime(["2025-01-01 10:00:00.250", "2025-06-30 12:00:00.499999",
                                                "2025-06-30 12:00:00.500", "2025-07-01 08:00:00.750",
                                                "2025-03-03 03:03:03.125"]),
                        "amount": [3.0, 4.0, 5.0, 6.0, 7.0]})
    with pytest.warns(rk.DataWarning, match="2 transaction"):
        reference = rk.rfm_summary(log, observation_period_end="2025-06-30 12:00:00.5", time_unit="hour")
    with pytest.warns(rk.DataWarning, match="2 transaction"):
        result = rk.rfm_summary(to_engine(log, kind), observation_period_end="2025-06-30 12:00:00.5", time_unit="hour")
    same(result, reference, kind)


CALLS = {"rfm_summary": lambda tx, **kw: rk.rfm_summary(tx, observation_period_end="2026-01-01", **kw),
         "calibration_holdout_summary": lambda tx, **kw: rk.calibration_holdout_summary(
             tx, calibration_period_end="2025-07-01", observation_period_end="2026-01-01", **kw),
         "cohort_table": lambda tx, **kw: rk.cohort_table(tx, observation_period_end="2026-01-01", **kw),
         "repeat_purchase_rate": lambda tx, **kw: rk.repeat_purchase_rate(tx, "2025-01-01", "2026-01-01", **kw)}


@pytest.mark.parametrize("kind", ["pandas", *ENGINES])
@pytest.mark.parametrize("function", CALLS)
def test_check_repeated_rows_false_skips_only_the_warning(kind, function, to_engine):
    """The repeated rows are still counted as purchases; only the count and its warning are skipped (pytest turns
    any DataWarning into an error, so the unchecked calls prove that none is raised)."""
    log = random_log(seed=9)
    doubled = pd.concat([log, log.iloc[:7]], ignore_index=True)
    source = doubled if kind == "pandas" else to_engine(doubled, kind)
    with pytest.warns(rk.DataWarning, match="14 rows that repeat another row"):
        checked = CALLS[function](source)
    unchecked = CALLS[function](doubled if kind == "pandas" else to_engine(doubled, kind), check_repeated_rows=False)
    if function == "repeat_purchase_rate":
        assert (unchecked.value, unchecked.parts) == (checked.value, checked.parts)
        assert unchecked.parts["purchases"] == int(doubled["date"].between("2025-01-01", "2026-01-01",
                                                                           inclusive="left").sum())
    else:
        pd.testing.assert_frame_equal(to_pandas(unchecked), to_pandas(checked))     # a cohort table is pandas as it is
