"""The JSON API under /api/v1: the same services and access rules as the pages, JSON in and out."""
