"""The monthly data set as CSV, written by PostgreSQL itself (``COPY ... TO STDOUT``).

The rows are ``mds_queryset``'s rows, read set-based (``mds_sql``), and the turning of each value into
its CSV text moves from Python (``mds.python_rows``, still used on SQLite) into SQL as well: building
48 strings a row in Python alone caps a data set near 40,000 rows a second.
The pseudonyms are made in Python, as everywhere else (the key never enters SQL text): once per
patient of the month, loaded into a temporary table by ``COPY ... FROM STDIN`` and joined.

Every column is written exactly as the Python rows write it; ``reporting/tests/test_mds_copy.py``
compares the two byte for byte on PostgreSQL. Empty values are SQL NULLs (PostgreSQL's CSV writes
an empty string as ``""`` but a NULL as nothing, which is what ``csv.writer`` writes for ``""``),
and lines end in CRLF, as ``csv.writer`` ends them.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date

from django.db import connection, transaction

from pathway.models import Commissioner

from ..kpis import month_last_day
from ..pseudonyms import pseudonym, pseudonym_key_version_in_force
from .mds import AGE_BANDS, MDS_COLUMNS, python_rows
from .mds_sql import mds_sql

ACTIVE = "mds_active"
ROWS = "mds_rows"
PSEUDONYMS = "mds_pseudonyms"


def _date(column: str) -> str:
    """ISO 8601 (the transaction sets DateStyle to ISO)."""
    return f"r.{column}::text"


def _yn(expression: str) -> str:
    return f"CASE WHEN {expression} THEN 'Y' WHEN NOT {expression} THEN 'N' END"


def _text(column: str) -> str:
    return f"NULLIF(r.{column}::text, '')"


def _worked_out(end: date) -> str:
    """Values used more than once, worked out once a row: the age at month end (as mds.age_band) and
    the postcode trimmed and in capitals (as mds.postcode_district)."""
    age = (
        f"{end.year} - extract(year FROM r.date_of_birth)::int"
        f" - CASE WHEN ({end.month}, {end.day}) < (extract(month FROM r.date_of_birth)::int,"
        " extract(day FROM r.date_of_birth)::int) THEN 1 ELSE 0 END"
    )
    compact = r"upper(regexp_replace(coalesce(r.postcode, ''), '^\s+|\s+$', '', 'g'))"
    return f"CROSS JOIN LATERAL (SELECT {age} AS age, {compact} AS postcode) w"


def _age_band() -> str:
    bands = " ".join(f"WHEN w.age BETWEEN {low} AND {high} THEN '{low}-{high}'" for low, high in AGE_BANDS)
    return f"CASE WHEN r.date_of_birth IS NULL THEN NULL {bands} WHEN w.age >= 80 THEN '80+' ELSE 'under 18' END"


# The outward code, as mds.postcode_district: the first word when there is a space, else all but the
# last three characters (nothing for three or fewer).
_POSTCODE_DISTRICT = (
    "NULLIF(CASE WHEN position(' ' IN w.postcode) > 0 THEN regexp_replace(w.postcode, '\\s.*$', '')"
    " WHEN length(w.postcode) > 3 THEN left(w.postcode, -3) ELSE '' END, '')"
)


def _select_list(month: date) -> str:
    end = month_last_day(month)
    end_sql = f"DATE '{end.isoformat()}'"
    closed_by_end = f"(r.closed_on IS NOT NULL AND r.closed_on <= {end_sql})"
    incomplete = (
        f"(r.rtt_clock_start IS NOT NULL AND (r.rtt_clock_stop IS NULL OR r.rtt_clock_stop > {end_sql})"
        f" AND NOT {closed_by_end})"
    )
    sent_on = "(r.letter_sent_at AT TIME ZONE 'Europe/London')::date"
    columns = {
        "month": f"'{month:%Y-%m}'",
        "commissioner_code": _text("commissioner_code"),
        "practice_ods": _text("practice_ods"),
        "patient_pseudonym": "p.pseudonym",
        # f"EP{id:07d}": at least seven digits.
        "episode_reference": "'EP' || CASE WHEN r.id < 10000000 THEN lpad(r.id::text, 7, '0') ELSE r.id::text END",
        "age_band": _age_band(),
        "sex": _text("sex"),
        "postcode_district": _POSTCODE_DISTRICT,
        "referral_received_on": _date("received_on"),
        "urgency": _text("urgency"),
        "triage_outcome": _text("triage_outcome"),
        "triage_decided_on": _date("triage_decided_on"),
        "triage_on_time": (
            f"CASE WHEN r.triage_decided_on IS NOT NULL AND r.referral_triage_due_on IS NOT NULL"
            f" THEN {_yn('r.triage_on_time')} END"
        ),
        "tier": "r.tier::text",
        "state": _text("state"),
        "admitted_on": _date("admitted_on"),
        "rtt_clock_start": _date("rtt_clock_start"),
        "rtt_clock_stop": _date("rtt_clock_stop"),
        "rtt_status_code": _text("rtt_status_code"),
        # pathway.rtt.days_waited: whole days from the clock start.
        "rtt_days_waited_at_month_end": f"CASE WHEN {incomplete} THEN ({end_sql} - r.rtt_clock_start)::text END",
        "new_attendances": "r.new_attendances::text",
        "review_attendances": "r.review_attendances::text",
        "group_attendances": "r.group_attendances::text",
        "dnas": "r.dnas::text",
        "care_plan_shared": _yn("r.care_plan_shared"),
        "discharged_on": _date("discharged_on"),
        "discharge_reason": _text("discharge_reason"),
        "discharge_letter_sent_on": f"{sent_on}::text",
        "discharge_letter_on_time": (
            f"CASE WHEN r.letter_sent_at IS NOT NULL AND r.letter_due_on IS NOT NULL THEN {_yn('r.letter_on_time')} END"
        ),
        # Scores are stored to at most 4 decimal places (outcomes.scoring), so PostgreSQL's shortest
        # float text equals Python's f"{value:g}" for every one of them.
        "pseq_entry": "r.pseq_entry::text",
        "pseq_discharge": "r.pseq_discharge::text",
        "bpi_interference_entry": "r.bpi_entry::text",
        "bpi_interference_discharge": "r.bpi_discharge::text",
        "eq5d_index_entry": "r.eq5d_entry::text",
        "eq5d_index_discharge": "r.eq5d_discharge::text",
        "pseq_followup": "r.pseq_followup::text",
        "bpi_interference_followup": "r.bpi_followup::text",
        "eq5d_index_followup": "r.eq5d_followup::text",
        "experience_answers": "r.experience_answers::text",
        "experience_positive": "r.experience_positive::text",
        "ome_first_attendance_mg": "r.ome_first_attendance_mg::text",
        "ome_discharge_mg": "r.ome_discharge_mg::text",
        "over_9_months": _yn("r.over_9_months"),
        "extension_approved": _yn("r.extension_approved"),
        "extension_state": _text("extension_state"),
        "prescribing_advice_letters": "r.prescribing_advice_letters::text",
        "prescribing_advice_on_time": "r.prescribing_advice_on_time::text",
    }
    assert list(columns) == MDS_COLUMNS, "every data set column is written, in order"
    return ",\n       ".join(columns.values())


class _Lines(io.TextIOBase):
    """Text made line by line as COPY reads it, so the month's pseudonyms are never all in memory at once."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        parts, length = [self._pending], len(self._pending)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if size is not None and 0 <= size <= length:
                break
        text = "".join(parts)
        if size is None or size < 0:
            self._pending = ""
            return text
        self._pending = text[size:]
        return text[:size]


