"""The administrators' pages for accounts: list, create, change role, deactivate, reset password."""
