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


@pytest.mark.parametrize("exercise_id", sorted(exercises.exercises()))
def test_every_exercise_gives_three_kinds_of_feedback(exercise_id):
    ex = exercises.exercises()[exercise_id]
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
    expected = exercises.expected_answer("03-churn-q2-2025")
    verdict = rk.check("03-churn-q2-2025", 100 * expected)
    assert not verdict and "percentage" in verdict.message


def test_check_explains_unknown_ids_and_wrong_types():
    assert "no exercise" in rk.check("99-nothing", 1).message
    assert "no exercise" in rk.check(["01-sample-size"], 1).message        # an unhashable id is answered, not raised
    assert "a number" in rk.check("01-sample-size", "high").message
    assert "finite" in rk.check("01-sample-size", float("nan")).message
    assert "True or False" in rk.check("01-support-change-significant", "yes").message


def test_feedback_with_dollar_amounts_is_never_typeset_as_math():
    verdict = rk.check("06-crc-h1-2025", exercises.expected_answer("06-crc-h1-2025"))
    dollars = repr(verdict).count("$")
    assert verdict and dollars >= 2                                   # plain text keeps its dollar signs
    html = verdict._repr_html_()
    assert "mathjax_ignore" in html and "$" not in html and html.count("&#36;") == dollars


def test_money_for_markdown_escapes_the_dollar_sign():
    assert rk.money(451651.2) == "\\\\$451,651" and rk.money(378.9, 2) == "\\\\$378.90"


def test_nps_view_reports_the_interval_of_the_kit():
    text, ax = widgets.nps_interval_view(1000, 0.25, 0.075)
    assert "NPS 17.5" in text and "14.1 to 20.9" in text and "1,000 responses" in text
    assert len(ax.lines) >= 1
    text90, _ = widgets.nps_interval_view(1000, 0.25, 0.075, confidence=0.9)
    assert "90% interval" in text90
    assert "caution" not in text                                  # 250 promoters, 75 detractors: enough


def test_nps_view_warns_where_the_normal_interval_cannot_be_trusted():
    everyone_promotes, _ = widgets.nps_interval_view(1000, 1.0, 0.2)
    assert "interval 100.0 to 100.0" in everyone_promotes                          # zero width ...
    assert "detractors capped at 0%" in everyone_promotes and "0 detractors" in everyone_promotes
    assert "too few for this interval to be trusted" in everyone_promotes           # ... and said to be unreliable
    few, _ = widgets.nps_interval_view(20, 0.5, 0.1)
    assert "only 20 answers" in few and "too few" in few


def test_churn_view_reports_compounding():
    text, ax = widgets.churn_compounding_view(0.05, 12)
    assert "46.0% a year, not 12 x 5.0% = 60%" in text and "20.0 months" in text


def test_explorers_respond_with_the_kit_s_numbers():
    nps = widgets.nps_interval_explorer()
    before = nps.label.value, nps.image.value
    nps.controls["n"].value = 5000
    after = rk.metrics.nps_from_shares(0.30, 0.25, 5000)
    assert nps.label.value != before[0] and nps.image.value != before[1]
    assert "5,000 responses" in nps.label.value and f"{after.ci[0]:.1f} to {after.ci[1]:.1f}" in nps.label.value
    churn = widgets.churn_compounding_explorer()
    churn.controls["monthly_rate"].value = 0.1
    assert f"{1 - 0.9 ** 12:.1%} a year" in churn.label.value


def test_explorers_carry_a_static_view_of_their_starting_state():
    explorer = widgets.formula_clv_explorer()
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle            # live, with a kernel
    static = bundle["text/html"]                                           # what shows without one
    assert "data:image/png;base64," in static and "mathjax_ignore" in static
    assert "&#36;266.7" in static and "$" not in static
    assert not bundle["text/plain"].startswith("VBox")


