"""Resident ID numbers: GB 11643 check digit, birth date and masking."""

from datetime import date

import pytest

from lms.idcard import InvalidIdNumber, check_digit, mask_id_number, validate_id_number


def test_check_digit_of_the_standard_example_is_x():
    assert check_digit("11010519491231002") == "X"


def test_valid_number_is_normalised_with_upper_case_x():
    assert validate_id_number(" 11010519491231002x ", today=date(2026, 11, 22)) == "11010519491231002X"


@pytest.mark.parametrize("raw, reason", [
    ("", "18 characters"),
    ("1101051949123100", "18 characters"),
    ("11010519491231002A", "18 characters"),
    ("01010519491231002X", "18 characters"),
    ("110105194912310021", "check digit"),
    ("110105194902300023", "birth date"),
    ("110105209912310020", "birth date"),
])
def test_malformed_numbers_are_refused_with_the_reason(raw, reason):
    with pytest.raises(InvalidIdNumber) as excinfo:
        validate_id_number(raw, today=date(2026, 11, 22))
    assert reason in str(excinfo.value)


def test_mask_hides_birth_date_and_sequence():
    masked = mask_id_number("11010519491231002X")
    assert masked == "110105********002X"
    assert "19491231" not in masked
