"""Bringing spreadsheets in: CSV or XLSX of localities, pairings, people or organisations."""
