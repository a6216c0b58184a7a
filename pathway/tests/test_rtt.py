from datetime import date, timedelta

import pytest

from pathway import rtt

START = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("days", "within", "weeks"),
    [
        (0, True, 1),
        (1, True, 1),
        (7, True, 1),
        (8, True, 2),
        (125, True, 18),
        (126, True, 18),
        (127, False, 19),
        (365, False, 53),
    ],
)
def test_rtt_day_126_is_within_18_weeks_and_day_127_a_breach(days, within, weeks):
    on = START + timedelta(days=days)
    assert rtt.days_waited(START, on) == days
    assert rtt.within_18_weeks(START, on) is within
    assert rtt.weeks_waited(START, on) == weeks


def test_breach_date_is_clock_start_plus_127_days():
    assert rtt.breach_on(date(2026, 12, 24)) == date(2027, 4, 30)
    assert rtt.last_day_within(date(2026, 12, 24)) == date(2027, 4, 29)


@pytest.mark.parametrize(("weeks", "band"), [(1, "0-17"), (17, "0-17"), (18, "18+"), (51, "18+"), (52, "52+")])
def test_wait_bands(weeks, band):
    assert rtt.wait_band(weeks) == band


@pytest.mark.parametrize(
    ("days", "warning", "label"),
    [
        (0, None, ""),
        (83, None, ""),
        (84, "12_weeks", "12-week warning"),
        (111, "12_weeks", "12-week warning"),
        (112, "16_weeks", "16-week warning"),
        (126, "16_weeks", "16-week warning"),
        (127, "breached", "Breached 18 weeks"),
    ],
)
def test_wait_warnings_at_12_and_16_weeks_then_the_breach(days, warning, label):
    start = date(2026, 12, 24)  # calendar days: bank holidays do not pause an RTT clock
    assert rtt.wait_warning(start, start + timedelta(days=days)) == warning
    assert rtt.warning_label(warning) == label


def test_wait_warning_weeks_follow_the_rule(settings):
    from pathway.selectors import rtt_warning

    start = date(2026, 11, 2)
    assert rtt_warning(start, start + timedelta(days=70)) is None
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "rtt_warning_weeks": [10, 14]}
    assert rtt_warning(start, start + timedelta(days=70)) == "10_weeks"
    assert rtt_warning(start, start + timedelta(days=98)) == "14_weeks"
