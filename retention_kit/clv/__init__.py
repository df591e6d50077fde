"""Customer lifetime value: closed-form formulas, history, and the models of repeat purchasing and retention.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.

* :func:`formula_clv`: the closed forms of a constant-retention customer;
* :func:`historical_clv`: the margin each customer has earned so far;
* :class:`BetaGeo`: the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by
  maximum likelihood with analytic gradients;
* :class:`ParetoNBD` (Schmittlein, Morrison & Colombo 1987) and :class:`ModifiedBetaGeo` (MBG/NBD,
  Batislam, Denizel & Filiztekin 2007): the same summary and predictions as BetaGeo, under other stories of
  how customers lapse;
* :class:`GammaGamma`: the Gamma-Gamma model of spend per purchase, also with analytic gradients;
* :class:`ShiftedBetaGeometric`: contractual retention (Fader & Hardie 2007): survival, retention by
  tenure, cohort projections with intervals, and DERL;
* :class:`BetaGeoBetaBinom`: the BG/BB model of transactions at discrete occasions (Fader, Hardie &
  Shang 2010); :func:`bgbb_summary` builds its input from a 0/1 table of occasions;
* :func:`customer_lifetime_value`: discounted expected margin over a horizon, from both models;
* :func:`holdout_check`: predicted against actual purchases in a holdout period;
* :func:`clv_interval`: intervals on the total and per-customer CLV from parameter draws;
* :func:`prediction_interval`: an interval on any prediction of a fitted model, from parameter draws;
* ``diagnostics``: customers by repeat purchases (:func:`period_transactions`), P(alive) over
  histories (:func:`frequency_recency_matrix`), purchases over time (:func:`transactions_over_time`)
  and a comparison of models on one calibration/holdout split (:func:`compare_models`);
* ``checks``: the model's repeat curve (:func:`model_repeat_curve`), P(X(t) = x), and the share a
  ranking captures (:func:`captured_share`).
"""
from .bgbb import BetaGeoBetaBinom, bgbb_summary
from .bgnbd import BetaGeo
from .diagnostics import compare_models, frequency_recency_matrix, period_transactions, transactions_over_time
from .checks import captured_share, model_repeat_curve, purchase_count_probabilities
from .fitting import ConvergenceError, NotFittedError
from .formulas import FORMULA_CLV_TIMING, formula_clv, historical_clv
from .gamma_gamma import GammaGamma
from .intervals import prediction_interval
from .mbgnbd import ModifiedBetaGeo
from .pareto_nbd import ParetoNBD
from .sbg import ShiftedBetaGeometric
from .value import clv_interval, customer_lifetime_value, holdout_check

__all__ = ["formula_clv", "historical_clv", "BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "customer_lifetime_value", "holdout_check",
           "clv_interval", "model_repeat_curve", "purchase_count_probabilities", "captured_share", "NotFittedError",
           "ConvergenceError", "FORMULA_CLV_TIMING", "prediction_interval", "period_transactions", "frequency_recency_matrix",
           "transactions_over_time", "compare_models", "BetaGeoBetaBinom", "bgbb_summary", "ParetoNBD",
           "ModifiedBetaGeo"]
