"""Words that blame a person, in an account of what went wrong (pure; no Django).

A system-focused analysis asks what in the system allowed something to happen, never who: people
make slips and take shortcuts where the work, the equipment, the staffing or the information
make them likely, and naming the person stops the question there (Reason, *Human error*, 1990;
the Yorkshire Contributory Factors Framework, Lawton et al., BMJ Qual Saf 2012). `find_blame`
finds the language that blames, for a page to prompt, gently, to rephrase around the system;
never to refuse (the writer may keep their words).

It finds:

- words that judge a person: "careless", "negligent", "lazy", "incompetent", "sloppy";
- phrases about what someone failed to do: "failed to", "should have", "neglected to",
  "forgot to" (not when a thing is the subject: "the pump failed to alarm" is about the system);
- fault: "his fault", "her fault", "at fault", "to blame";
- "human error" (and user or operator error), which ends the analysis at the person;
- a person as the subject of a failure: "nurse X forgot", "Dr Smith missed", "the porter
  ignored", "she didn't check".

>>> [f.kind for f in find_blame("A careless error: she should have checked the dose")]
['judging_word', 'failure_phrase']
>>> find_blame("The pump's alarm was silenced because the ward was short of two nurses")
[]

Patterns are bounded (`\\s{1,3}`, fixed alternations, names of at most 30 letters) and every
match is checked with a constant amount of work, so the check stays linear in the text's length
like the rest of `qms.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["KINDS", "SYSTEM_DOMAINS", "SYSTEM_QUESTION", "Finding", "SystemDomain", "find_blame"]


@dataclass(frozen=True)
class Finding:
    """Language that blames a person: `kind` (one of KINDS), the matched `text` and where it
    is (`start`, `end`)."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def description(self) -> str:
        """What was found, in words for the person who wrote it."""
        return KINDS[self.kind]


@dataclass(frozen=True)
class SystemDomain:
    """A part of the work system an analysis asks about (SEIPS, Carayon et al., Qual Saf
    Health Care 2006; the Yorkshire framework's situational, local and organisational levels):
    its `code`, its `name` and the `question` asked about it."""

    code: str
    name: str
    question: str


# The question every account of what went wrong is asked first, and the parts of the system it
# names, each with its own question. The person appears only as the conditions they worked in.
SYSTEM_QUESTION = (
    "What in the task, tools, environment, team or organisation made this more likely?"
)
SYSTEM_DOMAINS = (
    SystemDomain(
        "task",
        "Task",
        "What about the task (its steps, its complexity, interruptions, time pressure) made "
        "this more likely?",
    ),
    SystemDomain(
        "tools",
        "Tools and equipment",
        "What about the equipment, IT systems, forms or information at hand made this more likely?",
    ),
    SystemDomain(
        "environment",
        "Environment",
        "What about the place (layout, space, noise, light, time of day) made this more likely?",
    ),
    SystemDomain(
        "team",
        "Team",
        "What about how the team communicated, handed over and supported each other made this "
        "more likely?",
    ),
    SystemDomain(
        "organisation",
        "Organisation",
        "What about staffing, rotas, policies, training or priorities made this more likely?",
    ),
    SystemDomain(
        "conditions",
        "The person's conditions",
        "What about the conditions people worked in (fatigue, workload, experience for the "
        "task, support available), not who they are, made this more likely?",
    ),
)

KINDS = {
    "judging_word": "a word that judges a person",
    "failure_phrase": "a phrase about what someone failed to do",
    "fault": "a phrase that finds fault with someone",
    "human_error": "“human error”, which stops the question at the person",
    "person_failed": "a person as the subject of a failure",
}

_S = r"\s{1,3}"
_APOSTROPHE = "['’]"

