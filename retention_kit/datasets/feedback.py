"""Tallyworks' feedback portal: issue reports and suggestions with free text, and what answering them does.

A simulator with planted truth, in the pattern of :mod:`retention_kit.datasets.streaming`: the lesson on
customer feedback loops finds themes in the texts, measures which themes pull NPS down, how fast the team
answers, whether closing the loop keeps customers, and whether a fix reduced its theme's items, and checks
each answer against what the simulator planted. numpy and pandas only.
"""
from __future__ import annotations

import copy
from statistics import NormalDist

import numpy as np
import pandas as pd

from ..validation import Integer, RandomState, validate
from .simulate import Simulated
from .sources import PLAN_PRICES

__all__ = ["make_feedback_items", "FEEDBACK_THEMES", "FEEDBACK_PLANS", "FEEDBACK_FIXES"]

FEEDBACK_THEMES = {  # theme: (share of items by plan starter/team/business, P(issue), NPS effect in points)
    "billing": ((0.22, 0.16, 0.12), 0.95, -1.5),
    "sync": ((0.20, 0.22, 0.20), 0.92, -2.0),
    "performance": ((0.14, 0.18, 0.20), 0.85, -1.0),
    "login": ((0.20, 0.12, 0.08), 0.90, 0.0),
    "integrations": ((0.10, 0.16, 0.22), 0.10, 0.0),
    "reports": ((0.14, 0.16, 0.18), 0.30, 0.0),
}
THEMES = tuple(FEEDBACK_THEMES)

FEEDBACK_PLANS = {  # plan: (share of customers, items a year, NPS base, P(loop closed), renewal base, hours to reply)
    "starter": (0.50, 0.9, 7.2, 0.25, 0.70, 16.0),
    "team": (0.35, 1.6, 7.5, 0.50, 0.78, 8.0),
    "business": (0.15, 2.8, 7.8, 0.70, 0.82, 3.0),     # 0.82 + 0.1 + 0.06 = 0.98: every probability below 1
}
PLANS = tuple(FEEDBACK_PLANS)

FEEDBACK_FIXES = {  # theme: (the day its fix shipped, the share of its items that no longer come after it)
    "login": ("2025-03-03", 0.0),       # announced as a fix; it changed nothing
    "sync": ("2025-05-05", 0.45),
    "billing": ("2025-09-01", 0.50),
}

FEEDBACK_MODEL = {
    "trend_year": 0.55,                 # every theme's item rate falls to 55% over the year (the portal's novelty)
    "nps_tenure": 0.1,                  # NPS points per year of tenure, up to 5 years
    "nps_noise": 1.8,
    "csat_intercept": 1.2, "csat_slope": 0.38, "csat_noise": 0.7,   # CSAT latent = 1.2 + 0.38 NPS latent + noise
    "survey_response": 0.6,
    "close_tenure": 0.05,               # P(loop closed) per year of tenure, up to 5 years, minus 0.1
    "renew_tenure": 0.025,              # renewal probability per year of tenure, up to 4 years
    "loop_effect": 0.06,                # renewal probability, for a customer told what happened to an item
    "resolution_days": {"billing": 2.0, "sync": 6.0, "performance": 10.0, "login": 1.0, "integrations": 20.0,
                        "reports": 8.0},   # median days from first response to resolution, for an issue
    "suggestion_factor": 3.0,           # suggestions take this many times longer, to a reply and to a decision
    "time_sigma": 1.1,                  # log-normal spread of both times (long tails)
}

