"""Exercises of lesson 11 (being written)."""