_JUDGING_WORDS = re.compile(
    r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|incompeten(?:t|ce)|lazy|laziness|sloppy"
    r"|reckless(?:ly|ness)?|inattentive|complacen(?:t|cy)|irresponsible|unprofessional"
    rf"|stupid(?:ity)?|idiot(?:ic)?|useless|lack{_S}of{_S}(?:care|attention)"
    rf"|(?:poor|bad){_S}attitude|not{_S}paying{_S}attention|didn{_APOSTROPHE}t{_S}pay{_S}attention"
    rf"|did{_S}not{_S}pay{_S}attention)\b",
    re.IGNORECASE,
)
# "Failure to rescue", "failure to thrive": names of clinical measures and conditions, not of
# what a person failed to do.
_CLINICAL_FAILURES = r"(?i:rescue|thrive|progress|wean|capture|launch)\b"
_FAILURE_PHRASES = re.compile(
    rf"\b(?:fail(?:ed|s)?{_S}to|failure{_S}to(?!{_S}{_CLINICAL_FAILURES})|neglect(?:ed|s)?{_S}to|forg(?:ot|ets|et){_S}to"
    rf"|omitted{_S}to|should{_S}(?:have|not{_S}have)|should{_APOSTROPHE}ve"
    rf"|shouldn{_APOSTROPHE}t{_S}have|ought{_S}(?:to|not{_S}to){_S}have"
    rf"|could{_S}have{_S}(?:prevented|avoided|stopped)|(?:was|were){_S}(?:supposed|meant){_S}to)\b",
    re.IGNORECASE,
)
_FAULT = re.compile(
    rf"\b(?:(?P<owner>his|her|their|your|my|\w{{1,30}}{_APOSTROPHE}s){_S}(?:own{_S})?fault"
    rf"|at{_S}fault|to{_S}blame|(?:is|was|were|are){_S}blamed"
    rf"|blame(?:d|s)?{_S}(?:him|her|them|the{_S}(?:nurse|doctor|staff)))\b",
    re.IGNORECASE,
)
_HUMAN_ERROR = re.compile(
    rf"\b(?:human|user|operator|staff|nurse|nursing|doctor|individual|personal){_S}errors?\b",
    re.IGNORECASE,
)
# Who: a role ("the nurse", "staff nurse Jones", "the FY1"), a title and a name ("Dr Smith"),
# "he" or "she", or a capitalised word read as a name ("Sarah"); followed by a failure verb,
# perhaps after one adverb ("just forgot"). Case matters for names, so the words are matched
# case-insensitively one group at a time ((?i:...)) and a name must start with a capital.
_ROLES = (
    r"nurse|nurses|doctor|doctors|dr|consultant|registrar|surgeon|midwife|pharmacist|porter"
    r"|hca|healthcare{_S}assistant|physio|physiotherapist|therapist|receptionist|clerk|sister"
    r"|charge{_S}nurse|student|junior|locum|agency{_S}nurse|fy1|fy2|sho|anaesthetist"
    r"|paramedic|carer|care{_S}worker|staff{_S}member|staff|colleague|manager|worker"
).replace("{_S}", _S)
# A name, or the letter that stands for one in an account ("nurse X"); "O'Brien", "McDonald".
_NAME = r"(?-i:(?:[A-Z]['’]|Ma?c)?[A-Z](?:[a-z]{1,30}(?:-[A-Z][a-z]{1,30})?)?)"
_WHO = (
    rf"(?P<who>(?i:(?:the{_S}|a{_S}|our{_S})?(?:{_ROLES}))(?:{_S}{_NAME})?"
    rf"|(?i:mrs|mr|ms|miss|mx|dr)\.?{_S}{_NAME}|(?i:he|she)|{_NAME})"
)
# "Agency staff did not know", "the nurse didn't have the key": what people were not told or
# given is about the system, not a failure of theirs.
_NOT_TOLD = r"(?i:know|have|get|receive|hear|see|understand|realise|realize)\b"
_FAILURE_VERB = (
    rf"(?i:forgot|missed|ignored|neglected|overlooked|failed|botched|messed{_S}up"
    rf"|(?:did{_S}not|didn{_APOSTROPHE}t)(?!{_S}{_NOT_TOLD})|made{_S}(?:an?{_S})?(?:error|mistake|slip)s?"
    rf"|was{_S}careless|was{_S}negligent|wasn{_APOSTROPHE}t{_S}(?:paying|careful|thinking))"
)
_ADVERB = r"(?i:just|simply|then|also|again|clearly|obviously|completely|totally)"
# "Dr Patel who missed it" names the person as much as "Dr Patel missed it".
_PERSON_FAILED = re.compile(rf"\b{_WHO}{_S}(?:(?i:who){_S})?(?:{_ADVERB}{_S})?{_FAILURE_VERB}\b")

