"""WSGI entry point for gunicorn: `gunicorn webapp.wsgi:app`.

Run `interwar db upgrade` before starting workers (or set INTERWAR_AUTO_MIGRATE=true).
"""

from webapp import create_app

app = create_app()
