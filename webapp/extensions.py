"""Flask extension objects, created here and bound in create_app."""

from __future__ import annotations

from flask_babel import Babel

from webapp.csrf import CSRF
from webapp.db import Database

babel = Babel()
csrf = CSRF()
db = Database()
