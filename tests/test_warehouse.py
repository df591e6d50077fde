"""The warehouse: every planted fault found and none invented, the SQL recovers the true tables, no file is lost."""
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit import warehouse as wh
from retention_kit.datasets import make_customer_sources

ROOT = Path(__file__).resolve().parents[1]
KEY = ["table", "fault", "row"]


@pytest.fixture(scope="module")
def world():
    return make_customer_sources(600, random_state=11)


@pytest.fixture(scope="module")
def built(world, tmp_path_factory):
    con = wh.create_warehouse(tmp_path_factory.mktemp("wh") / "tally.duckdb")
    counts = wh.build_single_view(con, world.data)
    yield con, counts
    con.close()


def as_set(frame):
    return set(map(tuple, frame[KEY].itertuples(index=False)))


@pytest.mark.parametrize("n, seed, share", [(600, 11, 0.02), (1500, 3, 0.05), (80, 5, 0.01)])
def test_every_planted_fault_is_found_and_none_is_invented(n, seed, share):
    sources, truth = make_customer_sources(n, fault_share=share, random_state=seed)
    found, planted = as_set(wh.quality_report(sources)), as_set(truth["faults"])
    assert found - planted == set(), "invented"
    assert planted - found == set(), "missed"
    assert {f for _, f, _ in planted} == set(rk.datasets.sources.FAULT_KINDS)


def test_clean_exports_raise_no_finding(world):
    """The exports with each planted fault repaired by hand (repeats and orphans dropped, cells written from the
    true tables in the system's convention) pass every check: the checks flag faults, not the data."""
    sources, truth = world
    faults, true = truth["faults"], truth["tables"]

    def dropped(name, *kinds):
        rows = faults[(faults["table"] == name) & faults["fault"].isin(kinds)]["row"]
        return sources[name].drop(index=rows).reset_index(drop=True)

    crm = dropped("crm", "duplicate_row")
    customers = true["customers"].set_index("customer_id").loc[wh.customer_number(crm["account_id"])]
    crm["account_id"] = [f"TW-{i:06d}" for i in customers.index]
    crm["signup_date"] = customers["signup_date"].dt.strftime("%Y-%m-%d").to_numpy()
    crm["plan"] = customers["plan"].to_numpy()
    tickets = dropped("tickets", "orphan")
    tickets["opened_at"] = true["tickets"].set_index("ticket_id").loc[tickets["ticket_id"], "opened_at"].dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ").to_numpy()
    surveys = dropped("surveys", "duplicate_row")
    surveys["score"] = true["surveys"]["score"].to_numpy()
    clean = dict(crm=crm, marketplace=sources["marketplace"], usage=dropped("usage", "orphan"), tickets=tickets,
                 surveys=surveys)
    report = wh.quality_report(clean)
    assert report.empty, report.head()


def test_the_report_names_table_column_and_value():
    sources = {"crm": pd.DataFrame({"account_id": ["TW-000001", "tw2"], "signup_date": ["2025-01-01", "02.01.2025"],
                                    "plan": ["team", None], "cancelled_on": [None, None]}),
               "surveys": pd.DataFrame({"account": ["TW-000001", "TW-000007"], "wave": [2025, 2025],
                                        "submitted_at": ["2025-11-01 10:00"] * 2, "score": [99, 8]})}
    report = wh.quality_report(sources)
    assert report[["table", "fault", "column", "row", "value"]].values.tolist() == [
        ["crm", "date_format", "signup_date", 1, "02.01.2025"], ["crm", "id_format", "account_id", 1, "tw2"],
        ["crm", "missing_value", "plan", 1, "None"], ["surveys", "orphan", "account", 1, "TW-000007"],
        ["surveys", "out_of_range", "score", 0, "99"]]


def test_customer_number_reads_every_systems_format():
    assert wh.customer_number(["TW-000042", " tw-42 ", "tw42", "tallyworks:42", 42, "42"]).tolist() == [42] * 6
    assert wh.customer_number(["guest", None]).isna().all()


def test_the_single_view_recovers_the_true_customers(world, built):
    con, _ = built
    customers, true = wh.table(con, "customers"), world.truth["tables"]["customers"]
    assert len(customers) == len(true) == customers["customer_id"].nunique()
    merged = customers.merge(true, on="customer_id", suffixes=("", "_true"), validate="one_to_one")
    assert (merged["signup_date"] == merged["signup_date_true"]).all()
    pd.testing.assert_series_equal(merged["cancelled_on"], merged["cancelled_on_true"], check_names=False)
    # plans missing in the CRM are recovered from the price billed
    assert (merged["plan"] == merged["plan_true"]).all()
    missing = world.truth["faults"].query("table == 'crm' and fault == 'missing_value'")["row"]
    from_billing = wh.customer_number(world.data["crm"].loc[missing, "account_id"]).unique()
    assert set(customers.loc[customers["plan_source"] == "billing", "customer_id"]) == set(from_billing)


