"""Resident ID numbers (GB 11643-1999): check digit, birth date, gender, masking. No database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.people import idnumber
from dangjian.people.idnumber import IdNumberError

# Published example numbers with their known check digits (GB 11643 worked examples).
KNOWN = ["11010519491231002X"]
_VALID = idnumber.make("522730", dt.date(1990, 5, 17), 11)


@pytest.mark.parametrize("number", KNOWN)
def test_it_accepts_the_standards_example_numbers(number):
    assert idnumber.parse(number).number == number


@pytest.mark.parametrize("first17, check", [("11010519491231002", "X"), ("44052418800101001", "4"),
                                            ("52273019900517001", "9")])
def test_the_check_digit_is_iso_7064_mod_11_2(first17, check):
    assert idnumber.check_digit(first17) == check


def test_it_reads_birth_date_gender_and_region():
    info = idnumber.parse("11010519491231002X")
    assert info.region == "110105"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "female"  # 17th digit 2: even


@pytest.mark.parametrize("raw, reason", [
    ("11010519491231002", "应为18位"),
    ("1101051949123100211", "应为18位"),
    ("11010519491231002Y", "应为18位"),
    ("X10105194912310021", "应为18位"),
    ("", "应为18位"),
    ("110105194912310021", "校验位错误"),  # wrong check digit (should be X)
    (_VALID[:17] + ("0" if _VALID[-1] != "0" else "1"), "校验位错误"),
])
def test_it_refuses_a_malformed_number_or_a_wrong_check_digit(raw, reason):
    with pytest.raises(IdNumberError, match=reason) as exc:
        idnumber.parse(raw)
    assert "公民身份号码" in str(exc.value)


def _with_check(first17: str) -> str:
    return first17 + idnumber.check_digit(first17)


@pytest.mark.parametrize("date", ["19900230", "19900231", "19900431", "19901301", "19900001", "19900100",
                                  "19000229", "21000229"])
def test_it_refuses_an_impossible_birth_date_even_with_a_right_check_digit(date):
    with pytest.raises(IdNumberError, match=f"出生日期 {date} 不是有效日期"):
        idnumber.parse(_with_check(f"522730{date}123"))


def test_it_refuses_a_birth_year_before_1900():
    with pytest.raises(IdNumberError, match="不合理"):
        idnumber.parse(_with_check("522730" + "18991231" + "123"))


def test_it_accepts_the_29th_of_february_of_a_leap_year():
    assert idnumber.parse(_with_check("522730" + "20000229" + "124")).birth_date == dt.date(2000, 2, 29)


@pytest.mark.parametrize("raw", ["11010519491231002x", " 11010519491231002X ", "110105 19491231 002X",
                                 "１１０１０５１９４９１２３１００２Ｘ", "１１０１０５１９４９１２３１００２ｘ"])
def test_it_normalizes_spaces_a_lower_case_x_and_full_width_characters(raw):
    # Chinese input methods often type full-width digits: the same number must give the same stored number
    # (and so the same blind index: a duplicate typed in full width is still a duplicate).
    assert idnumber.parse(raw).number == "11010519491231002X"


@pytest.mark.parametrize("raw", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "1101051949123100٢X", "11010519491231002½"])
def test_it_refuses_digits_that_are_not_ascii_after_normalization(raw):
    with pytest.raises(IdNumberError):
        idnumber.parse(raw)


@pytest.mark.parametrize("number, masked", [
    ("11010519491231002X", "110105********002X"),
    ("522730199005171234", "522730********1234"),
    ("abc", "***"),
])
def test_the_mask_keeps_region_and_last_four_and_hides_the_birth_date(number, masked):
    assert idnumber.mask(number) == masked


# --- properties -----------------------------------------------------------------------------------------
regions = st.from_regex(r"\A[1-6][0-9]{5}\Z")
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(region=regions, birth=births, seq=sequences)
def test_parse_round_trips_what_make_encodes(region, birth, seq):
    number = idnumber.make(region, birth, seq)
    info = idnumber.parse(number)
    assert info.number == number
    assert info.region == region
    assert info.birth_date == birth
    assert info.gender == ("male" if seq % 2 == 1 else "female")
    assert idnumber.mask(number) == number[:6] + "********" + number[14:]


@given(region=regions, birth=births, seq=sequences, pos=st.integers(0, 17), delta=st.integers(1, 10))
def test_changing_any_single_character_makes_the_number_invalid(region, birth, seq, pos, delta):
    number = idnumber.make(region, birth, seq)
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    old = alphabet.index(number[pos])
    new = alphabet[(old + delta) % len(alphabet)]
    if new == number[pos]:
        return  # delta wrapped round to the same character (only possible in the 10-digit alphabet)
    changed = number[:pos] + new + number[pos + 1:]
    with pytest.raises(IdNumberError):
        idnumber.parse(changed)


@given(region=regions, birth=births, seq=sequences, pos=st.integers(0, 16))
def test_swapping_two_neighbouring_different_digits_makes_the_number_invalid(region, birth, seq, pos):
    number = idnumber.make(region, birth, seq)
    a, b = number[pos], number[pos + 1]
    if a == b or "X" in (a, b):
        return
    swapped = number[:pos] + b + a + number[pos + 2:]
    with pytest.raises(IdNumberError):
        idnumber.parse(swapped)