# Things, not people: an account that says what a thing failed to do is about the system.
_THINGS = frozenset(
    """
    it this that there which what who nothing alarm alarms system systems process processes
    pump pumps device devices machine machines equipment software computer computers printer
    monitor monitors policy policies procedure procedures rota rotas form forms design handover
    handovers protocol protocols pathway pathways referral referrals check checks checklist
    checklists screen screens scanner label labels supply supplies delivery service services
    record records ward wards team teams unit board trust organisation hospital lift bed beds
    phone phones pager pagers bleep bleeps ehr epr app application interface tool tools
    training guidance guideline guidelines request requests order orders test tests result
    results sample samples transport communication communications information message messages
    email emails letter letters booking bookings appointment appointments schedule
    pharmacy pharmacies theatre theatres radiology laboratory lab labs estates switchboard
    portering catering ambulance ambulances clinic clinics department departments
    observation observations obs medication medications medicine medicines dose doses drug
    drugs bloods scan scans note notes copy copies upload uploads backup backups
    """.split()
)
# Capitalised words at the start of a sentence that are not names.
_NOT_NAMES = _THINGS | frozenset(
    """
    the a an we they you i everyone someone somebody nobody anyone all patient patients
    family relatives if when then so but and however also after before because although
    during while once later again monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    """.split()
)
_LAST_WORD = re.compile(r"(\w+)\W{0,3}$")
# The words before a failure phrase that are read to find its subject: a constant amount.
_LOOK_BACK = 40


def _subject_is_a_thing(text: str, start: int) -> bool:
    """Whether the word just before `start` names a thing ("the pump failed to")."""
    before = _LAST_WORD.search(text[max(0, start - _LOOK_BACK) : start])
    return before is not None and before.group(1).lower() in _THINGS


def _owner_is_no_one(owner: str | None) -> bool:
    """Whether "X's fault" names no person: "nobody's fault", "the system's fault"."""
    if not owner:
        return False
    word = owner[:-2].lower()
    return word in _THINGS or word in {"nobody", "one", "noone", "anyone", "anybody"}


def find_blame(text: str) -> list[Finding]:
    """Every phrase in `text` that blames a person, in order of position.

    >>> [(f.kind, f.text) for f in find_blame("It was human error: nurse Jones forgot the dose")]
    [('human_error', 'human error'), ('person_failed', 'nurse Jones forgot')]
    >>> find_blame("The infusion pump failed to alarm; the rota left one nurse for 12 beds")
    []
    """
    if not text:
        return []
    findings = [
        Finding("judging_word", m.group(), m.start(), m.end())
        for m in _JUDGING_WORDS.finditer(text)
    ]
    findings += [
        Finding("failure_phrase", m.group(), m.start(), m.end())
        for m in _FAILURE_PHRASES.finditer(text)
        if not _subject_is_a_thing(text, m.start())
    ]
    findings += [
        Finding("fault", m.group(), m.start(), m.end())
        for m in _FAULT.finditer(text)
        if not _owner_is_no_one(m.group("owner"))
    ]
    findings += [
        Finding("human_error", m.group(), m.start(), m.end()) for m in _HUMAN_ERROR.finditer(text)
    ]
    for match in _PERSON_FAILED.finditer(text):
        if match.group("who").lower() in _NOT_NAMES:
            continue
        findings.append(Finding("person_failed", match.group(), match.start(), match.end()))
    findings.sort(key=lambda finding: finding.start)
    return _without_overlaps(findings)


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """One finding per stretch of text: "nurse Jones failed to" is a person failing, not also
    a failure phrase inside it (the first, then the longest, of those that overlap)."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept
