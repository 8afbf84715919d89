"""Core of the safety-training LMS: app factory, people, organizations, roles and rules."""

from lms.app import create_app

__all__ = ["create_app"]
