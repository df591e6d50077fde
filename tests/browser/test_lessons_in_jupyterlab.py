"""Every lesson and case study, student and instructor copy, opened and run in JupyterLab in headless Chromium.

What a student sees is checked, not only what the kernel computed: the notebook opens unmodified; after
Run All no cell shows an error; no output is typeset as math and every dollar amount of the prose keeps
its dollar sign; the student copy's checks say "not answered yet"; each explorer's main control, moved,
shows the text the kit computes for the new setting, and the time from the move to the new figure is
recorded in ``build/screenshots/latency.json``; a student copy saved with a live explorer reopens without
"model not found"; nothing is fetched from outside the machine. One screenshot per notebook and copy goes
to ``build/screenshots/``.
"""
from __future__ import annotations

import functools
import re
import time

import nbformat
import pytest

import retention_kit as rk
from retention_kit import widgets

from .conftest import CASE_STUDIES, LATENCY, LESSONS, ROOT
from .jupyterlab_page import cells_text, is_dirty, open_notebook, readout_value, run_all, same_text, save

MONEY = re.compile(r"\\\$([0-9](?:[0-9,]*[0-9])?(?:\.[0-9]+)?)")
NOTEBOOKS = [("notebooks", n) for n in LESSONS] + [("case_studies", n) for n in CASE_STUDIES]


@functools.cache
def _lifetimes():
    subs = rk.datasets.load_saas_subscriptions()
    subs["support"] = ["unresolved ticket" if t > 0 else "all resolved" for t in subs["unresolved_tickets_90d"]]
    return rk.survival.subscription_lifetimes(subs, observation_period_end="2026-01-01", time_unit="month")


@functools.cache
def _sources():
    return rk.datasets.make_customer_sources(random_state=8).data


def _fixes_view(*args):
    from retention_kit.warehouse.explorer import fixes_view
    return fixes_view(*args)


@functools.cache
def _hotel():
    from retention_kit import segments
    stays, truth = rk.datasets.make_hotel_stays(random_state=9)
    test, planted = rk.datasets.make_offer_test(stays, truth, random_state=9)
    return segments.behaviour_features(stays), test, truth, planted


def _segments_view(k):
    from retention_kit import segments
    features, test, truth, planted = _hotel()
    return segments.segments_view(features, list(features.columns), k, test, truth_segments=truth["segment"],
                                  margin=planted["margin"], cost=planted["cost"])


def _campaign_view(threshold, incentive):
    from retention_kit import churn
    from retention_kit.exercises.lesson10 import campaign_inputs       # the lesson's reachable subscribers
    p, clv = campaign_inputs()
    return churn.campaign_view(p, clv, threshold, incentive, contact_cost=0.25, acceptance_rate=0.3)


@functools.cache
def _feedback():
    items, truth = rk.datasets.make_feedback_items(random_state=11)
    return items, truth["item_themes"].reindex(items["item_id"]).set_axis(items.index)


def _themes_view(k):
    from retention_kit import feedback
    items, known = _feedback()
    return feedback.themes_view(feedback.find_themes(items["text"], k, random_state=0), known)


def _telco_campaign_view(threshold, incentive):
    from retention_kit import churn
    from retention_kit.exercises.lesson13 import ACCEPTANCE, CONTACT_COST, campaign_inputs   # the held-out customers
    p, clv = campaign_inputs()
    return churn.campaign_view(p, clv, threshold, incentive, contact_cost=CONTACT_COST, acceptance_rate=ACCEPTANCE)


def _lead_time_view(threshold):
    from retention_kit.churn.lead_explorer import lead_time_view
    from retention_kit.exercises.lesson14 import lead_time_inputs   # the lesson's weekly scores
    scores, subscribers, end = lead_time_inputs()
    return lead_time_view(scores, subscribers, threshold, observation_period_end=end)


