"""Entry point for gunicorn: `gunicorn wsgi:app` (FLASK_CONFIG=production)."""

from app import create_app

app = create_app()
