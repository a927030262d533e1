"""The header search: one box, every kind of record, grouped."""