def test_payments_are_in_dollars_and_counted_once(world, built):
    con, _ = built
    payments = wh.table(con, "payments")
    true = world.truth["tables"]
    invoices = payments[payments["kind"] == "subscription"].astype({"payment_id": int})
    expected = true["invoices"].rename(columns={"invoice_id": "payment_id"})
    merged = invoices.merge(expected, on="payment_id", suffixes=("", "_true"), validate="one_to_one")
    assert len(merged) == len(expected) == len(invoices)
    assert np.allclose(merged["amount"], merged["amount_true"]) and (merged["customer_id"] == merged["customer_id_true"]).all()
    add_ons = payments[payments["kind"] == "add-on"]
    assert add_ons["amount"].sum() == pytest.approx(true["marketplace"]["amount"].sum())
    assert set(add_ons["amount"]) <= {15.0, 49.0}


def test_ticket_times_are_utc_whatever_zone_the_desk_wrote(world, built):
    con, _ = built
    tickets = wh.table(con, "tickets").merge(world.truth["tables"]["tickets"], on="ticket_id", validate="one_to_one")
    assert len(tickets) == len(world.truth["tables"]["tickets"])
    assert (tickets["opened_at_x"] == tickets["opened_at_y"].dt.tz_convert("UTC").dt.tz_localize(None)).all()
    # a New York time without an offset is 4 or 5 hours behind UTC, not equal to it
    raw = world.data["tickets"]
    naive = world.truth["faults"].query("table == 'tickets' and fault == 'missing_time_zone'")["row"]
    written = pd.to_datetime(raw.loc[naive, "opened_at"]).to_numpy()
    stored = tickets.set_index("ticket_id").loc[raw.loc[naive, "ticket_id"], "opened_at_x"].to_numpy()
    assert set(((stored - written) / np.timedelta64(1, "h")).astype(int)) <= {4, 5}


def test_survey_answers_once_each_with_dont_know_as_no_score(world, built):
    con, _ = built
    answers = wh.table(con, "survey_answers")
    true = world.truth["tables"]["surveys"]
    assert len(answers) == len(true)
    raw = world.data["surveys"]
    assert answers["no_score_reason"].value_counts().to_dict() == {
        "don't know": int((raw.drop_duplicates()["score"] == 99).sum()),
        "skipped": int(raw.drop_duplicates()["score"].isna().sum())}
    scored = answers.dropna(subset=["score"]).merge(true, on=["customer_id", "wave"])
    assert (scored["score_x"] == scored["score_y"]).all()


def test_rejected_rows_are_the_orphans_and_the_repeats_with_their_reason(world, built):
    con, counts = built
    rejected = wh.table(con, "rejected_rows")
    left_out = world.truth["faults"].query("fault in ['orphan', 'duplicate_row']")
    assert sorted(map(tuple, rejected[["source", "source_row"]].values)) == sorted(
        map(tuple, left_out[["table", "row"]].values))
    reasons = rejected.groupby("source")["reason"].first()
    assert "no customer in the CRM" in reasons["usage"] and "exported again" in reasons["billing"]
    assert "repeats an earlier row" in reasons["crm"] and "second form" in reasons["surveys"]
    raw = counts.set_index(["schema", "table"])
    for source, table in (("usage", "sessions"), ("billing", None), ("tickets", "tickets")):
        if table:
            assert raw.loc[("raw", source), "rows"] - raw.loc[("raw", source), "rejected"] == raw.loc[("main", table), "rows"]


def test_unreadable_ids_and_dates_in_the_crm_are_refused_not_read_as_empty(tmp_path):
    sources = make_customer_sources(60, random_state=0).data
    for column, value in (("cancelled_on", "2025-13-01"), ("account_id", "guest"), ("signup_date", "1/2/2025")):
        crm = sources["crm"].copy()
        crm.loc[3, column] = value
        con = wh.create_warehouse(tmp_path / f"{column}.duckdb")
        wh.load_sources(con, {**sources, "crm": crm})
        with pytest.raises(rk.InputError, match=f"row 3: .*{value}"):
            wh.run_step(con, "customers")
        con.close()


