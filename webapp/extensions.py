"""Flask extension objects, created here and bound in create_app."""

from __future__ import annotations

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from webapp.db import Database

babel = Babel()
csrf = CSRFProtect()
db = Database()
