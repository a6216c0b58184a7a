import pytest
from django.core.exceptions import ValidationError

from pathway.rules import get_rules, rule
from pathway.validators import normalise_nhs_number, validate_nhs_number


def test_local_rules_default_and_override(settings):
    assert rule("triage_working_days") == 2
    assert rule("ome_alert_threshold_mg") == 100
    settings.PATHWAY_RULES = {**settings.PATHWAY_RULES, "triage_working_days": 3}
    assert rule("triage_working_days") == 3
    assert get_rules()["discharge_letter_working_days"] == 3


def test_unknown_rule_is_an_error():
    with pytest.raises(KeyError, match="Unknown pathway rule"):
        rule("no_such_rule")


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919"])
def test_valid_nhs_numbers_with_spaces_or_hyphens(value):
    validate_nhs_number(value)
    assert normalise_nhs_number(value) == "9434765919"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9434765918", "nhs_number_checksum"),
        ("943476591", "nhs_number_format"),
        ("94347659AB", "nhs_number_format"),
        ("", "nhs_number_format"),
    ],
)
def test_invalid_nhs_numbers_name_the_problem(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_nhs_number(value)
    assert exc.value.code == code
