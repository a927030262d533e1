"""Record-level sharing: an officer shares a pairing with a partner user, and unshares it."""
