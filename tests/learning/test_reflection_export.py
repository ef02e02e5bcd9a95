"""The NMC revalidation reflective account: the four questions of the NMC's form answered from
the reflection's Gibbs stages, the Code's themes, as a printable page and a PDF, for the author
only; text with a patient identifier never reaches it because it is refused on entry."""

import re
import zlib

from django.urls import reverse

from learning.reflection_support import *  # noqa: F403
from learning.reflection_support import write
from qms.learning import reflection_export


def _pdf_text(pdf: bytes) -> str:
    """The text drawn by a Helvetica PDF of fpdf2: its content streams inflated, the strings of
    its text operators joined (enough to read what it says without a PDF library)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        text += re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", content, re.S)
    return " ".join(part.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for part in text)


def test_it_answers_the_four_questions_of_the_nmc_form(reflection):
    account = reflection_export.nmc_account(reflection)
    assert [a.question for a in account.answers] == list(reflection_export.NMC_QUESTIONS)
    assert account.answers[0].paragraphs == [("Description", reflection.description)]
    assert [stage for stage, _ in account.answers[1].paragraphs] == [
        "Evaluation",
        "Analysis",
        "Conclusion",
    ]
    assert account.answers[2].paragraphs == [("Action plan", reflection.action_plan)]
    assert account.themes == [
        ("Prioritise people", False),
        ("Practise effectively", True),
        ("Preserve safety", True),
        ("Promote professionalism and trust", False),
    ]
    # Feelings are the author's: the account asks what was learned.
    assert all(reflection.feelings not in text for a in account.answers for _, text in a.paragraphs)


def test_it_writes_the_account_into_the_pdf(reflection):
    pdf = reflection_export.render_pdf(reflection_export.nmc_account(reflection), font=None)
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf)
    for expected in (
        "Reflective account form",
        "Handover after a fall",
        "Nina Nurse",
        "04 May 2026",
        "What was the nature of the CPD activity",
        "A fall at 3 am; the handover missed the falls risk.",
        "The handover sheet has no falls field.",
        "How did you change or improve your practice as a result?",
        "Propose a falls field on the handover sheet.",
        "How is this relevant to the Code?",
        "[X] Preserve safety",
        "[ ] Prioritise people",
        "must not include any information that might identify",
    ):
        assert expected in text, expected
    assert "Worried that I had missed it." not in text


def test_it_writes_a_pdf_with_a_unicode_font_when_the_machine_has_one(nurse):
    reflection = write(nurse, title="Réflexion – ward 7 “nights”", description="Zoë’s idea 😊")
    pdf = reflection_export.render_pdf(reflection_export.nmc_account(reflection))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    latin = reflection_export.render_pdf(reflection_export.nmc_account(reflection), font=None)
    assert "Réflexion - ward 7" in _pdf_text(latin)


def test_it_serves_the_pdf_and_the_printable_page_to_the_author(client, nurse, reflection):
    client.force_login(nurse)
    response = client.get(reverse("learning:reflection-nmc-pdf", args=[reflection.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    page = client.get(reverse("learning:reflection-nmc", args=[reflection.pk]))
    assert "How is this relevant to the Code?" in page.text
    assert "Preserve safety: chosen" in page.text
    assert "Download as PDF" in page.text


def test_it_refuses_a_patient_identifier_so_none_reaches_the_export(client, nurse):
    client.force_login(nurse)
    data = {
        "title": "A fall",
        "happened_on": "2026-05-04",
        "description": "Patient NHS number 943 476 5919 fell.",
        "sharing": "private",
    }
    response = client.post(reverse("learning:reflection-create"), data)
    assert response.status_code == 400
    assert "NHS number" in response.text
    assert not nurse.reflections.exists()
