"""The demo's feedback (see qms.demo.learning): about 2,500 real comments of the bundled
Friends and Family Test file (qms.text.feedback.DATA_FILE), given to the demo units whose
services match theirs (patient transport to the wards it takes patients to, See and Convey to
the emergency department and receiving wards, 111 to unscheduled care, community health services
to the community teams, mental health and forensic services to theirs), dated over the last 18
months and with their ratings kept. Imported through the service as any file is, in one batch,
so every comment is redacted and classified; Ward 7's negative share and the Emergency
Department's comments about timeliness are tracked as measures."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib

from django.utils import timezone

from qms.learning.models import Feedback, FeedbackMeasure
from qms.learning.services import feedback as services
from qms.people.models import Unit
from qms.text.feedback import DATA_FILE

# The demo's import, found again on a second run (which adds nothing).
FILENAME = "Friends and Family Test, demo extract.csv"
DAYS = 548  # 18 months
# Five of every twelve usable comments of each service: about 2,300.
KEEP, OF = 5, 12
# Service in the file -> demo units (codes) sharing its comments, and the service name shown.
SERVICES = {
    "pts": (("ward-7", "ward-7", "ward-8", "ward-9", "ward-14", "ward-15", "ward-3"),
            "Patient transport"),
    "see and convey": (("ed", "amu", "ward-16"), "Emergency ambulance (see and convey)"),
    "111": (("ed", "miu", "hospital-at-night"), "NHS 111"),
    "local partnerships- mh": (("cmht-north", "crisis", "ward-21"), "Mental health"),
    "community health services": (
        ("dn-north", "dn-south", "treatment-room", "hospital-at-home", "falls"),
        "Community health services",
    ),
    "forensic": (("ward-24", "ld-community"), "Forensic and secure services"),
}  # fmt: skip
# Answers that say nothing: real data, but no use to a demo.
PLACEHOLDERS = {"", "nothing", "n/a", "na", "none", "did not answer", "no comment", "no", "-"}
TRACKED = (("ward-7", ""), ("ed", "Timeliness of care"))


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or timezone.localdate()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=_codes() | {"riverside"})}
    if "riverside" not in units:
        return {}
    top = units["riverside"]
    if not Feedback.objects.filter(batch__filename=FILENAME).exists():
        comments = _comments(today, units)
        services.feedback_import(by=None, unit=top, comments=comments, filename=FILENAME)
    for code, theme in TRACKED:
        if (
            code in units
            and not FeedbackMeasure.objects.filter(unit=units[code], theme=theme).exists()
        ):
            services.feedback_measure_track(by=None, unit=units[code], theme=theme)
    return {
        "feedback comments": Feedback.objects.count(),
        "feedback measures": FeedbackMeasure.objects.count(),
    }


def _codes() -> set[str]:
    return {code for codes, _ in SERVICES.values() for code in codes}


def _comments(today: dt.date, units: dict[str, Unit]) -> list[services.Comment]:
    comments: list[services.Comment] = []
    seen: dict[str, int] = {}
    references: set[str] = set()
    with DATA_FILE.open(encoding="utf-8", newline="") as file:
        for number, record in enumerate(csv.DictReader(file), start=2):
            service = " ".join(record["Service type 1"].replace("\xa0", " ").split()).lower()
            key = next((k for k in SERVICES if service.startswith(k)), None)
            text = " ".join(record["FFT answer"].split())
            if key is None or text.lower().strip(".! ") in PLACEHOLDERS or len(text) < 4:
                continue
            seen[key] = seen.get(key, 0) + 1
            if seen[key] % OF >= KEEP:
                continue
            codes, service_name = SERVICES[key]
            reference = (record["Comment ID"].strip() or f"row-{number}")[:100]
            if reference in references:
                continue
            references.add(reference)
            digest = int(hashlib.sha256(reference.encode()).hexdigest(), 16)
            code = codes[digest % len(codes)]
            if code not in units:
                continue
            rating = record["FFT categorical answer"].strip()
            comments.append(
                services.Comment(
                    row=number,
                    received_on=today - dt.timedelta(days=(digest >> 8) % DAYS),
                    text=text[: services.TEXT_MAX_LENGTH],
                    service=service_name,
                    rating=int(rating) if rating in {"1", "2", "3", "4", "5"} else None,
                    question=" ".join(record["FFT question"].split())[:300],
                    reference=reference,
                    unit=code,
                )
            )
    return comments
