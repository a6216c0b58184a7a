"""Table-driven tests of the pure scoring rules (no database)."""

from decimal import Decimal

import pytest

from outcomes.scoring import (
    AnswerError,
    eq5d_index,
    improvement,
    pseq_band,
    score_bpi,
    score_eq5d,
    score_pseq,
)

RULES = {"pseq_improvement_points": 7, "bpi_interference_improvement": 1.0, "eq5d_index_improvement": 0.05}


@pytest.mark.parametrize(
    "items, total, band",
    [
        ([0] * 10, 0, "0-19"),
        ([6] * 10, 60, "41-60"),
        ([2] * 9 + [1], 19, "0-19"),
        ([2] * 10, 20, "20-30"),
        ([3] * 10, 30, "20-30"),
        ([3] * 9 + [4], 31, "31-40"),
        ([4] * 10, 40, "31-40"),
        ([4] * 9 + [5], 41, "41-60"),
        ([0, 1, 2, 3, 4, 5, 6, 0, 1, 2], 24, "20-30"),
    ],
)
def test_pseq_total_and_band(items, total, band):
    scored = score_pseq(items)
    assert scored.complete
    assert scored.scores == {"total": total, "band": band}
    assert scored.version == "PSEQ-10 v1"


@pytest.mark.parametrize("bad", [-1, 7, 2.5, "3", True])
def test_pseq_item_out_of_range_names_the_item(bad):
    items = [3] * 10
    items[2] = bad
    with pytest.raises(AnswerError) as exc:
        score_pseq(items)
    assert exc.value.errors == {"items": ["Item 3 must be a whole number from 0 to 6."]}


def test_pseq_wrong_number_of_items_is_an_error():
    with pytest.raises(AnswerError) as exc:
        score_pseq([3] * 9)
    assert "items" in exc.value.errors


def test_pseq_with_a_blank_item_is_incomplete_with_no_total():
    scored = score_pseq([6] * 9 + [None])
    assert not scored.complete and scored.scores == {}


@pytest.mark.parametrize("total", [-1, 61])
def test_pseq_band_outside_bounds_is_refused(total):
    with pytest.raises(ValueError):
        pseq_band(total)


@pytest.mark.parametrize(
    "severity, interference, expected_severity, expected_interference, complete",
    [
        ([8, 2, 5, 5], [5, 6, 7, 8, 9, 10, 4], 5.0, 7.0, True),
        ([0, 0, 0, 0], [0] * 7, 0.0, 0.0, True),
        ([10, 10, 10, 10], [10] * 7, 10.0, 10.0, True),
        # Four of seven interference items answered: the mean of the four.
        ([7, 3, 5, 6], [4, 5, 6, 8, None, None, None], 5.25, 5.75, True),
        # Three of seven: interference is not scored, and the questionnaire is incomplete.
        ([7, 3, 5, 6], [4, 5, 6, None, None, None, None], 5.25, None, False),
        # Five answered: mean of 5 items, kept to 4 places.
        ([1, 2, 3, 4], [1, 2, 2, None, 2, 2, None], 2.5, 1.8, True),
        ([9, 1, 5, 5], [3, 3, 4, 3, 3, 3, 3], 5.0, 3.1429, True),
        # A blank severity item: no severity mean.
        ([9, None, 5, 5], [3] * 7, None, 3.0, False),
    ],
)
def test_bpi_severity_and_interference(severity, interference, expected_severity, expected_interference, complete):
    scored = score_bpi(severity, interference)
    assert scored.scores == {"severity": expected_severity, "interference": expected_interference}
    assert scored.complete is complete
    assert scored.version == "BPI-SF v1"


@pytest.mark.parametrize(
    "severity, interference, errors",
    [
        ([1, 2, 3], [1] * 7, {"severity"}),
        ([1, 2, 3, 4], [1] * 6, {"interference"}),
        ([1, 2, 3], [1] * 8, {"severity", "interference"}),
        (["1", 2, 3, 4], [1, 2, 3, 4, 5, 6, "x"], {"severity", "interference"}),
        ([1, 2, 3, 4.5], [None] * 7, {"severity"}),
    ],
)
def test_bpi_wrong_length_or_type_names_each_part(severity, interference, errors):
    with pytest.raises(AnswerError) as exc:
        score_bpi(severity, interference)
    assert set(exc.value.errors) == errors


