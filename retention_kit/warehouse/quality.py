"""Data-quality checks of the source exports, written as pandera schemas, and a report of what they found.

Each export has a schema that states its system's conventions (the id format, the date format, the
unit of its amounts, the values allowed). A check that fails names the fault it stands for, one of
``rk.datasets.sources.FAULT_KINDS``; :func:`quality_report` runs every schema lazily (all failures,
not the first) and lists each failing row once per fault.
"""
from __future__ import annotations

import re

import pandas as pd

from ..validation import InputError, preview, require_frame

__all__ = ["source_schemas", "quality_report", "customer_number", "SOURCE_COLUMNS"]

# the columns each export must have (the quality checks read them)
SOURCE_COLUMNS = {
    "crm": ["account_id", "signup_date", "plan", "cancelled_on"],
    "billing": ["invoice_id", "customer_ref", "invoice_date", "amount"],
    "marketplace": ["order_id", "buyer", "order_date", "amount"],
    "usage": ["user_id", "event_time", "event"],
    "tickets": ["ticket_id", "customer", "opened_at", "csat"],
    "surveys": ["account", "wave", "submitted_at", "score"],
}
_BUILT_IN = {"not_nullable": "missing_value", "field_uniqueness": "duplicate_row",
             "multiple_fields_uniqueness": "duplicate_row"}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def customer_number(ids) -> pd.Series:
    """The customer number inside any system's id: "TW-000123", " tw-123 ", "tallyworks:123" and 123 give 123.

    Formula: the digits at the end of the id, after surrounding spaces are removed.

    Parameters
    ----------
    ids : sequence of str or int

    Returns
    -------
    pandas Series of nullable integers (missing where an id ends in no digits)

    Raises
    ------
    Nothing: an id without digits gives a missing value.

    Examples
    --------
    >>> customer_number(["TW-000123", " tw-123 ", "tallyworks:123", 123, "guest"]).tolist()
    [123, 123, 123, 123, <NA>]
    """
    text = pd.Series(ids).astype("string").str.strip()
    return pd.to_numeric(text.str.extract(r"(\d+)$", expand=False), errors="coerce").astype("Int64")


def _matches(pattern: str, name: str):
    import pandera.pandas as pa
    compiled = re.compile(pattern)
    return pa.Check(lambda s: s.astype(str).map(lambda v: bool(compiled.search(v))), name=name,
                    element_wise=False, ignore_na=True)


def _known(customers: set, name: str = "orphan"):
    import pandera.pandas as pa
    return pa.Check(lambda s: pd.Series(customer_number(s).isin(customers).to_numpy(), index=s.index), name=name,
                    ignore_na=True)


def source_schemas(customer_ids) -> dict:
    """One pandera schema per export: the conventions each system promises, each check named for its fault.

    ============  ==================================================================================
    every table   no row repeats another (*duplicate_row*; a survey form counts once per account
                  and wave)
    crm           ``account_id`` is "TW-" and six digits (*id_format*); ``signup_date`` ISO
                  YYYY-MM-DD (*date_format*); ``plan`` present (*missing_value*)
    billing       ``amount`` a plausible invoice in dollars, 0 to 1,000 (*unit*: cents are 100 times
                  larger); ``customer_ref`` a known customer (*orphan*)
    marketplace   ``buyer`` "tallyworks:" and digits (*id_format*), a known customer (*orphan*);
                  ``amount`` 0 to 1,000 dollars (*unit*)
    usage         ``user_id`` "tw-" and six digits (*id_format*), a known customer (*orphan*);
                  ``event_time`` ends in Z (*missing_time_zone*)
    tickets       ``customer`` "TW-" and six digits (*id_format*), a known customer (*orphan*);
                  ``opened_at`` ends in its UTC offset (*missing_time_zone*); ``csat`` 1-5 or empty
                  (*out_of_range*)
    surveys       ``account`` "TW-" and six digits (*id_format*), a known customer (*orphan*);
                  ``score`` present (*missing_value*) and 0-10 (*out_of_range*)
    ============  ==================================================================================

    Parameters
    ----------
    customer_ids : iterable of int, the customer numbers the CRM knows (see :func:`customer_number`)

    Returns
    -------
    dict of pandera.DataFrameSchema by export name

    Raises
    ------
    InputError
        When ``customer_ids`` is empty (every row of every table would be an orphan).

    Examples
    --------
    >>> sorted(source_schemas([1, 2]))
    ['billing', 'crm', 'marketplace', 'surveys', 'tickets', 'usage']
    """
    import pandera.pandas as pa
    known = {int(i) for i in pd.Series(list(customer_ids)).dropna()}
    if not known:
        raise InputError("customer_ids is empty: every row would be an orphan. Pass the customer numbers of the "
                         "CRM export, customer_number(sources['crm']['account_id']).")
    tw = _matches(r"^TW-\d{6}$", "id_format")
    in_dollars = pa.Check(lambda s: s.between(0, 1000), name="unit")

    def schema(name, columns, unique=None):
        return pa.DataFrameSchema(columns, name=name, unique=unique or SOURCE_COLUMNS[name],
                                  report_duplicates="exclude_first")

    return {
        "crm": schema("crm", {"account_id": pa.Column(checks=tw), "plan": pa.Column(nullable=False),
                              "signup_date": pa.Column(checks=_matches(ISO_DATE, "date_format")),
                              "cancelled_on": pa.Column(nullable=True, checks=_matches(ISO_DATE, "date_format"))}),
        "billing": schema("billing", {"customer_ref": pa.Column(checks=_known(known)),
                                      "amount": pa.Column(checks=in_dollars)}),
        "marketplace": schema("marketplace", {
            "buyer": pa.Column(checks=[_matches(r"^tallyworks:\d+$", "id_format"), _known(known)]),
            "amount": pa.Column(checks=in_dollars)}),
        "usage": schema("usage", {"user_id": pa.Column(checks=[_matches(r"^tw-\d{6}$", "id_format"), _known(known)]),
                                  "event_time": pa.Column(checks=_matches(r"Z$", "missing_time_zone"))}),
        "tickets": schema("tickets", {
            "customer": pa.Column(checks=[tw, _known(known)]),
            "opened_at": pa.Column(checks=_matches(r"([+-]\d{2}:\d{2}|Z)$", "missing_time_zone")),
            "csat": pa.Column(nullable=True, checks=pa.Check(lambda s: s.isin([1, 2, 3, 4, 5]) | s.isna(), name="out_of_range"))}),
        "surveys": schema("surveys", {
            "account": pa.Column(checks=[tw, _known(known)]),
            "score": pa.Column(nullable=False, checks=pa.Check(lambda s: s.between(0, 10) | s.isna(), name="out_of_range"))},
            unique=["account", "wave"]),
    }