_MONTHS = ("January", "March", "June", "September", "November")
_TOOLS = ("Salesforce", "HubSpot", "Slack", "Jira", "QuickBooks", "Xero", "Zapier", "Teams")
_FORMATS = ("Excel", "CSV", "PDF", "Google Sheets")
_ISSUES = {
    "billing": ("We were charged twice on the {month} invoice", "The invoice shows the wrong VAT amount",
                "Our card was charged for seats we removed", "The refund for a double charge has not arrived",
                "Billing shows an overdue invoice we already paid", "The invoice total does not match our seats",
                "The payment failed but the card was still charged"),
    "sync": ("Sync fails and the app crashes", "The desktop app crashes during sync", "Changes made offline are lost "
             "after sync", "The app crashes when a shared board syncs", "Sync is stuck at 90 percent",
             "The mobile app crashes on start and will not sync", "Files do not sync between web and desktop"),
    "performance": ("The dashboard is slow and takes a minute to load", "Search is very slow with large projects",
                    "Pages load slowly in the afternoon", "Everything is slow since the update", "Timeouts and slow "
                    "loading of the project list", "The board is slow to load with many cards", "Saving a task is "
                    "slow, ten seconds each time"),
    "login": ("Cannot log in after resetting my password", "Single sign-on sends us back to the login page",
              "The two-factor code never arrives so we cannot log in", "Locked out of login after a password reset",
              "New users cannot log in from the invitation", "The session expires and logs us out every few minutes"),
    "integrations": ("The {tool} integration stopped working", "The {tool} integration drops half the records"),
    "reports": ("Export of the report to {fmt} cuts off long rows", "The monthly report shows last month's numbers",
                "Report totals are wrong when filtered", "The report export to {fmt} fails"),
}
_SUGGESTIONS = {
    "billing": ("Please let us pay the invoice by bank transfer", "Could you send each invoice to a second billing "
                "contact", "Please show the next charge on the billing page"),
    "sync": ("Please add a button to retry a failed sync", "Would be great to see which files failed to sync"),
    "performance": ("Please make the dashboard load faster, it is slow for big teams", "Could search be less slow "
                    "on old projects"),
    "login": ("Please support single sign-on with Google for login", "Let admins reset a password when users "
              "cannot log in"),
    "integrations": ("Please add an integration with {tool}", "We need a {tool} integration", "Would love a native "
                     "{tool} integration", "Could you support webhooks for a {tool} integration", "The {tool} "
                     "integration should copy custom fields", "Connect tasks to {tool} with an integration please"),
    "reports": ("Please add a report export to {fmt}", "Let us schedule the weekly report by email", "We need "
                "custom columns in the report", "Would be great to filter reports by team", "Add charts to the "
                "monthly summary report", "Export the time report to {fmt}"),
}
_ASIDES = {"billing": "and the invoice was wrong too", "sync": "and the app crashed again",
           "performance": "and it is slow as well", "login": "after I finally managed to log in",
           "integrations": "we would also like a {tool} integration", "reports": "the report export is broken too"}
_OPENERS = ("", "", "", "Hi team,", "Hello,", "Urgent:", "Quick question:", "Again:", "FYI:", "Hi,")
_CLOSERS = ("", "", "", "Thanks.", "Please help.", "This blocks our team.", "Any update?", "Thank you!",
            "ASAP please.", "Same for my colleagues.", "Our manager asked me to raise it.", "Happens every day.",
            "Since last week.", "For the whole team.")


def _text(rng, theme: str, issue: bool) -> str:
    pool = (_ISSUES if issue else _SUGGESTIONS)[theme]
    body = pool[rng.integers(len(pool))]
    if rng.random() < 0.15:          # a second theme mentioned in passing: what makes theme finding not trivial
        other = THEMES[rng.integers(len(THEMES))]
        if other != theme:
            body += ", " + _ASIDES[other]
    opener = _OPENERS[rng.integers(len(_OPENERS))]
    if opener.endswith(","):
        body = body[0].lower() + body[1:]
    words = [opener, body + ".", _CLOSERS[rng.integers(len(_CLOSERS))]]
    text = " ".join(w for w in words if w).replace("..", ".")
    return text.format(month=_MONTHS[rng.integers(len(_MONTHS))], tool=_TOOLS[rng.integers(len(_TOOLS))],
                       fmt=_FORMATS[rng.integers(len(_FORMATS))])


def _expected_rounded(mean, sd, low, high):
    """E[clip(round(Y), low, high)] for Y ~ N(mean, sd): low + sum over k = low+1..high of P(Y >= k - 0.5)."""
    cdf = np.vectorize(NormalDist().cdf)
    thresholds = np.arange(low + 1, high + 1) - 0.5
    return low + cdf((np.asarray(mean, float)[:, None] - thresholds) / sd).sum(axis=1)


