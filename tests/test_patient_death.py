"""The steps that follow a recorded death run from the core's registry, in an explicit order."""

import pytest
from django.apps import apps

from careplans.services import discharge_on_death
from outcomes.services import prom_invitations_cancel_on_death
from pathway import patient_death


def test_the_discharge_comes_first_then_the_prom_links_and_the_core_cancels_the_letters_last():
    assert sorted(patient_death.DEATH_HANDLERS.items()) == [
        (10, discharge_on_death),
        (20, prom_invitations_cancel_on_death),
    ]


def test_registering_again_changes_nothing(monkeypatch):
    monkeypatch.setattr(patient_death, "DEATH_HANDLERS", dict(patient_death.DEATH_HANDLERS))
    patient_death.register_death_handler(discharge_on_death, order=10)
    apps.get_app_config("careplans").ready()
    apps.get_app_config("outcomes").ready()
    assert sorted(patient_death.DEATH_HANDLERS.items()) == [
        (10, discharge_on_death),
        (20, prom_invitations_cancel_on_death),
    ]


def test_an_order_is_held_by_one_handler_and_a_handler_by_one_order(monkeypatch):
    monkeypatch.setattr(patient_death, "DEATH_HANDLERS", dict(patient_death.DEATH_HANDLERS))
    with pytest.raises(ValueError):
        patient_death.register_death_handler(prom_invitations_cancel_on_death, order=10)
    with pytest.raises(ValueError):
        patient_death.register_death_handler(discharge_on_death, order=30)
    with pytest.raises(ValueError):
        patient_death.register_death_handler(lambda death: None, order=20)
