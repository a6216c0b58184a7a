"""Letters rendered to PDF: every required field is in the text of the PDF."""

import io
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader

from pathway import services
from pathway.letters import services as letter_services
from pathway.letters.rendering import letter_pdf
from pathway.models import Letter, LetterKind, LetterState
from pathway.tests import factories as f
from pathway.tests import letter_factories as lf

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def consultant():
    return lf.consultant()


@time_machine.travel("2026-09-01 09:00 +01:00", tick=False)
def test_discharge_letter_pdf_states_every_required_field(consultant):
    episode = lf.discharged_episode(clinician=consultant)
    letter = lf.discharge_letter(episode, actor=consultant)
    letter_services.letter_approve(letter=letter, actor=consultant)
    letter.refresh_from_db()
    assert letter.pdf and letter.rendered_at
    text = flat(pdf_text(bytes(letter.pdf)))
    patient = episode.patient
    expected = [
        # service header, practice address block, date and reference
        "Painway Persistent Pain Service",
        episode.practice.name,
        "1 High Street",
        "DL1 1AA",
        "1 September 2026",
        f"{episode.reference}/L{letter.pk}",
        # patient identifiers, NHS number in 3-3-4
        "Margaret O'Neill",
        "14 July 1961",
        f"NHS number {patient.nhs_number[:3]} {patient.nhs_number[3:6]} {patient.nhs_number[6:]}",
        "14 Coniscliffe Road",
        "DL3 7RG",
        # DESIGN.md section 9
        "Admission date 2 March 2026",
        "Discharge date 28 August 2026",
        "Reason for discharge Treatment completed",
        "Completed the pain management programme and a course of physiotherapy.",
        "Oxycodone reduced from 30 mg to 20 mg twice daily.",
        "oxycodone oral 20 mg x 2 a day 60.00",
        "Nausea with tramadol.",
        "Written personalised care plan, version 2",
        "Return to part-time work (review 1 Sep 2026)",
        "Online pain course",
        "Graded exercise with physiotherapy",
        "Opioid taper",
        "Radiofrequency denervation",
        "reduce activity by half for two days",
        "Emergency plan",
        "Cauda equina symptoms: call 999 or attend the emergency department immediately.",
        "Please continue the oxycodone taper by 10% every two weeks.",
        "Treatment options in this service are exhausted. Re-referral is not indicated.",
        "Community physiotherapy, Darlington",
        "Responsible clinician Chris Okafor, Consultant in pain medicine",
        # signature
        "Electronically signed on 1 September 2026",
        "GMC 7654321",
        "Page 1 of",
    ]
    missing = [item for item in expected if item not in text]
    assert missing == []
    assert "Walk to the shops" not in text  # only the latest care plan version
    assert "DRAFT" not in text


def test_draft_preview_is_marked_draft_and_missing_parts_say_none_recorded(consultant):
    patient = f.PatientFactory()
    episode = f.open_episode(patient=patient)
    letter = services.letter_create(
        kind=LetterKind.DISCHARGE, episode=episode, actor=consultant, content={"reason": "disengaged"}
    )
    text = flat(pdf_text(letter_pdf(letter, today=date(2026, 10, 5))))
    assert "DRAFT: not yet approved by a clinician." in text
    assert "Care plan: None recorded." in text
    assert "Admission date None recorded" in text
    assert "Reason for discharge Disengaged" in text
    assert "Treatment options are not exhausted" in text
    assert "Onward referral None recorded" in text


