"""Meetings, visits, calls and letters: the timeline of a pairing."""