def _rewards_policy_view(budget_arm):
    from retention_kit.exercises.case_starbucks_rewards import case, policies   # the held-out half, the learned policy
    from retention_kit.programs.rewards import offer_policy_view
    policy, single = policies()
    return offer_policy_view(case()[4], {**policy, "budget": budget_arm}, best_single=single, choose_on=case()[3])


def _rollout_view(listeners, horizon):
    from retention_kit.exercises.case_spotify_playlists import rollout_data   # the case study's lifetimes
    from retention_kit.programs.rollout import rollout_view
    return rollout_view(rollout_data()[0], listeners, horizon)


# the main control of each explorer: how to move it, and the text the kit computes from the readouts after
EXPLORERS = {
    "01_net_promoter_score.ipynb": dict(slider=1, moves=3,
                                        expected=lambda r: widgets.nps_interval_view(r[0], r[1], r[2])[0]),
    "03_churn_and_retention.ipynb": dict(slider=0, moves=3,
                                         expected=lambda r: widgets.churn_compounding_view(r[0], int(r[1]))[0]),
    "04_cohorts_and_survival.ipynb": dict(select="plan",
                                          expected=lambda r: widgets.survival_view(_lifetimes(), "plan", True)[0]),
    "07_customer_lifetime_value.ipynb": dict(slider=1, moves=3,
                                             expected=lambda r: widgets.formula_clv_view(r[0], r[1], r[2])[0]),
    "08_centralize_your_data.ipynb": dict(checkbox=2, moves=3, expected=lambda r: _fixes_view(_sources(), *r)[0]),
    "09_segmentation_and_personalization.ipynb": dict(slider=0, moves=2, expected=lambda r: _segments_view(int(r[0]))[0]),
    "10_predictive_churn.ipynb": dict(slider=0, moves=3, expected=lambda r: _campaign_view(r[0], r[1])[0]),
    "11_customer_feedback_loops.ipynb": dict(slider=0, moves=3, expected=lambda r: _themes_view(int(r[0]))[0]),
    "12_data_driven_actions.ipynb": dict(slider=0, moves=3, expected=lambda r: rk.experiments.experiment_view(
        int(r[0]), r[1], r[2])[0]),
    "13_real_data_telco.ipynb": dict(slider=0, moves=3, expected=lambda r: _telco_campaign_view(r[0], r[1])[0]),
    "14_data_driven_customer_success.ipynb": dict(slider=0, moves=3, expected=lambda r: _lead_time_view(r[0])[0]),
    "starbucks_rewards.ipynb": dict(select="bogo_5", expected=lambda r: _rewards_policy_view("bogo_5")[0]),
    "spotify_playlists.ipynb": dict(slider=0, moves=3, expected=lambda r: _rollout_view("new listeners", int(r[0]))[0]),
    "amazon_prime.ipynb": dict(slider=1, moves=3,
                               expected=lambda r: rk.programs.membership.selection_view(r[0], r[1])[0]),
}


@pytest.fixture(autouse=True)
def _kernels_shut_after_each_notebook(lab):
    yield
    lab.shutdown_kernels()                # a kernel per notebook would otherwise stay up for the whole run


def _expected_money(folder: str, name: str) -> set[str]:
    """Dollar amounts written as \\$ in the prose: markdown cells and the Markdown the code displays."""
    nb = nbformat.read(ROOT / folder / name, as_version=4)
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += ["".join(o.get("data", {}).get("text/markdown", "")) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs]
    return {m for t in texts for m in MONEY.findall(t)}


