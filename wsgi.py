"""Entry point for gunicorn and `flask`: `gunicorn wsgi:app`."""

from shop import create_app

app = create_app()
