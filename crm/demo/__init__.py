"""Demo data built around the Maribor – Kyzylorda Region case of February 2026."""