def _move_explorer(page, spec) -> tuple[str, list[float], list[float]]:
    """Move the main control; return the label shown at the end, the readouts and the seconds per move."""
    box = page.locator(".jp-OutputArea .widget-vbox").first
    box.scroll_into_view_if_needed()
    label, image = box.locator(".widget-html").first, box.locator("img").first
    page.wait_for_function("el => el.getAttribute('src')", arg=image.element_handle())
    seconds = []
    for _ in range(spec.get("moves", 1)):
        before = image.get_attribute("src")
        if "select" in spec:
            start = time.monotonic()
            box.locator("select").first.select_option(spec["select"])
        elif "checkbox" in spec:
            start = time.monotonic()
            box.locator("input[type=checkbox]").nth(spec["checkbox"]).click()
        else:
            box.locator(".widget-slider").nth(spec["slider"]).locator(".noUi-handle").focus()
            start = time.monotonic()
            page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), before],
                               polling="raf", timeout=30_000)
        seconds.append(time.monotonic() - start)
    if "checkbox" in spec:                # a checkbox's readout is whether it is ticked
        readouts = [c.is_checked() for c in box.locator("input[type=checkbox]").all()]
    else:
        readouts = [readout_value(t) for t in box.locator(".widget-readout").all_text_contents()]
    return label.text_content(), readouts, seconds


@pytest.mark.parametrize("copy", ["student", "instructor"])
@pytest.mark.parametrize("folder,name", NOTEBOOKS, ids=[n for _, n in NOTEBOOKS])
def test_a_student_sees_a_working_lesson(page, lab, screenshots, copy, folder, name):
    outside = open_notebook(page, lab, f"{copy}/{folder}/{name}")
    time.sleep(2)                                              # what JupyterLab changes on opening, it has changed
    assert not is_dirty(page), "the notebook is marked modified just by opening it"

    run_all(page)
    outputs = cells_text(page, ".jp-OutputArea-output")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"error output: {errors.first.text_content()[:500]}"
    assert not [t for t in outputs if "Traceback" in t or "Error displaying widget" in t]
    assert page.locator(".jp-OutputArea mjx-container").count() == 0, "an output was typeset as math"
    shown = " ".join(cells_text(page, ".jp-MarkdownCell .jp-RenderedMarkdown") + outputs)
    lost = sorted(a for a in _expected_money(folder, name) if f"${a}" not in shown)
    assert not lost, f"dollar amounts typeset as math (their $ gone): {lost[:5]}"
    if copy == "student":
        nb = nbformat.read(lab.root / copy / folder / name, as_version=4)
        unanswered = sum("rk.check(" in c.source and "None" in c.source for c in nb.cells if c.cell_type == "code")
        assert sum(t.count("not answered yet") for t in outputs) == unanswered

    spec = EXPLORERS.get(name)
    if spec:
        text, readouts, seconds = _move_explorer(page, spec)
        expected = spec["expected"](readouts)
        assert same_text(text, expected), f"explorer shows {text!r}, the kit computes {expected!r}"
        LATENCY[f"{copy}/{name}"] = seconds
    else:                             # no explorer: show the last check (the student's, unanswered) or the end
        checks = page.locator(".jp-OutputArea-output", has_text="not answered yet" if copy == "student" else "✔")
        target = checks.last if checks.count() else page.locator(".jp-Cell").last
        for _ in range(3):                # cells above lay out as they come into view: scroll until it stays
            target.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / f"{copy}-{name.removesuffix('.ipynb')}.png"))

    if spec and copy == "student":               # saved with a live explorer, reopened after the kernel has gone
        save(page)
        lab.shutdown_kernels()
        page.reload()
        page.wait_for_selector("#jp-main-statusbar >> text=Idle")
        page.wait_for_function("() => document.querySelector('.jp-OutputArea .widget-vbox') || [...document."
                               "querySelectorAll('.jp-OutputArea-output')].some(e => e.textContent.includes("
                               "'Error displaying widget'))", timeout=30_000)
        assert "Error displaying widget" not in " ".join(cells_text(page, ".jp-OutputArea-output")), \
            "a saved explorer reopens as 'model not found': is saveState on in tools/jupyterlab_overrides.json?"
        assert same_text(page.locator(".jp-OutputArea .widget-vbox .widget-html").first.text_content(), text)
    assert not outside, f"requests left the machine: {outside[:3]}"

