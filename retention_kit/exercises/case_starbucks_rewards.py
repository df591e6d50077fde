"""Exercises of the Starbucks Rewards case study: Harbor Coffee's randomized send of app offers (simulated)."""
from functools import lru_cache

import numpy as np
import pandas as pd

from .engine import Exercise, Solution, register

# the case study's calls: the program simulated with random_state=71, the training half drawn with seed 71
SEED = 71
SEND = pd.Timestamp("2025-07-01")


def segments(profiles: pd.DataFrame) -> pd.Series:
    """The case study's segments as of the send: budget (income under 50,000), else new (joined under 365 days
    before), else established."""
    tenure = (SEND - profiles["member_since"]).dt.days
    return pd.Series(np.where(profiles["income"] < 50_000, "budget", np.where(tenure < 365, "new", "established")),
                     index=profiles.index, name="segment")


@lru_cache(maxsize=None)
def case():
    """The program, its planted truth, each member's outcomes with the segment, and the training / held-out halves."""
    from ..datasets import make_rewards_program
    from ..programs.rewards import offer_outcomes
    data, truth = make_rewards_program(random_state=SEED)
    outcomes = offer_outcomes(data.assignments, data.events, data.portfolio)
    outcomes["segment"] = segments(data.profiles).reindex(outcomes.index)
    train = np.random.default_rng(SEED).random(len(outcomes)) < 0.5
    return data, truth, outcomes, outcomes[train], outcomes[~train]


def policies():
    """The recommended policy (the best arm per segment, an offer only when its training interval against nothing lies
    above zero) and the best single offer, both learned on the training half."""
    from ..programs.rewards import learn_offer_policy
    train = case()[3]
    policy = learn_offer_policy(train, by="segment", guard=0.95)
    single = train[train["arm"] != "none"].groupby("arm")["net_value"].mean().idxmax()
    return policy, single


STATED = {"budget": "discount_7_3", "established": "informational", "new": "bogo_5"}     # exercise 3's policy
SENDS = 12                                          # sends a year, the case study's assumption


def _caused_budget():
    from ..programs.rewards import completion_vs_effect
    data, _, outcomes = case()[:3]
    budget = outcomes.index[outcomes["segment"] == "budget"]
    row = completion_vs_effect(data.assignments.loc[budget], data.events, data.portfolio).loc["discount_20_5"]
    everyone = completion_vs_effect(data.assignments, data.events, data.portfolio).loc["discount_20_5"]
    mistakes = {"that is the share who completed it: subtract the share of budget members sent nothing who would "
                "have completed it anyway": row["completed"],
                "that is the share of members sent nothing who would have completed it anyway: the caused part is "
                "what the offer adds to it": row["anyway"],
                "that is the caused share for all segments: keep only the budget members": everyone["caused"]}
    return Solution(float(row["caused"]), dict(completed=row["completed"], anyway=row["anyway"], low=row["ci_low"],
                                               high=row["ci_high"]), mistakes)


def _spend_effect():
    from ..programs.rewards import offer_effects
    row = offer_effects(case()[2], by="segment", outcome="spend").loc[("budget", "discount_7_3")]
    return Solution(float(row["effect"]), dict(low=row["ci_low"], high=row["ci_high"], offer=row["mean_offer"],
                                               control=row["mean_control"]))


def _stated_policy():
    from ..programs.rewards import offer_policy_value
    r = offer_policy_value(case()[4], STATED, by="segment", against="discount_7_3")
    return Solution(r.value, dict(low=r.ci[0], high=r.ci[1]))


def _yearly_40():
    from ..programs.rewards import offer_policy_value
    data, held_out = case()[0], case()[4]
    policy, single = policies()
    at_40 = held_out.assign(net_value=0.4 * held_out["spend"] - held_out["reward"])
    r = offer_policy_value(at_40, policy, by="segment", against=single)
    scale = len(data.assignments) * SENDS
    return Solution(r.value * scale, dict(per_send=r.value, low=r.ci[0] * scale, high=r.ci[1] * scale, single=single))


