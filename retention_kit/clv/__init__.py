"""Customer lifetime value: closed-form formulas, history, and the BG/NBD + Gamma-Gamma models.

Taught in ``notebooks/07_customer_lifetime_value.ipynb``.

* :func:`formula_clv`: the closed forms of a constant-retention customer;
* :func:`historical_clv`: the margin each customer has earned so far;
* :class:`BetaGeo`: the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by
  maximum likelihood with analytic gradients;
* :class:`GammaGamma`: the Gamma-Gamma model of spend per purchase, also with analytic gradients;
* :func:`customer_lifetime_value`: discounted expected margin over a horizon, from both models;
* :func:`holdout_check`: predicted against actual purchases in a holdout period.
"""
from .bgnbd import BetaGeo
from .fitting import ConvergenceError, NotFittedError
from .formulas import FORMULA_CLV_TIMING, formula_clv, historical_clv
from .gamma_gamma import GammaGamma
from .value import customer_lifetime_value, holdout_check

__all__ = ["formula_clv", "historical_clv", "BetaGeo", "GammaGamma", "customer_lifetime_value", "holdout_check",
           "NotFittedError", "ConvergenceError", "FORMULA_CLV_TIMING"]
