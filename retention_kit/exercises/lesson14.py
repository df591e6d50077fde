"""Exercises of lesson 14 (being written)."""