class _CrlfText(io.TextIOBase):
    """Passes PostgreSQL's CSV text on with CRLF line ends (no value of the data set holds a newline)."""

    def __init__(self, handle):
        self.handle = handle

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.handle.write(text.replace("\n", "\r\n"))
        return len(text)


def mds_copy_csv(handle, commissioner: Commissioner | None, month: date) -> int:
    """Write the month's data set, header first, to a text ``handle``; returns the number of data rows.

    PostgreSQL only; the caller has checked the pseudonym key (``mds_csv``). Inside one transaction: the
    month's episodes into a temporary table (analysed), their rows into another, the pseudonyms of their
    patients into a third, then one ``COPY`` of the formatted rows.
    """
    active_sql, rows_sql, params = mds_sql(commissioner, month, active=ACTIVE)
    # Only the module's constants and SQL made from date objects are put into the statements' text;
    # every value from a request travels in ``params`` or through COPY's data.
    formatted = (
        f"COPY (SELECT {_select_list(month)}\n  FROM {ROWS} r {_worked_out(month_last_day(month))}"  # noqa: S608
        f" LEFT JOIN {PSEUDONYMS} p ON p.patient_id = r.patient_id\n ORDER BY r.id) TO STDOUT WITH (FORMAT csv)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ACTIVE}, {ROWS}, {PSEUDONYMS}")
        # Memory for the sorts and hashes of one month's rows (about 150,000 at a million referrals).
        cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL DateStyle = 'ISO, YMD'")
        cursor.execute(f"CREATE TEMPORARY TABLE {ACTIVE} ON COMMIT DROP AS {active_sql}", params)
        cursor.execute(f"ANALYZE {ACTIVE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {ROWS} ON COMMIT DROP AS {rows_sql}", params)
        cursor.execute(f"SELECT DISTINCT patient_id FROM {ROWS}")  # noqa: S608
        patients = [patient_id for (patient_id,) in cursor.fetchall()]
        cursor.execute(
            f"CREATE TEMPORARY TABLE {PSEUDONYMS} (patient_id integer PRIMARY KEY, pseudonym text) ON COMMIT DROP"
        )
        lines = _Lines(f"{patient_id}\t{pseudonym(patient_id)}\n" for patient_id in patients)
        cursor.cursor.copy_expert(f"COPY {PSEUDONYMS} (patient_id, pseudonym) FROM STDIN", lines)
        csv.writer(handle).writerow(MDS_COLUMNS)
        cursor.cursor.copy_expert(formatted, _CrlfText(handle))
        rows = cursor.cursor.rowcount
        cursor.execute(f"DROP TABLE {ACTIVE}, {ROWS}, {PSEUDONYMS}")
    return rows