def test_bpi_no_interference_answered_scores_severity_only():
    scored = score_bpi([4, 2, 3, 3], [None] * 7)
    assert scored.scores == {"severity": 3.0, "interference": None} and not scored.complete


def test_bpi_out_of_range_names_each_item():
    with pytest.raises(AnswerError) as exc:
        score_bpi([11, 2, 3, -1], [1, 2, 3, 4, 5, 6, 12])
    assert exc.value.errors == {
        "severity": [
            "Severity item 1 must be a whole number from 0 to 10.",
            "Severity item 4 must be a whole number from 0 to 10.",
        ],
        "interference": ["Interference item 7 must be a whole number from 0 to 10."],
    }


@pytest.mark.parametrize(
    "profile, value_set, expected",
    [
        # Published check values (shared/reference/eq5d-5l-value-sets.md).
        ("11111", "UK2026", 1.000),
        ("11112", "UK2026", 0.959),
        ("12345", "UK2026", 0.114),
        ("55555", "UK2026", -0.567),
        ("11111", "ENG2018", 1.000),
        ("11112", "ENG2018", 0.922),
        ("12345", "ENG2018", 0.322),
        ("55555", "ENG2018", -0.285),
        ("25532", "ENG2018", 0.393),
        ("34241", "ENG2018", 0.434),
        # Mixed profiles worked by hand from the coefficient table.
        # 21143 UK: 1 - (0.032 + 0 + 0 + 0.371 + 0.126) = 0.471
        ("21143", "UK2026", 0.471),
        # 21143 ENG: 1 - (0.058 + 0.276 + 0.104) = 0.562
        ("21143", "ENG2018", 0.562),
        # 33333 UK: 1 - (0.058 + 0.060 + 0.086 + 0.066 + 0.126) = 0.604
        ("33333", "UK2026", 0.604),
        # 33333 ENG: 1 - (0.076 + 0.080 + 0.063 + 0.084 + 0.104) = 0.593
        ("33333", "ENG2018", 0.593),
        # 25532 UK: 1 - (0.032 + 0.206 + 0.212 + 0.066 + 0.041) = 0.443
        ("25532", "UK2026", 0.443),
        # 34241 UK: 1 - (0.058 + 0.162 + 0.049 + 0.371 + 0) = 0.360
        ("34241", "UK2026", 0.360),
        # 42514 ENG: 1 - (0.207 + 0.050 + 0.184 + 0 + 0.285) = 0.274
        ("42514", "ENG2018", 0.274),
        # 54321 UK: 1 - (0.279 + 0.162 + 0.086 + 0.056 + 0) = 0.417
        ("54321", "UK2026", 0.417),
        # 54321 ENG: 1 - (0.274 + 0.164 + 0.063 + 0.063 + 0) = 0.436
        ("54321", "ENG2018", 0.436),
        # 21312 UK: 1 - (0.032 + 0 + 0.086 + 0 + 0.041) = 0.841
        ("21312", "UK2026", 0.841),
        # 21312 ENG: 1 - (0.058 + 0 + 0.063 + 0 + 0.078) = 0.801
        ("21312", "ENG2018", 0.801),
    ],
)
def test_eq5d_index_from_value_set(profile, value_set, expected):
    assert round(float(eq5d_index(profile, value_set)), 3) == pytest.approx(expected, abs=1e-9)


