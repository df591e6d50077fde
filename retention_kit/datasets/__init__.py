"""Data for the course: ``load_*`` read files shipped with the kit, ``make_*`` simulate with planted truth."""
from .load import (load_coffee_transactions, load_retention_costs, load_saas_subscriptions, load_telco_churn,
                   load_telecom_survey)
from .load import load_scale_timings
from .actions import make_add_on_holdings, make_retention_offer_test, make_weekly_churn
from .feedback import make_feedback_items
from .membership import make_membership_program
from .playlists import make_playlist_rollout
from .rewards import make_rewards_program
from .hotel import make_hotel_stays, make_offer_test
from .occasions import make_occasions
from .shipped import planted_truth
from .sources import make_customer_sources
from .streaming import make_streaming_activity
from .simulate import Simulated, make_retention_costs, make_subscriptions, make_survey, make_transactions
from .survey_truth import survey_renewal_probability

__all__ = ["load_coffee_transactions", "load_saas_subscriptions", "load_telecom_survey", "load_retention_costs",
           "load_telco_churn", "make_transactions", "make_subscriptions", "make_survey", "make_retention_costs",
           "make_occasions", "make_customer_sources", "make_streaming_activity", "make_hotel_stays", "make_offer_test",
           "make_retention_offer_test", "make_add_on_holdings", "make_weekly_churn", "make_feedback_items",
           "make_membership_program", "make_rewards_program", "make_playlist_rollout",
           "Simulated", "planted_truth", "survey_renewal_probability", "load_scale_timings"]
