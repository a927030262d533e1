"""Taking data out: every list as CSV or XLSX with its filters, and a full ZIP for admins."""
