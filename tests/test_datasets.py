import numpy as np
import pandas as pd
import pytest

import retention_kit as rk
from retention_kit.datasets import shipped


@pytest.mark.parametrize("name", list(shipped.SYNTHETIC))
def test_shipped_file_matches_its_generator_byte_for_byte(name):
    assert shipped.render(name) == shipped.data_path(name).read_bytes()


def test_loaders_work_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert rk.datasets.load_coffee_transactions().shape == (26086, 3)
    assert rk.datasets.load_saas_subscriptions().shape == (4000, 7)
    assert rk.datasets.load_telecom_survey().shape == (2000, 9)
    assert rk.datasets.load_retention_costs()["amount"].ge(0).all()


def test_telco_loader_keeps_every_row_and_matches_published_facts():
    telco = rk.datasets.load_telco_churn()
    assert telco.shape == (7043, 21) and telco["customerID"].is_unique
    blank = telco["TotalCharges"].isna()
    assert blank.sum() == 11 and (telco.loc[blank, "tenure"] == 0).all()
    assert telco["Churn"].sum() == 1869          # 26.5% churn, as published with the data set
    assert telco["Churn"].dtype == bool


def test_write_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "telecom_survey.csv"
    target.write_text("keep me")
    assert shipped.main(["--write", str(tmp_path)]) == 1
    assert target.read_text() == "keep me"
    assert "refusing to overwrite" in capsys.readouterr().err


def test_make_transactions_recovers_planted_process():
    tx, truth = rk.datasets.make_transactions(20000, random_state=7)
    customers = truth["customers"]
    # every customer's first purchase is their join date, and nobody buys after the end
    first = tx.groupby("customer_id")["date"].min()
    assert (first.dt.floor("D") == customers.set_index("customer_id")["join_date"].dt.floor("D")).all()
    assert tx["date"].max() < truth["end"]
    # population means of the latent traits match the mixing distributions
    assert customers["purchase_rate"].mean() == pytest.approx(truth["r"] / truth["alpha"], rel=0.03)
    assert customers["dropout_probability"].mean() == pytest.approx(truth["a"] / (truth["a"] + truth["b"]), rel=0.03)
    # mean spend per purchase given nu: p / nu; across customers E[p/nu] = p v / (q - 1)
    assert customers["mean_spend"].mean() == pytest.approx(truth["p"] * truth["v"] / (truth["q"] - 1), rel=0.05)
    # share still alive at the end: P(alive | T) = E[(1 - p)^N(T)] = E_p[(alpha / (alpha + T p))^r]
    # (Poisson generating function, then the Gamma mixing), averaged with fresh draws of p
    T = (truth["end"] - customers["join_date"]).dt.total_seconds().to_numpy() / 86400
    p = np.random.default_rng(99).beta(truth["a"], truth["b"], len(T))
    expected_alive = np.mean((truth["alpha"] / (truth["alpha"] + T * p)) ** truth["r"])
    assert customers["alive_at_end"].mean() == pytest.approx(expected_alive, abs=0.015)


def test_make_transactions_expected_repeat_count_matches_bgnbd_formula():
    # With everyone observed for T days, E[X(T)] = (a + b - 1)/(a - 1) * (1 - (alpha/(alpha+T))^r
    # * 2F1(r, b; a + b - 1; T/(alpha+T))) (Fader, Hardie & Lee 2005, eq. 7); use a > 1 so it is finite.
    from scipy.special import hyp2f1
    r, alpha, a, b = 0.9, 10.0, 2.5, 4.0
    tx, truth = rk.datasets.make_transactions(40000, start="2024-01-01", end="2025-01-01", r=r, alpha=alpha, a=a,
                                              b=b, random_state=3)
    customers = truth["customers"]
    T = (truth["end"] - customers["join_date"]).dt.total_seconds().to_numpy() / 86400
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + T)) ** r * hyp2f1(r, b, a + b - 1, T / (alpha + T)))
    repeats = tx.groupby("customer_id").size().reindex(customers["customer_id"]).to_numpy() - 1
    assert repeats.mean() == pytest.approx(expected.mean(), rel=0.03)


