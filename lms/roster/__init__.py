"""Roster import: upload an Excel roster, review every row, confirm the valid ones."""

from lms.roster.routes import bp

__all__ = ["bp"]
