"""Question file formats, parsed by pure functions that return (items, errors) with positions."""

from exams.formats.common import FORMATS, ImportContext, ParseResult, detect_format, parse_file

__all__ = ["FORMATS", "ImportContext", "ParseResult", "detect_format", "parse_file"]
