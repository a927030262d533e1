"""The weekly status report: computed once as plain data, rendered as HTML, PDF, CSV, XLSX,
JSON and e-mail from that one result."""
