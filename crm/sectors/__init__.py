"""Sector tags: the fields the two sides of a pairing mean to work together in."""
