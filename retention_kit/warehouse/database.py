"""An embedded DuckDB database file: the exports loaded as they are, then the SQL steps that clean and join them.

DuckDB runs inside Python (no server): the database is one file. It is created where the caller says,
never over a file that is not a DuckDB database, and never over an existing database unless asked.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..validation import Flag, InputError, Options, preview, require_frame, validate
from .sql import DICTIONARY, STEPS

__all__ = ["create_warehouse", "load_sources", "run_step", "show_sql", "build_single_view", "table", "row_counts"]

_MAGIC = b"DUCK"        # bytes 8-11 of every DuckDB database file


def _is_duckdb_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(12)[8:12] == _MAGIC


@validate(replace=Flag())
def create_warehouse(path, *, replace: bool = False):
    """Create a DuckDB database file and connect to it, in UTC, with the ``raw`` schema and ``rejected_rows``.

    Parameters
    ----------
    path : str or Path, a new file ending in ``.duckdb`` (for a lesson, inside a temporary folder)
    replace : bool, default False
        Replace an existing DuckDB database at ``path``. A file that is not a DuckDB database is never
        replaced.

    Returns
    -------
    duckdb.DuckDBPyConnection
        Close it with ``.close()`` when done.

    Raises
    ------
    InputError
        When ``path`` does not end in ``.duckdb``, its folder does not exist, it is an existing
        database and ``replace`` is False, or it is an existing file of another kind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = tempfile.mkdtemp()
    >>> con = create_warehouse(pathlib.Path(folder) / "demo.duckdb")
    >>> con.sql("SELECT current_setting('TimeZone')").fetchall()[0][0]
    'UTC'
    >>> con.close()
    """
    import duckdb
    path = Path(path)
    if path.suffix != ".duckdb":
        raise InputError(f"path={str(path)!r} must end in '.duckdb', so that the file says what it is. Write "
                         f"{path.with_suffix('.duckdb').name!r}.")
    if not path.parent.is_dir():
        raise InputError(f"path={str(path)!r}: the folder {str(path.parent)!r} does not exist. Create it first, or use "
                         "tempfile.mkdtemp() for a database you do not keep.")
    if path.exists():
        if not path.is_file() or not _is_duckdb_file(path):
            raise InputError(f"path={str(path)!r} exists and is not a DuckDB database: it is never overwritten. "
                             "Choose another name.")
        if not replace:
            raise InputError(f"path={str(path)!r} is an existing DuckDB database. Pass replace=True to build it "
                             "again from the exports, or choose another name.")
        path.unlink()
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            wal.unlink()
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE rejected_rows (source VARCHAR, source_row BIGINT, reason VARCHAR)")
    return con


def load_sources(con, sources: dict) -> pd.DataFrame:
    """Load each export into ``raw.<name>`` exactly as it is, with its row position in ``source_row``.

    Parameters
    ----------
    con : a connection from :func:`create_warehouse`
    sources : dict of DataFrame by export name

    Returns
    -------
    DataFrame: rows loaded per table (``table``, ``rows``)

    Raises
    ------
    InputError
        When ``sources`` is not a dict of DataFrames, a name is not a plain identifier, or a table
        already has a column ``source_row``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> con = create_warehouse(pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb")
    >>> load_sources(con, {"crm": pd.DataFrame({"account_id": ["TW-000001"]})})["rows"].tolist()
    [1]
    >>> con.close()
    """
    if not isinstance(sources, dict) or not sources:
        raise InputError(f"sources must be a non-empty dict of DataFrames by export name; got {type(sources).__name__}.")
    counts = []
    for name, frame in sources.items():
        frame = require_frame(frame, f"sources[{name!r}]")
        if not str(name).isidentifier():
            raise InputError(f"sources has the table name {name!r}; use a plain name (letters, digits, _), "
                             "which SQL can write without quotes.")
        if "source_row" in frame.columns:
            raise InputError(f"sources[{name!r}] already has a column 'source_row', the name the warehouse gives "
                             "each row's position. Rename it.")
        staged = frame.reset_index(drop=True).assign(source_row=range(len(frame)))
        con.register("staged", staged)
        con.execute(f"CREATE OR REPLACE TABLE raw.{name} AS SELECT * FROM staged")
        con.unregister("staged")
        counts.append((name, len(frame)))
    return pd.DataFrame(counts, columns=["table", "rows"])


@validate(step=Options(*STEPS))
def show_sql(step: str) -> str:
    """The SQL of one step of the single customer view, as the lesson prints it.

    Parameters
    ----------
    step : one of ``STEPS``: "customers", "payments", "sessions", "tickets", "survey_answers", "customer_view"

    Returns
    -------
    str

    Raises
    ------
    InputError
        For an unknown step.

    Examples
    --------
    >>> show_sql("payments").splitlines()[1]
    '-- every payment in dollars: invoices (cents in billing, each invoice id once) and marketplace add-ons'
    """
    return STEPS[step]


@validate(step=Options(*STEPS))
def run_step(con, step: str) -> pd.DataFrame:
    """Run one step's SQL and return the first rows of the table it wrote.

    Parameters
    ----------
    con : a connection with the exports loaded (:func:`load_sources`)
    step : one of ``STEPS``, run in their order (each reads the tables of earlier steps)

    Returns
    -------
    DataFrame: the first five rows of the step's table

    Raises
    ------
    InputError
        For an unknown step, a step whose earlier steps have not run, or, at the ``customers`` step, a
        CRM row whose id has no customer number or whose date does not read, or one customer under
        two different rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from retention_kit.datasets import make_customer_sources
    >>> con = create_warehouse(pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb")
    >>> _ = load_sources(con, make_customer_sources(100, random_state=0).data)
    >>> run_step(con, "customers").columns.tolist()
    ['customer_id', 'signup_date', 'plan', 'plan_source', 'cancelled_on']
    >>> con.close()
    """
    import duckdb
    order = list(STEPS)
    try:
        con.execute(STEPS[step])
    except duckdb.CatalogException as error:
        raise InputError(f"step={step!r} reads a table that does not exist yet ({str(error).splitlines()[0]}). Run "
                         f"the steps in order: {preview(order, limit=len(order))}.") from None
    if step == "customers":
        _check_customers(con)
    return con.sql(f"SELECT * FROM {step} LIMIT 5").df()


def _check_customers(con) -> None:
    """Refuse a customers table the later steps cannot trust: no id, a date that did not read, a customer twice."""
    unread = con.sql("""SELECT source_row, account_id, signup_date, cancelled_on FROM raw.crm
                        WHERE TRY_CAST(regexp_extract(trim(account_id), '(\\d+)$', 1) AS INTEGER) IS NULL
                           OR COALESCE(try_strptime(signup_date, '%Y-%m-%d'), try_strptime(signup_date, '%d.%m.%Y'))
                              IS NULL
                           OR (cancelled_on IS NOT NULL AND try_strptime(cancelled_on, '%Y-%m-%d') IS NULL)
                        ORDER BY source_row""").fetchall()
    if unread:
        row, account, signup, cancelled = unread[0]
        raise InputError(f"raw.crm has {len(unread)} row(s) whose id has no customer number or whose date reads in "
                         f"neither YYYY-MM-DD nor DD.MM.YYYY, e.g. row {row}: account_id={account!r}, "
                         f"signup_date={signup!r}, cancelled_on={cancelled!r}. Correct them in the export: an empty "
                         "cancellation would read as 'still a customer'.")
    twice = con.sql("SELECT customer_id FROM customers GROUP BY customer_id HAVING count(*) > 1").fetchall()
    if twice:
        raise InputError(f"the CRM holds {len(twice)} customer(s) under two different rows, e.g. customer "
                         f"{twice[0][0]}: decide which row is right in raw.crm before building the view.")


def build_single_view(con, sources: dict) -> pd.DataFrame:
    """Load the exports, run every step in order, and write the data dictionary: the whole warehouse at once.

    Parameters
    ----------
    con : a connection from :func:`create_warehouse`
    sources : dict of the six exports (``rk.datasets.make_customer_sources``)

    Returns
    -------
    DataFrame: rows per table written, with the rows rejected from each source

    Raises
    ------
    InputError
        As :func:`load_sources` and :func:`run_step`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from retention_kit.datasets import make_customer_sources
    >>> con = create_warehouse(pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb")
    >>> build_single_view(con, make_customer_sources(100, random_state=0).data)["table"].tolist()[-3:]
    ['customer_view', 'rejected_rows', 'data_dictionary']
    >>> con.close()
    """
    load_sources(con, sources)
    for step in STEPS:
        run_step(con, step)
    con.execute("CREATE OR REPLACE TABLE data_dictionary (name VARCHAR, in_table VARCHAR, definition VARCHAR, "
                "unit VARCHAR)")
    con.executemany("INSERT INTO data_dictionary VALUES (?, ?, ?, ?)", DICTIONARY)
    return row_counts(con)


def table(con, name: str) -> pd.DataFrame:
    """A whole table of the warehouse as a DataFrame: dates and UTC times as pandas datetimes (ns, no zone).

    Parameters
    ----------
    con : a connection
    name : a table name, e.g. "customer_view" or "raw.crm"

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        For a table that does not exist (the tables that do are named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> con = create_warehouse(pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb")
    >>> table(con, "rejected_rows").columns.tolist()
    ['source', 'source_row', 'reason']
    >>> con.close()
    """
    names = [f"{s}.{t}" if s != "main" else t for s, t in
             con.sql("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()]
    if name not in names:
        raise InputError(f"name={name!r} is no table of the warehouse; it has {preview(sorted(names), limit=20)}.")
    frame = con.sql(f"SELECT * FROM {name}").df()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def row_counts(con) -> pd.DataFrame:
    """Rows in every table of the warehouse, and the rows rejected from each source export.

    Parameters
    ----------
    con : a connection

    Returns
    -------
    DataFrame with ``schema``, ``table``, ``rows``, ``rejected`` (rows of that raw export left out,
    with reasons in ``rejected_rows``)

    Raises
    ------
    Nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> con = create_warehouse(pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb")
    >>> row_counts(con)["table"].tolist()
    ['rejected_rows']
    >>> con.close()
    """
    tables = con.sql("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY schema_name DESC, "
                     "table_name = 'data_dictionary', table_name = 'rejected_rows'").fetchall()
    rejected = dict(con.sql("SELECT source, count(*) FROM rejected_rows GROUP BY source").fetchall())
    order = {step: k for k, step in enumerate(STEPS)}
    rows = [(schema, name, con.sql(f"SELECT count(*) FROM {schema}.{name}").fetchall()[0][0],
             rejected.get(name, 0) if schema == "raw" else 0) for schema, name in tables]
    frame = pd.DataFrame(rows, columns=["schema", "table", "rows", "rejected"])
    frame["order"] = [-1 if s == "raw" else order.get(t, len(order) + (t == "data_dictionary"))
                      for s, t in zip(frame["schema"], frame["table"])]
    return frame.sort_values(["order", "table"], kind="stable").drop(columns="order").reset_index(drop=True)