def test_make_survey_planted_nps_and_csat():
    survey, truth = rk.datasets.make_survey(60000, missing_share=0.0, random_state=2)
    for wave in (1, 2):
        r = rk.nps(survey.loc[survey["wave"] == wave, "nps_score"])
        assert abs(r.value - truth["nps"][wave]) < 3 * r.se
    w1 = survey[survey["wave"] == 1]
    table = rk.csat_by(w1, "touchpoint")
    for tp, row in table.iterrows():
        assert row["ci_low"] - 0.5 < truth["csat_top2"][(1, tp)] < row["ci_high"] + 0.5
    renewal = survey.groupby("csat")["renewed"].mean()
    for rating, p in truth["renewal_probability"].items():
        assert renewal[rating] == pytest.approx(p, abs=0.03)


def test_simulators_are_reproducible_and_validate():
    a = rk.datasets.make_survey(100, random_state=1).data
    b = rk.datasets.make_survey(100, random_state=np.random.default_rng(1)).data
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(rk.InputError, match="n_customers"):
        rk.datasets.make_transactions(0)
    with pytest.raises(rk.InputError, match="alpha"):
        rk.datasets.make_transactions(10, alpha=-1)
    with pytest.raises(rk.InputError, match="waves"):
        rk.datasets.make_survey(10, waves=(3,))


def test_promotion_members_join_in_their_window_and_lapse_sooner():
    promo = dict(start="2024-11-01", end="2024-12-01", n_customers=3000, r=0.3, alpha=20.0, a=1.2, b=2.0)
    tx, truth = rk.datasets.make_transactions(3000, promotion=promo, random_state=8)
    customers = truth["customers"]
    joined = customers.groupby("segment")["join_date"].agg(["min", "max", "size"])
    assert joined.loc["promotion", "size"] == 3000 and joined.loc["regular", "size"] == 3000
    assert joined.loc["promotion", "min"] >= pd.Timestamp("2024-11-01")
    assert joined.loc["promotion", "max"] < pd.Timestamp("2024-12-01")
    means = customers.groupby("segment")["dropout_probability"].mean()
    assert means["promotion"] == pytest.approx(1.2 / 3.2, abs=0.02) and means["regular"] == pytest.approx(0.6 / 5.1, abs=0.02)
    with pytest.raises(rk.InputError, match="inside"):
        rk.datasets.make_transactions(10, promotion={**promo, "end": "2027-01-01"})
    with pytest.raises(rk.InputError, match="missing"):
        rk.datasets.make_transactions(10, promotion={"start": "2024-11-01"})


def test_survey_renewal_probability_matches_a_large_simulation():
    data, truth = rk.datasets.make_survey(100_000, random_state=9)
    for (wave, touchpoint), group in data.groupby(["wave", "touchpoint"]):
        expected = rk.datasets.survey_renewal_probability(wave, truth["touchpoint_effect"][touchpoint])
        se = (expected * (1 - expected) / len(group)) ** 0.5
        assert abs(group["renewed"].mean() - expected) < 4 * se, (wave, touchpoint)
    with pytest.raises(rk.InputError, match="wave=3"):
        rk.datasets.survey_renewal_probability(3, 0.0)


def test_make_occasions_follows_the_bgbb_story():
    data, truth = rk.datasets.make_occasions(50_000, random_state=3)
    a, b, g, d = (truth[k] for k in ("alpha", "beta", "gamma", "delta"))
    # P(buy at occasion k) = E[(1 - theta)^k] E[p], the moments of the two Beta distributions
    for k, year in ((1, 2020), (2, 2021), (6, 2025)):
        survive = np.prod([(d + j) / (g + d + j) for j in range(k)])
        expected = survive * a / (a + b)
        observed = data[year].mean()
        assert abs(observed - expected) < 3 * np.sqrt(expected * (1 - expected) / len(data))
    assert truth["customers"]["active_after"].mean() == pytest.approx(np.prod([(d + j) / (g + d + j) for j in range(7)]),
                                                                       abs=0.01)


def test_the_bgbb_fit_recovers_the_occasions_simulator_s_parameters():
    data, truth = rk.datasets.make_occasions(20_000, random_state=5)
    model = rk.clv.BetaGeoBetaBinom().fit(rk.clv.bgbb_summary(data))
    planted = np.array([truth[k] for k in ("alpha", "beta", "gamma", "delta")])
    assert np.all(np.abs(model.params_.to_numpy() - planted) < 3 * model.standard_errors_.to_numpy())
