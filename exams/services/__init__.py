"""Use cases of the exams package: plain functions that flush but never commit."""
