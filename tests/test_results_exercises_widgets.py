import matplotlib

matplotlib.use("Agg")

import pytest

import retention_kit as rk
from retention_kit import exercises, widgets


def test_metric_result_shows_its_parts():
    r = rk.nps([10, 9, 8, 3])
    assert float(r) == 25.0
    text = repr(r)
    assert "Net Promoter Score: 25.00 points" in text and "promoters" in text and "formula:" in text
    assert "<table>" in r._repr_html_() and "95% interval" in r._repr_html_()
    with pytest.raises(AttributeError, match="its parts are"):
        r.not_a_part
    assert "promoters" in dir(r)


@pytest.mark.parametrize("exercise_id", sorted(exercises.EXERCISES))
def test_every_exercise_gives_three_kinds_of_feedback(exercise_id):
    ex = exercises.EXERCISES[exercise_id]
    expected = exercises.expected_answer(exercise_id)
    unanswered = rk.check(exercise_id, None)
    assert unanswered.correct is None and "not answered yet" in repr(unanswered) and "Hint" in repr(unanswered)
    right = rk.check(exercise_id, expected)
    assert right.correct is True and repr(right).startswith("✔")
    if ex.kind == "bool":
        wrong = not expected
    elif ex.kind == "choice":
        wrong = "no such thing"
    else:
        wrong = float(expected) * 1.5 + 1
    verdict = rk.check(exercise_id, wrong)
    assert verdict.correct is False and repr(verdict).startswith("✘")


def test_check_helps_with_percent_instead_of_fraction():
    expected = exercises.expected_answer("03-churn-q1-2025")
    verdict = rk.check("03-churn-q1-2025", 100 * expected)
    assert not verdict and "percentage" in verdict.message


def test_check_explains_unknown_ids_and_wrong_types():
    assert "no exercise" in rk.check("99-nothing", 1).message
    assert "a number" in rk.check("01-nps-wave2", "high").message
    assert "True or False" in rk.check("01-change-significant", "yes").message


def test_exercise_answers_come_from_the_data():
    survey = rk.datasets.load_telecom_survey()
    assert exercises.expected_answer("01-nps-wave2") == rk.nps(survey.loc[survey.wave == 2, "nps_score"]).value
    assert exercises.expected_answer("03-annual-from-monthly") == pytest.approx(1 - 0.97 ** 12)


def test_nps_view_reports_the_interval_of_the_kit():
    text, ax = widgets.nps_interval_view(1000, 0.25, 0.075)
    assert "NPS 17.5" in text and "14.1 to 20.9" in text and "1,000 responses" in text
    assert len(ax.lines) >= 1


def test_churn_view_reports_compounding():
    text, ax = widgets.churn_compounding_view(0.05, 12)
    assert "46.0% a year (not 60%)" in text and "20.0 months" in text


def test_explorers_build_and_respond():
    box = widgets.nps_interval_explorer()
    controls = box.children[0].children
    label = box.children[1]
    before = label.value
    controls[0].value = 5000
    assert label.value != before and "5,000 responses" in label.value
    churn = widgets.churn_compounding_explorer()
    churn.children[0].children[0].value = 0.1
    assert "10.0% a month" in churn.children[1].value


def test_formula_clv_view_reports_the_three_closed_forms():
    text, ax = widgets.formula_clv_view(100, 0.8, 0.1)
    assert "$266.7" in text and "$366.7" in text and "$500.0" in text
    assert [round(p.get_height(), 1) for p in ax.patches] == [266.7, 366.7, 500.0]


def test_survival_explorer_switches_groups():
    subs = rk.datasets.load_saas_subscriptions()
    life = rk.survival.subscription_lifetimes(subs, observation_end="2026-01-01")
    box = widgets.survival_explorer(life, groups=("everyone", "plan"))
    assert "all" in box.children[1].value
    box.children[0].children[0].value = "plan"
    assert "basic" in box.children[1].value and "enterprise" in box.children[1].value
