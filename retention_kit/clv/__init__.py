"""Customer lifetime value: closed-form formulas, history, and the BG/NBD + Gamma-Gamma models.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.

* :func:`formula_clv`: the closed forms of a constant-retention customer;
* :func:`historical_clv`: the margin each customer has earned so far;
* :class:`BetaGeo`: the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by
  maximum likelihood with analytic gradients;
* :class:`GammaGamma`: the Gamma-Gamma model of spend per purchase, also with analytic gradients;
* :class:`ShiftedBetaGeometric`: contractual retention (Fader & Hardie 2007): survival, retention by
  tenure, cohort projections with intervals, and DERL;
* :func:`customer_lifetime_value`: discounted expected margin over a horizon, from both models;
* :func:`holdout_check`: predicted against actual purchases in a holdout period;
* :func:`clv_interval`: intervals on the total and per-customer CLV from parameter draws;
* ``checks``: the model's repeat curve (:func:`model_repeat_curve`), P(X(t) = x), and the share a
  ranking captures (:func:`captured_share`).
"""
from .bgnbd import BetaGeo
from .checks import captured_share, model_repeat_curve, purchase_count_probabilities
from .fitting import ConvergenceError, NotFittedError
from .formulas import FORMULA_CLV_TIMING, formula_clv, historical_clv
from .gamma_gamma import GammaGamma
from .sbg import ShiftedBetaGeometric
from .value import clv_interval, customer_lifetime_value, holdout_check

__all__ = ["formula_clv", "historical_clv", "BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "customer_lifetime_value", "holdout_check",
           "clv_interval", "model_repeat_curve", "purchase_count_probabilities", "captured_share", "NotFittedError",
           "ConvergenceError", "FORMULA_CLV_TIMING"]