def quality_report(sources: dict, *, schemas: dict | None = None) -> pd.DataFrame:
    """Run each export's schema and list every finding: one row per table, fault and row.

    Parameters
    ----------
    sources : dict of DataFrame by export name (``crm``, ``billing``, ...), each with a default
        RangeIndex so that ``row`` is the row's position in the export
    schemas : dict of pandera schemas, optional
        Default :func:`source_schemas` with the customers of ``sources["crm"]``.

    Returns
    -------
    DataFrame with columns ``table``, ``fault``, ``column`` (None for a repeated row), ``row`` and
    ``value`` (the failing value, as text), sorted; empty when nothing was found.

    Raises
    ------
    InputError
        When an export is missing, has no schema, lacks a column its checks read (named, with the
        columns it has), or has an index other than 0, 1, 2, ...

    Examples
    --------
    >>> from retention_kit.datasets import make_customer_sources
    >>> sources, truth = make_customer_sources(200, random_state=1)
    >>> report = quality_report(sources)
    >>> report.groupby("table")["fault"].unique()["surveys"].tolist()
    ['duplicate_row', 'missing_value', 'out_of_range']
    """
    import pandera.pandas as pa
    if not isinstance(sources, dict) or "crm" not in sources:
        raise InputError(f"sources must be a dict of the exports by name, with 'crm' among them; got "
                         f"{type(sources).__name__}{' with ' + preview(sources) if isinstance(sources, dict) else ''}.")
    for name, frame in sources.items():
        frame = require_frame(frame, f"sources[{name!r}]")
        if name in SOURCE_COLUMNS:
            missing = [c for c in SOURCE_COLUMNS[name] if c not in frame.columns]
            if missing:
                raise InputError(f"sources[{name!r}] has no column {missing[0]!r}, which its quality checks read "
                                 f"(it has {preview(frame.columns)}). Pass the export as the system wrote it, or "
                                 "rename the column.")
        if not frame.index.equals(pd.RangeIndex(len(frame))):
            raise InputError(f"sources[{name!r}] has an index other than 0, 1, 2, ...: the report names rows by "
                             "position. Call .reset_index(drop=True) first.")
    if schemas is None:
        schemas = source_schemas(customer_number(sources["crm"]["account_id"]))
    unknown = sorted(set(sources) - set(schemas))
    if unknown:
        raise InputError(f"sources[{unknown[0]!r}] has no schema (schemas for {preview(sorted(schemas))}). Pass "
                         "schemas=... with one for it, or leave the table out.")
    found = []
    for name, frame in sources.items():
        try:
            schemas[name].validate(frame, lazy=True)
        except pa.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            cases = cases[cases["index"].notna()]
            fault = cases["check"].map(lambda c: _BUILT_IN.get(str(c), str(c)))
            found.append(pd.DataFrame({"table": name, "fault": fault.to_numpy(),
                                       "column": cases["column"].where(fault != "duplicate_row").to_numpy(),
                                       "row": cases["index"].astype(int).to_numpy(),
                                       "value": cases["failure_case"].astype(str).to_numpy()}))
    columns = ["table", "fault", "column", "row", "value"]
    if not found:
        return pd.DataFrame(columns=columns)
    report = pd.concat(found, ignore_index=True)
    report["column"] = report["column"].astype(object).where(report["column"].notna(), None)
    return (report.drop_duplicates(["table", "fault", "column", "row"]).sort_values(["table", "fault", "row"])
            .reset_index(drop=True)[columns])
