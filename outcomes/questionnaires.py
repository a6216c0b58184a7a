"""The wording and page structure of the questionnaires patients answer through their link.

One question group per page ("step"). Answers are kept flat by field name in
``PromInvitation.partial_answers`` so a patient can stop and come back; ``assemble`` turns them
into the answers each instrument's scoring takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Instrument, Timepoint
from .scoring import EQ5D_DIMENSIONS

PSEQ_TEXT = [
    "I can enjoy things, despite the pain.",
    "I can do most of the household chores (e.g. tidying up, washing dishes), despite the pain.",
    "I can socialise with my friends or family members as often as I used to, despite the pain.",
    "I can cope with my pain in most situations.",
    "I can do some form of work, despite the pain (work includes housework, paid and unpaid work).",
    "I can still do many of the things I enjoy doing, such as hobbies or leisure activity, despite pain.",
    "I can cope with my pain without medication.",
    "I can still accomplish most of my goals in life, despite the pain.",
    "I can live a normal lifestyle, despite the pain.",
    "I can gradually become more active, despite the pain.",
]
PSEQ_ANCHORS = ("0 = not at all confident", "6 = completely confident")

BPI_SEVERITY_TEXT = [
    "Your pain at its worst in the last 24 hours",
    "Your pain at its least in the last 24 hours",
    "Your pain on average",
    "How much pain you have right now",
]
BPI_SEVERITY_ANCHORS = ("0 = no pain", "10 = pain as bad as you can imagine")
BPI_INTERFERENCE_TEXT = [
    "General activity",
    "Mood",
    "Walking ability",
    "Normal work (both work outside the home and housework)",
    "Relations with other people",
    "Sleep",
    "Enjoyment of life",
]
BPI_INTERFERENCE_ANCHORS = ("0 = does not interfere", "10 = completely interferes")

EQ5D_TEXT = {
    "mobility": (
        "Mobility",
        [
            "I have no problems in walking about",
            "I have slight problems in walking about",
            "I have moderate problems in walking about",
            "I have severe problems in walking about",
            "I am unable to walk about",
        ],
    ),
    "self_care": (
        "Self-care",
        [
            "I have no problems washing or dressing myself",
            "I have slight problems washing or dressing myself",
            "I have moderate problems washing or dressing myself",
            "I have severe problems washing or dressing myself",
            "I am unable to wash or dress myself",
        ],
    ),
    "usual_activities": (
        "Usual activities (e.g. work, study, housework, family or leisure activities)",
        [
            "I have no problems doing my usual activities",
            "I have slight problems doing my usual activities",
            "I have moderate problems doing my usual activities",
            "I have severe problems doing my usual activities",
            "I am unable to do my usual activities",
        ],
    ),
    "pain_discomfort": (
        "Pain / discomfort",
        [
            "I have no pain or discomfort",
            "I have slight pain or discomfort",
            "I have moderate pain or discomfort",
            "I have severe pain or discomfort",
            "I have extreme pain or discomfort",
        ],
    ),
    "anxiety_depression": (
        "Anxiety / depression",
        [
            "I am not anxious or depressed",
            "I am slightly anxious or depressed",
            "I am moderately anxious or depressed",
            "I am severely anxious or depressed",
            "I am extremely anxious or depressed",
        ],
    ),
}


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    choices: list[tuple[int | str, str]] = field(default_factory=list)
    kind: str = "radio"  # radio, scale (inline numbers), number, text
    hint: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    questions: list[Question]


def _scale(low: int, high: int) -> list[tuple[int, str]]:
    return [(i, str(i)) for i in range(low, high + 1)]


PSEQ_STEPS = [
    Step(
        key=f"pseq_{part + 1}",
        title=f"How confident you are (part {part + 1} of 2)",
        hint="Rate how confident you are that you can do these things at present, despite the pain. "
        f"{PSEQ_ANCHORS[0]}, {PSEQ_ANCHORS[1]}.",
        questions=[
            Question(name=f"pseq_item_{i + 1}", label=PSEQ_TEXT[i], choices=_scale(0, 6), kind="scale")
            for i in range(part * 5, part * 5 + 5)
        ],
    )
    for part in range(2)
]
BPI_STEPS = [
    Step(
        key="bpi_severity",
        title="Your pain",
        hint=f"Choose the number that best describes your pain. {BPI_SEVERITY_ANCHORS[0]}, {BPI_SEVERITY_ANCHORS[1]}.",
        questions=[
            Question(name=f"bpi_severity_{i + 1}", label=text, choices=_scale(0, 10), kind="scale")
            for i, text in enumerate(BPI_SEVERITY_TEXT)
        ],
    ),
    Step(
        key="bpi_interference",
        title="How pain has interfered with your life in the last 24 hours",
        hint=f"{BPI_INTERFERENCE_ANCHORS[0]}, {BPI_INTERFERENCE_ANCHORS[1]}.",
        questions=[
            Question(name=f"bpi_interference_{i + 1}", label=text, choices=_scale(0, 10), kind="scale")
            for i, text in enumerate(BPI_INTERFERENCE_TEXT)
        ],
    ),
]
EQ5D_STEPS = [
    Step(
        key="eq5d_profile",
        title="Your health today",
        hint="Under each heading, choose the one statement that best describes your health today.",
        questions=[
            Question(
                name=f"eq5d_{dim}",
                label=EQ5D_TEXT[dim][0],
                choices=[(level, text) for level, text in enumerate(EQ5D_TEXT[dim][1], start=1)],
            )
            for dim in EQ5D_DIMENSIONS
        ],
    ),
    Step(
        key="eq5d_vas",
        title="How good or bad your health is today",
        hint="100 means the best health you can imagine, 0 the worst health you can imagine.",
        questions=[Question(name="eq5d_vas", label="Your health today, from 0 to 100", kind="number")],
    ),
]
EXPERIENCE_STEP = Step(
    key="experience",
    title="Your experience of the pain service",
    hint="Your answers help us improve the service. They are not shared with the staff who treated you by name.",
    questions=[
        Question(
            name="experience_positive",
            label="Overall, was your experience of the service good?",
            choices=[("yes", "Yes, it was good"), ("no", "No, it was not good")],
        ),
        Question(name="experience_comments", label="Anything you would like to tell us", kind="text"),
    ],
)

INSTRUMENT_STEPS = {Instrument.PSEQ: PSEQ_STEPS, Instrument.BPI: BPI_STEPS, Instrument.EQ5D5L: EQ5D_STEPS}


def steps_for(instruments: list[str], timepoint: str) -> list[Step]:
    steps = [step for instrument in instruments for step in INSTRUMENT_STEPS[instrument]]
    if timepoint == Timepoint.DISCHARGE:
        steps.append(EXPERIENCE_STEP)
    return steps


def assemble(instrument: str, flat: dict) -> dict:
    """The answers of one instrument from the flat saved answers (None for a blank item)."""
    if instrument == Instrument.PSEQ:
        return {"items": [flat.get(f"pseq_item_{i}") for i in range(1, 11)]}
    if instrument == Instrument.BPI:
        return {
            "severity": [flat.get(f"bpi_severity_{i}") for i in range(1, 5)],
            "interference": [flat.get(f"bpi_interference_{i}") for i in range(1, 8)],
        }
    answers = {dim: flat.get(f"eq5d_{dim}") for dim in EQ5D_DIMENSIONS}
    answers["vas"] = flat.get("eq5d_vas")
    return answers