def _holm_spend():
    from ..programs.rewards import adjust_effects, offer_effects
    table = adjust_effects(offer_effects(case()[2], by="segment", outcome="spend"), method="holm")
    kept = table.index[table["kept"].to_numpy()]
    return Solution(int(len(kept)), dict(cells=", ".join(f"{s}/{o}" for s, o in kept),
                                         raw=int((table["p_value"] < 0.05).sum())))


register(
    Exercise("starbucks-caused-completions-budget", "the completions of discount_20_5 it caused among budget members, "
             "as a fraction", _caused_budget,
             "{completed:.1%} of the budget members sent it completed it, and {anyway:.1%} of the budget members sent "
             "nothing spent 20 dollars within the same 10 days: {answer:+.3f} ({low:+.3f} to {high:+.3f}).",
             "the kit's completion comparison works on any subset of the send's members: pass it the budget members",
             abs_tol=5e-4, unit="fraction"),
    Exercise("starbucks-spend-effect-budget-discount", "the effect of discount_7_3 on the 14-day spend of budget members",
             _spend_effect,
             "{offer:,.2f} dollars with the offer against {control:,.2f} without: {answer:+.2f} dollars ({low:+.2f} "
             "to {high:+.2f}). Chance alone decided who got it, so the difference is the offer's.",
             "compare the mean spend of budget members sent discount_7_3 with that of budget members sent nothing; "
             "the kit's offer effects take the outcome to compare", abs_tol=0.005),
    Exercise("starbucks-stated-policy-value", "net value per held-out member of the stated policy minus sending everyone "
             "discount_7_3", _stated_policy,
             "{answer:+.2f} dollars per member ({low:+.2f} to {high:+.2f}), valued on members the policy was not "
             "learned from.",
             "the kit's policy value takes a policy (a dict from segment to arm) and an `against`, which can be one "
             "offer for everyone; value it on the held-out half", abs_tol=0.005),
    Exercise("starbucks-yearly-gain-40", "the yearly gain of the recommended policy over the best single offer at a "
             "40% gross margin, rewards at face value", _yearly_40,
             "{per_send:+.2f} dollars per member per send against {single} for everyone, so about {answer:,.0f} "
             "dollars a year ({low:,.0f} to {high:,.0f}).",
             "net value is margin times spend minus rewards: rebuild it from the held-out outcomes' spend and reward "
             "columns at the new margin, value the policy as before, then scale by members per send and sends a year",
             abs_tol=1000),
    Exercise("starbucks-holm-spend", "how many of the 15 segment-by-offer effects on spend survive Holm's adjustment at "
             "5%", _holm_spend,
             "{answer} of 15 ({cells}), against {raw} with unadjusted p-values under 5%.",
             "compute the 15 effects on spend (not net value), then adjust their p-values for the number of "
             "comparisons with the kit's adjustment and count what is kept", kind="integer"),
    Exercise("starbucks-judge-completion", "what the data support about sending bogo_5 to established members",
             lambda: Solution("b"),
             "completions count members who would have bought anyway; only the randomized comparison with members "
             "sent nothing says what the offer changed, and for established members its estimate is a loss with an "
             "interval compatible with no effect: nothing supports paying the reward.",
             "ask what established members sent nothing did in the same 7 days, and what the randomized comparison "
             "of net value says",
             kind="choice",
             options={"a": "a completion rate says the offer was used, not that it changed anything: most "
                           "completers would have spent the 5 dollars anyway.",
                      "c": "viewing first does not make the purchase caused: on real data, viewers also tend to be "
                           "heavier visitors; only the randomized arms compare like with like."}),
    Exercise("starbucks-judge-tenure", "what the rise of spend per active member with months in the program supports",
             lambda: Solution("c"),
             "the members still visiting after a year are the heavy visitors who stayed; followed one by one, nobody "
             "spends more. Without a randomized group kept out of the program, its effect is not measured.",
             "ask who is still counted at month 12, and follow the same members across the months",
             kind="choice",
             options={"a": "the rise comes from who is still counted: light visitors stop coming, heavy ones stay.",
                      "b": "members who joined earlier are no comparison group: they chose to join, and the ones "
                           "still visiting are the survivors; only a randomized hold-out measures the program."}),
)
