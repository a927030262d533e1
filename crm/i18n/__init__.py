"""The users' languages: which one a request speaks, and switching between them."""
