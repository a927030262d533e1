"""Tasks on a pairing: who does what by when; my tasks, and a private calendar feed."""
