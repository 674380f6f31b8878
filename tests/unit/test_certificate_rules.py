"""Serial numbers, verification codes, state and counting, without Flask."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn.domain.certificates import (
    CertificateState,
    certificate_tier,
    grouped_code,
    new_verification_code,
    normalise_code,
    serial_number,
    state,
    study_time_ja,
)
from elearn.domain.fiscal import parse_fiscal_year
from elearn.domain.people import Tier


def test_serial_numbers_read_as_fiscal_year_tier_and_sequence():
    assert serial_number(2025, Tier.DIGITAL_LEADER, 123) == "R7-L-000123"
    assert serial_number(2022, Tier.DX_MANAGER, 1) == "R4-M-000001"
    assert serial_number(2026, Tier.DX_SPECIALIST, 999_999) == "R8-S-999999"
    assert serial_number(2019, Tier.ALL_STAFF, 2) == "R1-A-000002"
    with pytest.raises(ValueError):
        serial_number(2025, Tier.ALL_STAFF, 0)


def test_a_course_certifies_its_most_senior_tier():
    assert certificate_tier([Tier.ALL_STAFF, Tier.DIGITAL_LEADER]) is Tier.DIGITAL_LEADER
    assert certificate_tier([Tier.DX_SPECIALIST, Tier.DX_MANAGER]) is Tier.DX_MANAGER
    assert certificate_tier([]) is Tier.ALL_STAFF


def test_verification_codes_carry_at_least_80_random_bits_and_do_not_repeat():
    codes = {new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(base64.b32decode(code)) * 8 >= 80
        assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@given(st.binary(min_size=15, max_size=15))
def test_a_code_survives_grouping_lower_case_and_spaces(raw):
    code = base64.b32encode(raw).decode()
    typed = " " + grouped_code(code).lower().replace("-", " - ") + "\n"
    assert normalise_code(typed) == code


def test_revocation_wins_over_replacement():
    assert state(None, False) is CertificateState.VALID
    assert state(None, True) is CertificateState.SUPERSEDED
    assert state(date(2025, 5, 1), True) is CertificateState.REVOKED


def test_study_time_in_japanese():
    assert [study_time_ja(m) for m in (45, 60, 90, 120)] == ["45分", "1時間", "1時間30分", "2時間"]


def test_fiscal_years_are_read_as_written():
    assert [parse_fiscal_year(t) for t in ("2025", "R7", "r7", "令和7年度", "令和元年度")] == [2025] * 4 + [2019]
    with pytest.raises(ValueError):
        parse_fiscal_year("soon")