def test_formula_clv_view_reports_the_three_closed_forms():
    text, ax = widgets.formula_clv_view(100, 0.8, 0.1)
    assert "$266.7" in text and "$366.7" in text and "$500.0" in text
    assert [round(p.get_height(), 1) for p in ax.patches] == [266.7, 366.7, 500.0]
    assert "no one renews" not in text
    once, ax = widgets.formula_clv_view(100, 0.0, 0.1)                  # one payment, now: 0, 100 and 100
    assert [round(p.get_height(), 1) for p in ax.patches] == [0.0, 100.0, 100.0] and "no one renews" in once


def test_survival_explorer_switches_groups_and_says_when_the_median_is_not_reached():
    subs = rk.datasets.load_saas_subscriptions()
    life = rk.survival.subscription_lifetimes(subs, observation_period_end="2026-01-01")
    explorer = widgets.survival_explorer(life, groups=("everyone", "plan"))
    assert "all" in explorer.label.value and "months" in explorer.label.value
    explorer.controls["by"].value = "plan"
    assert "basic" in explorer.label.value and "enterprise not reached within" in explorer.label.value
    assert "inf" not in explorer.label.value


def test_a_wrong_option_of_a_judgement_question_gets_its_own_feedback():
    right = rk.check("06-judge-support", "C")
    assert right and "randomized test" in right.message
    wrong = rk.check("06-judge-support", "a")
    assert wrong.correct is False and "not like with like" in wrong.message and "Hint" in wrong.message
    unknown = rk.check("06-judge-support", "d")
    assert unknown.correct is False and "is not it yet" in unknown.message


def test_a_wrong_numpy_answer_is_echoed_as_a_plain_number():
    import numpy as np
    wrong = rk.check("07-formula-start", np.float64(385.3372949514093))
    assert wrong.correct is False and wrong.message.startswith("385.337 is not it yet")
    import warnings

    import pandas as pd
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # no FutureWarning from float() of a Series
        assert rk.check("07-formula-start", pd.Series([23.20 * 1.01 / 0.05])).correct


def test_a_known_wrong_turn_is_named_without_giving_the_answer():
    """Exercise 3 of the Spotify case study: the cost charged per week instead of per month, computed here with the
    rollout's value function directly, gets feedback that names the step, not only 'not it yet'."""
    from retention_kit.exercises import case_spotify_playlists as ex
    from retention_kit.programs.rollout import rollout_value
    f = ex.curves("new")
    v, _ = ex.value_at_horizon(f["control"])
    weekly = rollout_value(f["playlists"], f["control"], horizon=26, margin_per_period=0.30 * 10.99 / (365.25 / 12 / 7),
                           value_at_horizon=v, cost_per_period=0.10).value
    wrong = rk.check("spotify-net-value-new", weekly)
    assert wrong.correct is False and "10 cents a week" in wrong.message and "Hint" in wrong.message
    gross = rollout_value(f["playlists"], f["control"], horizon=26, margin_per_period=0.30 * 10.99 / (365.25 / 12 / 7),
                          value_at_horizon=v).value
    assert "before the playlists' cost" in rk.check("spotify-net-value-new", gross).message
    assert rk.check("spotify-net-value-new", gross + 1_000).message.startswith(f"{gross + 1_000:.6g} is not it yet.\n")
    from retention_kit.exercises.engine import solution
    right = solution("spotify-net-value-new")
    assert all(abs(value - right.answer) > 0.5 for value in right.mistakes.values())   # a right answer is never a mistake
    assert len({round(value) for value in right.mistakes.values()}) == len(right.mistakes)


def test_p_values_are_never_shown_as_zero():
    assert [rk.p_text(p) for p in (0.0, 0.00049, 0.0012, 0.0496, 1.0)] == ["< 0.001", "< 0.001", "0.001", "0.050",
                                                                          "1.000"]
    for bad in (-0.1, 1.5, float("nan"), "small"):
        with pytest.raises(rk.InputError, match="p_value"):
            rk.p_text(bad)