def mds_csv(handle, commissioner: Commissioner | None, month: date) -> int:
    """Write the month's data set as CSV to a text ``handle``; returns the number of data rows. PostgreSQL
    writes it (``mds_copy_csv``); elsewhere the rows are built in Python, one at a time. The pseudonym key
    is checked first, so a silently changed key stops the data set before any row is written."""
    pseudonym_key_version_in_force()
    return _write(handle, commissioner, month)


def _write(handle, commissioner: Commissioner | None, month: date) -> int:
    if connection.vendor == "postgresql":
        return mds_copy_csv(handle, commissioner, month)
    writer = csv.writer(handle)
    rows = -1
    for row in python_rows(commissioner, month):
        writer.writerow(row)
        rows += 1
    return rows


def mds_csv_chunks(commissioner: Commissioner | None, month: date, *, chunk_size: int = 64 * 1024) -> Iterator[str]:
    """The data set as CSV text in chunks, for a streamed download. The key is checked first (a 409
    before the response starts); the file is made in a spooled temporary file, so memory stays flat."""
    pseudonym_key_version_in_force()
    return _chunks(commissioner, month, chunk_size)


def _chunks(commissioner: Commissioner | None, month: date, chunk_size: int) -> Iterator[str]:
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", newline="", encoding="utf-8") as handle:
        _write(handle, commissioner, month)
        handle.seek(0)
        while chunk := handle.read(chunk_size):
            yield chunk
