"""Carers and representatives named by the patient."""

from __future__ import annotations

from django.db import transaction

from pathway.errors import InvalidInput
from pathway.models import Patient

from ..models import Carer


@transaction.atomic
def carer_add(
    *,
    patient: Patient,
    name: str,
    relationship: str,
    actor,
    phone: str = "",
    address: str = "",
    postcode: str = "",
    attends_appointments: bool = False,
    receives_copies: bool = False,
) -> Carer:
    errors: dict[str, list[str]] = {}
    name, relationship = (name or "").strip(), (relationship or "").strip()
    if not name:
        errors["name"] = ["Give the carer's name."]
    if not relationship:
        errors["relationship"] = ["Say how the carer is related to the patient (for example daughter, friend)."]
    if receives_copies and not (address or "").strip():
        errors["address"] = ["A carer who receives copies of letters needs a postal address."]
    if errors:
        raise InvalidInput(errors)
    return Carer.objects.create(
        patient=patient,
        name=name,
        relationship=relationship,
        phone=(phone or "").strip(),
        address=(address or "").strip(),
        postcode=(postcode or "").strip().upper(),
        attends_appointments=bool(attends_appointments),
        receives_copies=bool(receives_copies),
        recorded_by=actor,
    )
