"""Factories for the core domain (factory_boy)."""

import itertools
from datetime import date

import factory
import nhs_number
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from pathway import services
from pathway.models import Commissioner, Episode, Patient, Practice, StaffProfile, Team


def valid_nhs_number(n: int) -> str:
    """A valid NHS number in the synthetic 999 range, different for every n.

    Each n owns a block of ten numbers; within ten consecutive numbers at most one has the
    invalid check value 10, so the block always holds a valid one.
    """
    if not 0 <= n < 100_000:
        raise ValueError("n must be from 0 to 99999")
    base = 999000000 + n * 10
    for candidate in range(base, base + 10):
        first9 = f"{candidate:09d}"
        check = nhs_number.calculate_checksum(first9)
        if check is not None and check < 10:
            return f"{first9}{check}"
    raise AssertionError("unreachable: a block of ten numbers always has a valid one")


# Factories draw from the upper half; tests that pick a number by hand use n below 50,000.
_patient_numbers = itertools.count(50_000)


def next_nhs_number() -> str:
    """A fresh valid NHS number that no factory-made patient has."""
    return valid_nhs_number(next(_patient_numbers))


class CommissionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commissioner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{n:02d}")
    name = factory.Sequence(lambda n: f"NHS Test ICB {n}")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice
        django_get_or_create = ("ods_code",)

    ods_code = factory.Sequence(lambda n: f"A{81001 + n}")
    name = factory.Sequence(lambda n: f"Test Surgery {n}")
    address = "1 High Street\nDarlington"
    postcode = "DL1 1AA"
    commissioner = factory.SubFactory(CommissionerFactory)
    mesh_mailbox = "X26ABC2"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Pain team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def practice(self, create, extracted, **kwargs):
        profile, _ = StaffProfile.objects.get_or_create(user=self)
        if extracted:
            profile.practice = extracted
            profile.save()

    @factory.post_generation
    def commissioner(self, create, extracted, **kwargs):
        if extracted:
            self.profile.commissioner = extracted
            self.profile.save(update_fields=["commissioner"])


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    nhs_number = factory.LazyFunction(next_nhs_number)
    given_name = "Ann"
    family_name = factory.Sequence(lambda n: f"Smith{n}")
    date_of_birth = date(1970, 2, 1)
    sex = "female"
    postcode = "DL1 1AA"
    address = "2 Station Road\nDarlington"
    practice = factory.SubFactory(PracticeFactory)


def open_episode(*, patient=None, received_on=date(2026, 10, 1), actor=None, **kwargs) -> Episode:
    """An episode opened through the service (in triage, RTT clock running)."""
    patient = patient or PatientFactory(**kwargs)
    return services.episode_open(patient=patient, practice=patient.practice, received_on=received_on, actor=actor)
