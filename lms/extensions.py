"""Unbound Flask extensions shared by every package; imports nothing of ours."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention so migrations can drop by name."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Highest page number a list accepts; beyond it the database's OFFSET would overflow (a 500).
MAX_PAGE = 100_000


class Database(SQLAlchemy):
    """Flask-SQLAlchemy with one guard on every list page: the ``page`` argument is kept in range."""

    def paginate(self, select, *, page=None, **kwargs):
        """As Flask-SQLAlchemy's, but a ``?page=`` past MAX_PAGE reads as MAX_PAGE (an empty page)."""
        if page is None and has_request_context():
            page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
        return super().paginate(select, page=page, **kwargs)


db = Database(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
