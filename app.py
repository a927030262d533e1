"""Entry point: `flask --app app ...` and `gunicorn app:app` both find the application here."""

from crm import create_app

app = create_app()