def test_the_customer_view_has_one_row_per_customer_and_the_dictionary_defines_its_columns(world, built):
    con, _ = built
    view = wh.table(con, "customer_view")
    assert view["customer_id"].is_unique and len(view) == len(world.truth["tables"]["customers"])
    true = world.truth["tables"]
    revenue = true["invoices"].groupby("customer_id")["amount"].sum()
    assert np.allclose(view.set_index("customer_id")["subscription_revenue"].reindex(revenue.index), revenue)
    sessions = true["usage"].groupby("customer_id").size()
    assert (view.set_index("customer_id")["sessions"].reindex(sessions.index) == sessions).all()
    defined = set(wh.table(con, "data_dictionary")["name"])
    assert {"customer_id", "plan", "mean_csat", "last_nps_score", "churn rate", "NPS"} <= defined


def test_steps_out_of_order_are_refused(tmp_path):
    con = wh.create_warehouse(tmp_path / "w.duckdb")
    wh.load_sources(con, make_customer_sources(60, random_state=0).data)
    with pytest.raises(rk.InputError, match="step='customer_view' reads a table that does not exist yet"):
        wh.run_step(con, "customer_view")
    con.close()


def test_one_customer_under_two_different_crm_rows_is_refused(tmp_path):
    sources = make_customer_sources(60, random_state=0).data
    crm = sources["crm"].copy()
    crm.loc[1, "account_id"] = crm.loc[0, "account_id"]
    con = wh.create_warehouse(tmp_path / "w.duckdb")
    wh.load_sources(con, {**sources, "crm": crm})
    with pytest.raises(rk.InputError, match="the CRM holds 1 customer.*customer 1"):
        wh.run_step(con, "customers")
    con.close()


def test_a_quality_check_on_a_table_with_a_missing_column_names_it():
    sources = make_customer_sources(60, random_state=0).data
    with pytest.raises(rk.InputError, match=r"sources\['billing'\] has no column 'amount'.*rename"):
        wh.quality_report({**sources, "billing": sources["billing"].drop(columns="amount")})
    with pytest.raises(rk.InputError, match="reset_index"):
        wh.quality_report({**sources, "crm": sources["crm"].iloc[::-1]})
    with pytest.raises(rk.InputError, match=r"sources\['orders'\] has no schema"):
        wh.quality_report({**sources, "orders": pd.DataFrame({"x": [1]})})


def test_no_file_is_written_over(tmp_path):
    notes = tmp_path / "notes.duckdb"
    notes.write_text("my notes")
    with pytest.raises(rk.InputError, match="is not a DuckDB database: it is never overwritten"):
        wh.create_warehouse(notes, replace=True)
    assert notes.read_text() == "my notes"
    with pytest.raises(rk.InputError, match="must end in '.duckdb'"):
        wh.create_warehouse(tmp_path / "notes.txt")
    with pytest.raises(rk.InputError, match="does not exist"):
        wh.create_warehouse(tmp_path / "no" / "w.duckdb")
    db = tmp_path / "w.duckdb"
    wh.create_warehouse(db).close()
    with pytest.raises(rk.InputError, match="Pass replace=True"):
        wh.create_warehouse(db)
    con = wh.create_warehouse(db, replace=True)
    assert wh.row_counts(con)["table"].tolist() == ["rejected_rows"]
    con.close()


