"""The local formulary's starting list and the pure rules that read it (no database here).

The formulary itself is data (``FormularyDrug``, kept by the admin); migration 0005 loads this
starting list. Opioids take their OME factor from the versioned factor table (``careplans.ome``).
"""

from __future__ import annotations

import difflib

MONITORING = {
    "opioid": "Sedation, constipation, falls and signs of dependence; review benefit at each change.",
    "gabapentinoid": "Dizziness, drowsiness and signs of misuse; renal function (reduce the dose if impaired).",
    "tricyclic": "Drowsiness, dry mouth and postural hypotension; ECG if there is cardiac disease.",
    "snri": "Nausea, blood pressure and sodium in older patients.",
    "nsaid": "Renal function, blood pressure and gastrointestinal bleeding; consider a proton pump inhibitor.",
    "paracetamol": "Dose by weight under 50 kg; liver function if at risk.",
    "topical": "Skin reactions at the site of application.",
    "other": "As for the medicine's summary of product characteristics.",
}

# (name, class, routes, usual maximum daily dose in mg or None)
STARTING_LIST: list[tuple[str, str, list[str], int | None]] = [
    ("codeine", "opioid", ["oral"], 240),
    ("dihydrocodeine", "opioid", ["oral"], 240),
    ("tramadol", "opioid", ["oral"], 400),
    ("tapentadol", "opioid", ["oral"], 500),
    ("morphine", "opioid", ["oral"], None),
    ("oxycodone", "opioid", ["oral"], None),
    ("hydromorphone", "opioid", ["oral"], None),
    ("methadone", "opioid", ["oral"], None),
    ("buprenorphine", "opioid", ["transdermal"], None),
    ("fentanyl", "opioid", ["transdermal"], None),
    ("pregabalin", "gabapentinoid", ["oral"], 600),
    ("gabapentin", "gabapentinoid", ["oral"], 3600),
    ("amitriptyline", "tricyclic", ["oral"], 75),
    ("nortriptyline", "tricyclic", ["oral"], 75),
    ("duloxetine", "snri", ["oral"], 120),
    ("ibuprofen", "nsaid", ["oral"], 2400),
    ("naproxen", "nsaid", ["oral"], 1000),
    ("diclofenac", "nsaid", ["oral"], 150),
    ("paracetamol", "paracetamol", ["oral"], 4000),
    ("lidocaine plaster", "topical", ["topical"], 2100),
    ("capsaicin cream", "topical", ["topical"], None),
    ("nefopam", "other", ["oral"], 270),
]


def close_matches(name: str, known) -> list[str]:
    """Formulary names close to what was typed (for the 400 that names an unknown drug)."""
    return difflib.get_close_matches((name or "").strip().lower(), list(known), n=3, cutoff=0.6)


def unknown_drug_message(name: str, known) -> str:
    matches = close_matches(name, known)
    hint = f" Did you mean {', '.join(matches)}?" if matches else " Choose a medicine of the local formulary."
    return f"'{name}' is not in the local formulary.{hint}"