def _observed_effects(latent_mean, raised, effects, m):
    """Each theme's effect on the observed answers (rounded and clipped), for the customers who raised it.

    For customer i who raised theme t, the expected answer with the theme's latent effect minus the expected
    answer without it, the noise integrated out exactly; averaged over those customers. NPS: 0-10 from
    N(mean, nps_noise); CSAT: 1-5 from N(c0 + c1 mean, sqrt((c1 nps_noise)^2 + csat_noise^2)).
    """
    csat_sd = float(np.hypot(m["csat_slope"] * m["nps_noise"], m["csat_noise"]))
    nps, csat = {}, {}
    for k, theme in enumerate(THEMES):
        who = raised[:, k]
        with_it, without = latent_mean[who], latent_mean[who] - effects[k]
        nps[theme] = float(np.mean(_expected_rounded(with_it, m["nps_noise"], 0, 10)
                                   - _expected_rounded(without, m["nps_noise"], 0, 10)))
        csat[theme] = float(np.mean(
            _expected_rounded(m["csat_intercept"] + m["csat_slope"] * with_it, csat_sd, 1, 5)
            - _expected_rounded(m["csat_intercept"] + m["csat_slope"] * without, csat_sd, 1, 5)))
    return nps, csat


def _times(rng, n, trend, days):
    """n instants in [0, days) days from an intensity proportional to trend ** (t / 365.25) (inverse CDF)."""
    u = rng.random(n)
    k = np.log(trend) / 365.25
    return np.log(1 + u * (np.exp(k * days) - 1)) / k


