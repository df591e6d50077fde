"""Experiments and actions: randomized tests of a retention action, who should get it, and monitoring after it.

``ab`` reads and plans a two-arm test (lesson 12); ``monitoring`` charts a rate against control
limits. Everything is also importable from ``rk.experiments``.
"""
from .ab import power_two_proportions, sample_size_two_proportions, two_proportion_test
from .monitoring import control_limits

__all__ = ["two_proportion_test", "sample_size_two_proportions", "power_two_proportions", "control_limits"]
