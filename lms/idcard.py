"""Resident ID numbers (GB 11643-1999): check digit, birth date and masking."""

import re
from datetime import date

from lms.i18n import _l

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


class InvalidIdNumber(ValueError):
    """Raised with a translatable reason when an ID number is not valid."""


def check_digit(first17: str) -> str:
    """Compute the GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Strip spaces and upper-case the final X."""
    return (raw or "").strip().replace(" ", "").upper()


def birth_date_of(id_number: str) -> date:
    """Birth date encoded in positions 7-14."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def validate_id_number(raw: str, *, today: date) -> str:
    """Return the normalised ID number or raise InvalidIdNumber saying what is wrong."""
    number = normalize_id_number(raw)
    if not _SHAPE.match(number):
        raise InvalidIdNumber(_l("must be 18 characters: 17 digits and a digit or X"))
    try:
        born = birth_date_of(number)
    except ValueError:
        raise InvalidIdNumber(_l("contains an impossible birth date")) from None
    if born > today or born.year < 1900:
        raise InvalidIdNumber(_l("contains an impossible birth date"))
    if check_digit(number[:17]) != number[17]:
        raise InvalidIdNumber(_l("check digit does not match"))
    return number


def mask_id_number(number: str) -> str:
    """Keep the region prefix and last four characters: 320213********123X."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[-4:]
