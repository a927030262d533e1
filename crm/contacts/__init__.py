"""People and organisations, and the roles people take on a pairing."""