@validate(n_customers=Integer(low=50, hint="It is a number of customers."), random_state=RandomState())
def make_feedback_items(n_customers: int = 4000, *, random_state=None) -> Simulated:
    """Issue reports and suggestions from Tallyworks' customers in 2025, with NPS, CSAT and renewals, and planted truth.

    Tallyworks (the course's software-as-a-service company of lesson 08: plans starter, team and
    business at $29, $79 and $199 a month) runs a feedback portal. Generative process:

    * customer i is on a plan of ``FEEDBACK_PLANS`` (starter 50%, team 35%, business 15%), joined
      T_i ~ Exponential(mean 2.2 years, at most 8) before 2025-01-01 (``tenure_years``);
    * they send items at a rate of rate_plan x G_i a year at the start of 2025 (0.9, 1.6 and 2.8
      by plan; G_i ~ Gamma(2, 0.5)) that falls to 55% of it by the end of the year for *every*
      theme (the portal's novelty wears off: ``trend_year``); each item has a theme (shares by
      plan in ``FEEDBACK_THEMES``), is an issue or a suggestion (P(issue) by theme) and a text
      written from the theme's sentences with shared openers, closers and, one time in eight
      (0.15 x 5/6: the other theme drawn is the item's own one time in six), a clause about
      another theme;
    * **fixes** (``FEEDBACK_FIXES``): from 2025-05-05 a share 0.45 of the sync items and from
      2025-09-01 a share 0.50 of the billing items no longer come (thinned at random); the login
      fix of 2025-03-03 changed nothing;
    * first response after LogNormal(log(hours_plan), 1.1) hours (16, 8, 3 by plan; three times
      that for a suggestion); resolution LogNormal(log(days_theme), 1.1) days after it (x 3 for a
      suggestion); a time at or after 2026-01-01 is not observed (NaT: still open);
    * **closing the loop** (the customer is told what happened) for a resolved item with probability
      p_plan + 0.05 min(T, 5) - 0.1 (0.25, 0.50, 0.70 by plan): long-tenure, larger customers are
      answered more often;
    * the NPS answer is round(b_plan + 0.1 min(T, 5) + sum of the NPS effects of the themes raised
      + N(0, 1.8)) clipped to 0-10 (b = 7.2, 7.5, 7.8; effects billing -1.5, sync -2.0,
      performance -1.0 points, the other themes 0: a theme counts once per customer); CSAT (1-5) is
      round(1.2 + 0.38 x the NPS latent + N(0, 0.7)) clipped, so a theme's CSAT effect on the latent
      scale is 0.38 times its NPS effect; 60% of customers answer the survey, at random (both
      missing otherwise);
    * those effects are on the **latent** scale. On the answers (rounded, clipped) they are smaller,
      because a customer at the top of the scale cannot score higher: ``nps_effects_observed`` and
      ``csat_effects_observed`` give, for the customers who raised each theme, the mean of
      E[answer with the theme's effect] - E[answer without it] (the noise integrated out, the
      customers and their other themes unchanged). Compare estimates on the answers with these;
    * renewal in 2026 with probability r_plan + 0.025 min(T, 4) + 0.06 x (any item's loop closed),
      r = 0.70, 0.78, 0.82 (at most 0.98, so no probability is cut at 1): closing the loop adds
      **6 points** for every customer, and the customers whose loops are closed renew more anyway
      (plan and tenure confound the naive comparison).

    Parameters
    ----------
    n_customers : int, default 4000
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    Simulated(items, truth). ``items``: one row per item, sorted by ``created_at``: ``item_id``
    (str), ``customer_id`` (str, "TW-000123"), ``created_at`` (Timestamp, in 2025), ``kind``
    ("issue" or "suggestion"), ``text``, ``first_response_at`` and ``resolved_at`` (Timestamps,
    NaT while not yet), ``loop_closed`` (bool: the customer was told what happened). ``truth``:
    ``customers`` (what the CRM and the survey tool know: ``customer_id``, ``plan``,
    ``signup_date``, ``tenure_years`` at 2025-01-01, ``nps`` (0-10, Int64, missing without an
    answer), ``csat`` (1-5, Int64), ``renewed`` (bool)); ``item_themes`` (the planted theme of each
    item, a Series indexed by ``item_id``); ``themes``; ``nps_effects`` and ``csat_effects`` (points
    by theme, latent scale); ``nps_effects_observed`` and ``csat_effects_observed`` (on the answers'
    scale, as above); ``loop_effect`` (0.06); ``fixes`` (theme: (Timestamp, share dropped)); ``trend_year``;
    ``plans``, ``model`` (every other parameter), ``renewal_probability`` (per customer) and
    ``observed_until`` (2026-01-01, exclusive).

    Raises
    ------
    InputError
        For fewer than 50 customers or a bad ``random_state``.

    Examples
    --------
    >>> items, truth = make_feedback_items(300, random_state=1)
    >>> list(items.columns)
    ['item_id', 'customer_id', 'created_at', 'kind', 'text', 'first_response_at', 'resolved_at', 'loop_closed']
    >>> truth["nps_effects"]["sync"], truth["loop_effect"], sorted(truth["fixes"])
    (-2.0, 0.06, ['billing', 'login', 'sync'])
    >>> -2.0 < truth["nps_effects_observed"]["sync"] < -1.8, float(truth["renewal_probability"].max()) <= 0.98
    (True, True)
    """
    rng = np.random.default_rng(random_state)
    m, n = FEEDBACK_MODEL, n_customers
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01")
    days = (end - start).days
    p_cfg = np.array([FEEDBACK_PLANS[p] for p in PLANS])
    plan = rng.choice(len(PLANS), size=n, p=p_cfg[:, 0])
    tenure = np.round(np.minimum(rng.exponential(2.2, n), 8.0) + 0.02, 2)
    signup = start - pd.to_timedelta(np.round(tenure * 365.25), unit="D")
    # items: counts, instants under the common trend, themes, then the fixes thin their theme
    counts = rng.poisson(p_cfg[plan, 1] * rng.gamma(2.0, 0.5, n) * (m["trend_year"] - 1) / np.log(m["trend_year"]))
    who = np.repeat(np.arange(n), counts)
    t = _times(rng, len(who), m["trend_year"], days)
    shares = np.array([FEEDBACK_THEMES[th][0] for th in THEMES]).T           # plan x theme
    cum = np.cumsum(shares[plan[who]], axis=1)
    theme = (rng.random(len(who))[:, None] > cum).sum(axis=1).clip(max=len(THEMES) - 1)
    keep = np.ones(len(who), bool)
    for name, (day, drop) in FEEDBACK_FIXES.items():
        after = (theme == THEMES.index(name)) & (t >= (pd.Timestamp(day) - start).days)
        keep &= ~(after & (rng.random(len(who)) < drop))
    who, t, theme = who[keep], t[keep], theme[keep]
    issue = rng.random(len(who)) < np.array([FEEDBACK_THEMES[th][1] for th in THEMES])[theme]
    texts = np.array([_text(rng, THEMES[k], bool(i)) for k, i in zip(theme, issue)], dtype=object)
    slow = np.where(issue, 1.0, m["suggestion_factor"])
    reply_h = np.exp(np.log(p_cfg[plan[who], 5] * slow) + m["time_sigma"] * rng.standard_normal(len(who)))
    median_days = np.array([m["resolution_days"][th] for th in THEMES])[theme] * slow
    resolve_d = np.exp(np.log(median_days) + m["time_sigma"] * rng.standard_normal(len(who)))
    created = start + pd.to_timedelta(np.round(t * 86400), unit="s")
    first = created + pd.to_timedelta(np.round(reply_h * 3600), unit="s")
    resolved = first + pd.to_timedelta(np.round(resolve_d * 86400), unit="s")
    first, resolved = pd.Series(first).where(first < end), pd.Series(resolved).where(resolved < end)
    p_close = np.clip(p_cfg[plan[who], 3] + m["close_tenure"] * np.minimum(tenure[who], 5) - 0.1, 0, 1)
    closed = resolved.notna().to_numpy() & (rng.random(len(who)) < p_close)
    # customers: NPS and CSAT from the themes they raised, renewal from plan, tenure and a closed loop
    raised = np.zeros((n, len(THEMES)), bool)
    raised[who, theme] = True
    effects = np.array([FEEDBACK_THEMES[th][2] for th in THEMES])
    latent_mean = p_cfg[plan, 2] + m["nps_tenure"] * np.minimum(tenure, 5) + raised @ effects
    latent = latent_mean + m["nps_noise"] * rng.standard_normal(n)
    csat_latent = m["csat_intercept"] + m["csat_slope"] * latent + m["csat_noise"] * rng.standard_normal(n)
    answered = rng.random(n) < m["survey_response"]
    nps = pd.array(np.where(answered, np.clip(np.round(latent), 0, 10), np.nan), dtype="Int64")
    csat = pd.array(np.where(answered, np.clip(np.round(csat_latent), 1, 5), np.nan), dtype="Int64")
    any_closed = np.zeros(n, bool)
    any_closed[who[closed]] = True
    p_renew = p_cfg[plan, 4] + m["renew_tenure"] * np.minimum(tenure, 4) + m["loop_effect"] * any_closed
    renewed = rng.random(n) < p_renew
    observed_nps, observed_csat = _observed_effects(latent_mean, raised, effects, m)
    ids = np.array([f"TW-{i:06d}" for i in range(1, n + 1)], dtype=object)
    order = np.argsort(t, kind="stable")
    item_ids = np.array([f"FB-{i:05d}" for i in range(1, len(who) + 1)], dtype=object)
    items = pd.DataFrame({"item_id": item_ids, "customer_id": ids[who[order]], "created_at": created[order],
                          "kind": np.where(issue, "issue", "suggestion")[order], "text": texts[order],
                          "first_response_at": first.to_numpy()[order], "resolved_at": resolved.to_numpy()[order],
                          "loop_closed": closed[order]})
    customers = pd.DataFrame({"customer_id": ids, "plan": np.array(PLANS)[plan], "signup_date": signup,
                              "tenure_years": tenure, "nps": nps, "csat": csat, "renewed": renewed})
    truth = dict(customers=customers, item_themes=pd.Series(np.array(THEMES)[theme[order]], index=item_ids,
                                                           name="theme").rename_axis("item_id"),
                 themes=THEMES, nps_effects={th: v[2] for th, v in FEEDBACK_THEMES.items()},
                 csat_effects={th: m["csat_slope"] * v[2] for th, v in FEEDBACK_THEMES.items()},
                 nps_effects_observed=observed_nps, csat_effects_observed=observed_csat,
                 loop_effect=m["loop_effect"], trend_year=m["trend_year"],
                 fixes={th: (pd.Timestamp(d), s) for th, (d, s) in FEEDBACK_FIXES.items()},
                 plans=copy.deepcopy(FEEDBACK_PLANS), plan_prices=dict(PLAN_PRICES), model=copy.deepcopy(m),
                 renewal_probability=pd.Series(p_renew, index=ids, name="renewal_probability"),
                 observed_until=end)
    return Simulated(items, truth)
