"""Exercises of lesson 13 (being written)."""