def test_no_database_file_is_committed_and_the_lesson_writes_to_a_temporary_folder():
    tracked = subprocess.run(["git", "ls-files", "*.duckdb", "**/*.duckdb"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""
    assert "*.duckdb" in (ROOT / ".gitignore").read_text().splitlines()
    import nbformat
    lesson = nbformat.read(ROOT / "notebooks" / "08_centralize_your_data.ipynb", as_version=4)
    import re
    code = "\n".join(c.source for c in lesson.cells if c.cell_type == "code")
    targets = re.findall(r"create_warehouse\(([^,)]+)", code)
    assert targets and set(targets) == {'folder / "tallyworks.duckdb"'}
    assert re.findall(r"^folder = (.+)$", code, flags=re.M) == ['Path(tempfile.mkdtemp(prefix="tallyworks-"))']


def test_the_simulators_arguments_are_checked():
    with pytest.raises(rk.InputError, match="n_customers=10 must be"):
        make_customer_sources(10)
    with pytest.raises(rk.InputError, match="at least 120"):
        make_customer_sources(100, start="2025-01-01", end="2025-02-01")


def test_metric_impact_with_every_fix_agrees_with_the_warehouse(world, built):
    con, _ = built
    clean = wh.metric_impact(world.data, "2025-01-01", "2026-01-01")
    customers = wh.table(con, "customers")
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01")
    at_start = (customers["signup_date"] < start) & ~(customers["cancelled_on"] < start)
    lost = at_start & (customers["cancelled_on"] < end)
    active = (customers["signup_date"] < end) & ~(customers["cancelled_on"] < start)
    payments = wh.table(con, "payments")
    revenue = payments.loc[(payments["date"] >= start) & (payments["date"] < end), "amount"].sum()
    sessions = con.sql("SELECT count(*) FROM sessions s JOIN customers c USING (customer_id) WHERE "
                       "event_time >= TIMESTAMP '2025-01-01' AND event_time < TIMESTAMP '2026-01-01' AND "
                       "c.signup_date < DATE '2026-01-01' AND (c.cancelled_on IS NULL OR "
                       "c.cancelled_on >= DATE '2025-01-01')").fetchall()[0][0]
    scores = con.sql("SELECT score FROM survey_answers WHERE wave = 2025 AND score IS NOT NULL").df()["score"]
    nps = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    signups_q1 = ((customers["signup_date"] >= start) & (customers["signup_date"] < "2025-04-01")).sum()
    expected = [len(customers), at_start.sum(), signups_q1, lost.sum() / at_start.sum(), revenue, revenue / active.sum(),
                sessions / active.sum(), nps]
    assert np.allclose(clean.to_numpy(), expected)


def test_metric_impact_without_fixes_is_what_the_raw_exports_say(world):
    sources, truth = world
    raw = wh.metric_impact(sources, "2025-01-01", "2026-01-01", fixes=())
    # billing's cents, repeated invoices included, plus the marketplace's dollars
    bill = sources["billing"]
    in_2025 = bill["invoice_date"].between("2025-01-01", "2025-12-31")
    market = truth["tables"]["marketplace"]
    expected = bill.loc[in_2025, "amount"].sum() + market.loc[market["date"].dt.year == 2025, "amount"].sum()
    assert raw["revenue"] == pytest.approx(expected)
    assert raw["customers"] == len(sources["crm"]) and raw["sessions per active customer"] == 0
    only_ids = wh.metric_impact(sources, "2025-01-01", "2026-01-01", fixes=["match_ids"])
    assert only_ids["sessions per active customer"] > 0
    with pytest.raises(rk.InputError, match="fixes has 'dedupe', which is no fix; the fixes are 'drop_repeats'"):
        wh.metric_impact(sources, "2025-01-01", "2026-01-01", fixes=["dedupe"])


def test_the_fixes_explorer_answers_each_box(world):
    from retention_kit.warehouse.explorer import fixes_explorer, fixes_view
    explorer = fixes_explorer(world.data)
    assert "fixes applied: none: customers x1.02" in explorer.label.value
    for name in wh.FIXES:
        explorer.controls[name].value = True
    assert ("fixes applied: drop repeated rows, read both date formats, billing cents to dollars, match ids by "
            "customer number: every metric matches the single view") in explorer.label.value
    text, _ = fixes_view(world.data, True, True, False, True)
    assert text.startswith("fixes applied: drop repeated rows, read both date formats, match ids by customer number: "
                           "revenue x") and "customers x" not in text
    assert "<img src='data:image/png;base64," in explorer.static_html()


def test_the_planted_reverse_causation_of_ratings(world):
    """Tickets of the last 180 days before a cancellation are rated from the 'leaving' distribution."""
    truth = world.truth
    tickets = truth["tables"]["tickets"].merge(truth["tables"]["customers"], on="customer_id").dropna(subset=["csat"])
    days = (tickets["cancelled_on"] - tickets["opened_at"].dt.tz_localize(None)).dt.days
    leaving = days < truth["csat_drop_days"]
    for group, probabilities in ((leaving, truth["csat_leaving"]), (~leaving, truth["csat_staying"])):
        p, scores = np.asarray(probabilities), np.arange(1, 6)
        mean, sd = (p * scores).sum(), np.sqrt((p * scores ** 2).sum() - (p * scores).sum() ** 2)
        ratings = tickets.loc[group, "csat"].astype(float)
        assert abs(ratings.mean() - mean) < 4 * sd / np.sqrt(len(ratings)), (ratings.mean(), mean)
