"""Drill simulations (fire escape, fire extinguishing, confined-space entry) in pygame.

Importing this package has no side effects: pygame is initialised only by
``simulations.__main__.main``. The package imports no Flask, no SQLAlchemy and
none of the web packages; results reach the LMS over HTTP.
"""

__version__ = "0.1.0"

DRILLS: tuple[str, ...] = ("escape", "extinguisher", "confined-space")
