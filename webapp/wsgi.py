"""WSGI entry point for gunicorn: `gunicorn webapp.wsgi:app`.

Run `interwar db upgrade` before starting workers (or set INTERWAR_AUTO_MIGRATE=true).
"""

from webapp import create_app
from webapp.db import check_revision

app = create_app()
# A database migrated by a newer version must not be served by this one.
check_revision(app.extensions["interwar.engine"])
