"""Exercises of lesson 09 (segmentation and personalization): Larkspur Hotels, clustered once."""
from functools import lru_cache

from ..datasets import make_hotel_stays, make_offer_test
from .engine import Exercise, Solution, register

# the lesson's calls: rk.datasets.make_hotel_stays(random_state=9), make_offer_test(..., random_state=9),
# three clusters of the behaviour features from random_state=0
STAYS_SEED, TEST_SEED, K = 9, 9, 3


@lru_cache(maxsize=None)
def _lesson():
    from .. import segments as sg
    from ..summaries import rfm_summary
    stays, truth = make_hotel_stays(random_state=STAYS_SEED)
    features = sg.behaviour_features(stays)
    labels = sg.cluster(features, K, random_state=0).labels
    scores = sg.rfm_scores(rfm_summary(stays, observation_period_end="2026-01-01"))
    test, planted = make_offer_test(stays, truth, random_state=TEST_SEED)
    return dict(features=features, labels=labels, scores=scores, test=test, planted=planted)


def _champions():
    from .. import segments as sg
    segment = sg.rfm_segments(_lesson()["scores"])
    return Solution(float((segment == "Champions").mean()), dict(n=int((segment == "Champions").sum())))


def _extra_bookings():
    from .. import segments as sg
    d = _lesson()
    table = sg.offer_table(d["test"], d["labels"], margin=d["planted"]["margin"], cost=d["planted"]["cost"])
    sizes = d["labels"].value_counts()
    best = sg.best_offer(table)["offer"]
    uniform = sg.personalized_vs_uniform(table, sizes).uniform_offer
    lifts = table["lift"].unstack()
    extra = sum(sizes[c] * lifts.loc[c, best[c]] for c in sizes.index)
    plain = sum(sizes[c] * lifts.loc[c, uniform] for c in sizes.index)
    return Solution(float(extra - plain), dict(extra=float(extra), plain=float(plain)))


def _spa_value_leisure():
    from .. import segments as sg
    d = _lesson()
    spa_share = d["features"]["spa_share"].groupby(d["labels"]).median()
    leisure = d["labels"].map(lambda c: "spa and leisure" if c == spa_share.idxmax() else "other")
    table = sg.offer_table(d["test"], leisure, margin=d["planted"]["margin"], cost=d["planted"]["cost"])
    row = table.loc[("spa and leisure", "spa")]
    return Solution(float(row["value"]), dict(low=float(row["value_low"]), high=float(row["value_high"]),
                                              lift=float(row["lift"])))


register(
    Exercise("09-rfm-champions-share", "share of guests in the RFM segment Champions", _champions,
             "{n:,} guests, {answer:.1%}: recent and frequent. RFM says they matter most; it does not say what to "
             "offer them.",
             "the segments of rk.segments.rfm_segments, from the scores of the RFM summary; a share is a mean of "
             "True/False", abs_tol=5e-4, unit="fraction"),
    Exercise("09-extra-bookings", "extra bookings from personalized offers over the room upgrade to everyone",
             _extra_bookings,
             "about {extra:,.0f} bookings against {plain:,.0f}: {answer:,.0f} more guests come back.",
             "for each cluster, its size times the lift of its best offer, summed; the same with the room upgrade "
             "everywhere; the difference", abs_tol=0.5),
    Exercise("09-spa-value-leisure", "value per guest offered of the spa voucher to spa and leisure guests",
             _spa_value_leisure,
             "${answer:,.2f} a guest (95% interval ${low:,.2f} to ${high:,.2f}): a lift of {lift:.1%} in bookings "
             "times the margin, minus the voucher's cost.",
             "booking rates are bookings over guests offered, in the cluster's rows of the offer table; the margin and "
             "cost of the spa voucher are in the test's planted money", abs_tol=0.005),
    Exercise("09-judge-k", "how many clusters, when six personas are wanted", lambda: Solution("b"),
             "the silhouette peaks at three, and six clusters add little in the offer test: the data support three.",
             "look at what each column of the choose_k table measures, and which of them can choose k",
             kind="choice",
             options={"a": "inertia falls with every extra cluster, on any data: it cannot choose k.",
                      "c": "k-means returns as many clusters as asked, whether the data hold them or not."}),
    Exercise("09-judge-offer-effect", "what the randomized offer test supports", lambda: Solution("a"),
             "random assignment makes the lift the offer's effect in that cluster, within its interval.",
             "ask how the offers were assigned, and what that rules out",
             kind="choice",
             options={"b": "a randomized test needs no model of the guests' other characteristics: the assignment "
                           "made the groups alike.",
                      "c": "the table itself shows the effect differs by segment: the package does not pay for "
                           "business travellers."}),
)