# The coefficient table of shared/reference/eq5d-5l-value-sets.md, levels 2 / 3 / 4 / 5, as printed.
REFERENCE = {
    "UK2026": [
        "0.032 / 0.058 / 0.179 / 0.279",
        "0.038 / 0.060 / 0.162 / 0.206",
        "0.049 / 0.086 / 0.184 / 0.212",
        "0.056 / 0.066 / 0.371 / 0.479",
        "0.041 / 0.126 / 0.313 / 0.391",
    ],
    "ENG2018": [
        "0.058 / 0.076 / 0.207 / 0.274",
        "0.050 / 0.080 / 0.164 / 0.203",
        "0.050 / 0.063 / 0.162 / 0.184",
        "0.063 / 0.084 / 0.276 / 0.335",
        "0.078 / 0.104 / 0.285 / 0.289",
    ],
}


@pytest.mark.parametrize("value_set", ["UK2026", "ENG2018"])
def test_eq5d_every_single_dimension_decrement_matches_the_reference_table(value_set):
    for dim, row in enumerate(REFERENCE[value_set]):
        for level, coefficient in enumerate(row.split(" / "), start=2):
            profile = "1" * dim + str(level) + "1" * (4 - dim)
            assert eq5d_index(profile, value_set) == Decimal(1) - Decimal(coefficient), profile


def test_eq5d_index_is_exact_not_float_rounded():
    # 1 - (0.279 + 0.206 + 0.212 + 0.479 + 0.391) exactly; a float sum would drift in the last places.
    assert eq5d_index("55555", "UK2026") == Decimal("-0.567")
    assert eq5d_index("12345", "ENG2018") == Decimal("0.322")


def test_eq5d_scores_keep_profile_index_vas_and_value_set():
    levels = {"mobility": 2, "self_care": 1, "usual_activities": 1, "pain_discomfort": 4, "anxiety_depression": 3}
    scored = score_eq5d(levels, 65, "UK2026")
    assert scored.complete and scored.value_set == "UK2026" and scored.version == "EQ-5D-5L v1"
    assert scored.scores["profile"] == "21143" and scored.scores["vas"] == 65
    assert scored.scores["index"] == pytest.approx(0.471, abs=1e-12)


def test_eq5d_out_of_range_names_each_dimension():
    levels = {"mobility": 0, "self_care": 6, "usual_activities": 1, "pain_discomfort": 1, "anxiety_depression": 1}
    with pytest.raises(AnswerError) as exc:
        score_eq5d(levels, 101, "UK2026")
    assert set(exc.value.errors) == {"mobility", "self_care", "vas"}


def test_eq5d_unknown_value_set_is_an_error():
    levels = dict.fromkeys(["mobility", "self_care", "usual_activities", "pain_discomfort", "anxiety_depression"], 1)
    with pytest.raises(AnswerError) as exc:
        score_eq5d(levels, 50, "US2020")
    assert "value_set" in exc.value.errors


def test_eq5d_missing_dimension_is_incomplete_with_no_index():
    levels = {"mobility": 2, "self_care": None, "usual_activities": 1, "pain_discomfort": 4, "anxiety_depression": 3}
    scored = score_eq5d(levels, 70, "UK2026")
    assert not scored.complete and scored.scores == {"vas": 70}


@pytest.mark.parametrize(
    "instrument, before, after, change, improved",
    [
        ("PSEQ", {"total": 20}, {"total": 27}, 7, True),
        ("PSEQ", {"total": 20}, {"total": 26}, 6, False),
        ("BPI", {"interference": 6.0}, {"interference": 5.0}, -1.0, True),
        ("BPI", {"interference": 6.0}, {"interference": 5.1}, -0.9, False),
        ("BPI", {"interference": 5.1429}, {"interference": 4.1429}, -1.0, True),
        ("EQ5D5L", {"index": 0.471}, {"index": 0.521}, 0.05, True),
        ("EQ5D5L", {"index": 0.471}, {"index": 0.52}, 0.049, False),
        ("BPI", {"interference": None}, {"interference": 2.0}, None, None),
        ("PSEQ", {}, {"total": 30}, None, None),
    ],
)
def test_meaningful_improvement_thresholds(instrument, before, after, change, improved):
    got_change, got_improved = improvement(instrument, before, after, RULES)
    assert got_improved is improved
    if change is None:
        assert got_change is None
    else:
        assert got_change == pytest.approx(change)