def test_patient_copy_is_addressed_to_the_patient_for_printing(consultant, django_capture_on_commit_callbacks):
    episode = lf.discharged_episode(clinician=consultant)
    letter = lf.discharge_letter(episode, actor=consultant)
    with django_capture_on_commit_callbacks(execute=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
    letter.refresh_from_db()
    copy = letter_services.letter_patient_copy_create(letter=letter, actor=consultant)
    assert copy.recipient == Letter.Recipient.PATIENT and copy.practice is None
    letter_services.letter_approve(letter=copy, actor=consultant)
    copy.refresh_from_db()
    assert copy.state == LetterState.MANUAL and "print" in copy.last_error
    text = pdf_text(bytes(copy.pdf))
    address_block = text.split("Our reference")[0] if "Our reference" in text else text
    assert "Private and confidential" in text
    assert "Margaret O'Neill\n14 Coniscliffe Road\nDarlington\nDL3 7RG" in text
    assert episode.practice.name + "\n1 High Street" not in address_block
    flat_text = flat(text)
    assert "Your copy of the letter we sent to your GP" in flat_text
    assert "Cauda equina symptoms" in flat_text
    assert "Discharge letter" in flat_text


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        (
            LetterKind.TRIAGE_OUTCOME,
            {"outcome": "redirect", "reason": "Needs the MSK service first.", "redirect_to": "MSK triage"},
            ["Triage outcome", "redirected to MSK triage", "Needs the MSK service first."],
        ),
        (
            LetterKind.EXTENSION,
            {"rationale": "Awaiting the second block of the RF series.", "until": "2027-03-31"},
            ["Nine-month extension", "31 March 2027", "Awaiting the second block of the RF series."],
        ),
        (
            LetterKind.OPIOID_ALERT,
            {
                "ome_total_mg_per_day": 120,
                "threshold": 100,
                "lines": [{"drug": "oxycodone", "route": "oral", "ome_mg_per_day": 60}, "morphine oral 60 mg OME"],
            },
            ["Opioid alert", "120 mg oral morphine equivalent", "threshold of 100 mg", "oxycodone, oral, 60"],
        ),
        (
            LetterKind.PRESCRIBING_ADVICE,
            {"advice": "Start amitriptyline 10 mg at night."},
            ["Prescribing advice", "Start amitriptyline 10 mg at night.", "oxycodone oral 20 mg x 2 a day"],
        ),
        (
            LetterKind.INFO_REQUEST,
            {"reason": "Please send the latest MRI report."},
            ["Request for information", "Please send the latest MRI report."],
        ),
    ],
)
def test_other_letter_kinds_render_their_facts_with_identifiers_and_signature(consultant, kind, content, expected):
    episode = lf.discharged_episode(clinician=consultant)
    letter = services.letter_create(kind=kind, episode=episode, actor=consultant, content=content)
    text = flat(pdf_text(letter_pdf(letter, today=date(2026, 9, 1))))
    patient = episode.patient
    for item in [
        *expected,
        "Margaret O'Neill",
        "14 July 1961",
        patient.nhs_number_display,
        "Chris Okafor",
        "Page 1 of",
    ]:
        assert item in text, item


def test_template_error_leaves_the_letter_unapproved_with_the_error_recorded(consultant, monkeypatch):
    from pathway.letters import rendering

    episode = lf.discharged_episode(clinician=consultant)
    letter = lf.discharge_letter(episode, actor=consultant)
    monkeypatch.setitem(rendering.TEMPLATES, LetterKind.DISCHARGE, "letters/does-not-exist.html")
    with pytest.raises(letter_services.LetterRenderFailed):
        letter_services.letter_approve(letter=letter, actor=consultant)
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFT
    assert letter.sent_at is None and not letter.pdf
    assert "template" in letter.last_error


def test_template_error_at_sending_fails_the_letter_and_does_not_mark_it_sent(
    consultant, monkeypatch, django_capture_on_commit_callbacks
):
    from pathway.letters import rendering

    episode = lf.discharged_episode(clinician=consultant)
    letter = lf.discharge_letter(episode, actor=consultant)
    with django_capture_on_commit_callbacks(execute=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
    Letter.objects.filter(pk=letter.pk).update(pdf=None)  # e.g. approved before the PDF was stored
    monkeypatch.setitem(rendering.TEMPLATES, LetterKind.DISCHARGE, "letters/does-not-exist.html")
    assert letter_services.letter_send(letter_id=letter.pk) == "failed"
    letter.refresh_from_db()
    assert letter.state == LetterState.FAILED and letter.sent_at is None and letter.mesh_message_id == ""
    assert "could not be rendered" in letter.last_error


def test_practice_mailbox_removed_after_queueing_sends_the_letter_by_hand(
    consultant, django_capture_on_commit_callbacks
):
    episode = lf.discharged_episode(clinician=consultant)
    letter = lf.discharge_letter(episode, actor=consultant)
    with django_capture_on_commit_callbacks(execute=False):
        letter_services.letter_approve(letter=letter, actor=consultant)
    episode.practice.mesh_mailbox = ""
    episode.practice.save()
    assert letter_services.letter_send(letter_id=letter.pk) == "skipped"
    letter.refresh_from_db()
    assert letter.state == LetterState.MANUAL and "no MESH mailbox" in letter.last_error
