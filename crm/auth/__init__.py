"""Users, roles, logging in and out, and the `flask users` commands."""
