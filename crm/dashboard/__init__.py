"""The home page after login: my tasks, my stale pairings, the pipeline at a glance."""
