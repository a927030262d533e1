"""Portable backups: a consistent snapshot of every table, restorable into SQLite or PostgreSQL."""
