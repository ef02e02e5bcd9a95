"""A reflection in the layout of the NMC's reflective accounts form for revalidation (Nursing and
Midwifery Council, "Reflective accounts form", revalidation guidance 2019): the four questions
and the themes of the Code, as a printable page and an A4 PDF.

Gibbs' stages map onto the questions: the description is the nature of the experience; the
evaluation, analysis and conclusion are what was learned; the action plan is how practice
changed. The feelings stay out of the account: the NMC asks what was learned, and a nurse's
feelings are theirs to share or not (they remain on the reflection itself).

No patient-identifiable data can reach the export from QMS: every text of a reflection was
screened on entry (`qms.web.screening.ScreenedForm`: NHS and CHI numbers refused, dates of birth
and names with titles prompted), and the account names no linked record's patients."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qms.learning.models import Reflection
from qms.learning.services.reflection import CODE_THEMES

__all__ = ["NMC_QUESTIONS", "NmcAccount", "nmc_account", "render_pdf"]

NMC_QUESTIONS = (
    "What was the nature of the CPD activity and/or practice-related feedback and/or event or "
    "experience in your practice?",
    "What did you learn from the CPD activity and/or feedback and/or event or experience in your "
    "practice?",
    "How did you change or improve your practice as a result?",
    "How is this relevant to the Code? Select one or more themes: Prioritise people, Practise "
    "effectively, Preserve safety, Promote professionalism and trust.",
)
IDENTIFIERS_NOTE = (
    "You must not include any information that might identify a specific patient, service user "
    "or colleague. The text of this account was screened for patient identifiers when it was "
    "written in QMS."
)

_UNICODE_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."})


@dataclass(frozen=True)
class Answer:
    question: str
    paragraphs: list[tuple[str, str]]  # (the Gibbs stage it comes from, its text)


@dataclass(frozen=True)
class NmcAccount:
    title: str
    author: str
    happened_on: str
    answers: list[Answer]
    themes: list[tuple[str, bool]]  # every theme of the Code, and whether it was chosen


def _paragraphs(reflection: Reflection, *fields: str) -> list[tuple[str, str]]:
    rows = []
    for name in fields:
        value = (getattr(reflection, name) or "").strip()
        if value:
            rows.append((str(Reflection._meta.get_field(name).verbose_name).capitalize(), value))
    return rows


def nmc_account(reflection: Reflection) -> NmcAccount:
    """The reflection's answers to the NMC form's four questions."""
    chosen = set(reflection.code_themes or [])
    themes = [(label, key in chosen) for key, label in CODE_THEMES.items()]
    themes_text = ", ".join(label for label, on in themes if on) or "No theme chosen yet."
    return NmcAccount(
        title=reflection.title,
        author=str(reflection.author),
        happened_on=f"{reflection.happened_on:%d %B %Y}",
        answers=[
            Answer(NMC_QUESTIONS[0], _paragraphs(reflection, "description")),
            Answer(
                NMC_QUESTIONS[1], _paragraphs(reflection, "evaluation", "analysis", "conclusion")
            ),
            Answer(NMC_QUESTIONS[2], _paragraphs(reflection, "action_plan")),
            Answer(NMC_QUESTIONS[3], [("Themes of the Code", themes_text)]),
        ],
        themes=themes,
    )


def _unicode_font() -> Path | None:
    for name in _UNICODE_FONTS:
        if Path(name).is_file():
            return Path(name)
    return None


def render_pdf(account: NmcAccount, *, font: Path | None | bool = True) -> bytes:
    """The account as an A4 PDF (fpdf2). `font=True` finds a Unicode font on the machine (for
    names and text beyond Latin-1), falling back to Helvetica; `font=None` forces Helvetica."""
    from fpdf import FPDF

    chosen = _unicode_font() if font is True else font or None
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    if chosen:
        pdf.add_font("Account", "", str(chosen))
        bold = chosen.with_name(chosen.stem.replace("-Regular", "") + "-Bold.ttf")
        pdf.add_font("Account", "B", str(bold if bold.is_file() else chosen))
        family = "Account"

        def text(value: str) -> str:
            return value

    else:
        family = "Helvetica"

        def text(value: str) -> str:
            return value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(text(f"Reflective account: {account.title}"))
    pdf.set_author(text(account.author))
    pdf.set_creator("QMS")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw
    ink, muted = (29, 43, 54), (76, 98, 114)

    def line(words: str, size: float, style: str = "", colour=ink, after: float = 1.5) -> None:
        pdf.set_font(family, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.5, text(words), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(after)

    line("Reflective account form", 18, "B")
    line("For NMC revalidation: one of five written reflective accounts.", 10, colour=muted)
    line(f"Reflective account: {account.title}", 12, "B")
    line(
        f"Written by {account.author}. Date of the event or experience: {account.happened_on}.", 10
    )
    line(IDENTIFIERS_NOTE, 9, colour=muted, after=4)
    for number, answer in enumerate(account.answers, start=1):
        line(f"{number}. {answer.question}", 11, "B", after=2)
        if not answer.paragraphs:
            line("Not written yet.", 10, colour=muted)
        for stage, words in answer.paragraphs:
            if len(answer.paragraphs) > 1:
                line(stage, 9, "B", colour=muted, after=0.5)
            line(words, 10)
        pdf.ln(3)
    line("Themes of the Code", 11, "B")
    for label, on in account.themes:
        line(f"[{'X' if on else ' '}] {label}", 10, after=0.5)
    return bytes(pdf.output())
