"""Pairings of two localities, the stages they move through, their history, and the board."""
