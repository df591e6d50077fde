"""Exercises of lesson 12 (being written)."""
