"""Similar work: which documents (projects, priorities, networks…) are about the same thing as
a query, and why (pure; no Django).

Each document has a key, a kind and named fields (`FIELDS`: title, aim, problem, measures,
factors). Text is reduced to terms by `terms`: lower case, British and American spellings made
one (organisation/organization, haemorrhage/hemorrhage, centre/center), simple plurals and
endings removed by a light stemmer (falls → fall, measured → measur), stop words and numbers
dropped. Each field is a TF-IDF vector (sublinear term frequency, the inverse document frequency
of the whole index), and so is all the document's text together, which catches an aim that
matches another record's problem. A match's score is the weighted mean of the cosine
similarities of the fields the query fills in; its reason names the informative terms the two
share, field by field, in the words the query used.

>>> index = SimilarityIndex.build([
...     Document(("project", 1), "project", {"title": "Fewer falls at night",
...              "aim": "Reduce falls at night by 30%",
...              "measures": ["Falls per 1,000 occupied bed days"]}),
...     Document(("project", 2), "project", {"title": "Sepsis screening in ED",
...              "aim": "Screen 95% of adults with suspected sepsis within an hour"}),
... ])
>>> [match.key for match in index.query({"aim": "Fewer patient falls overnight and at night",
...                                      "measures": ["Inpatient falls per 1000 bed days"]})]
[('project', 1)]
>>> index.query({"aim": "Fewer falls at night"})[0].reason
'both aim at falls and night'

Building is linear in the text (about a second for 10,000 projects); a query is a handful of
sparse matrix products, a few milliseconds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = [
    "FIELDS",
    "Document",
    "Match",
    "SimilarityIndex",
    "terms",
]

FIELDS = ("title", "aim", "problem", "measures", "factors")
_ALL = "all"

# How much each field's similarity counts; "all" compares the whole texts, so an aim written
# like another record's problem still counts. Measures and aims say most about what work is for.
WEIGHTS: Mapping[str, float] = {
    _ALL: 1.0,
    "title": 0.5,
    "aim": 1.0,
    "problem": 0.75,
    "measures": 1.0,
    "factors": 0.5,
}
# Below this score two records share words, not a subject (tuned on the benchmark's text:
# unrelated projects score under 0.1, the same subject in other words over 0.25).
THRESHOLD = 0.15
# Terms named in a reason, per field.
REASON_TERMS = 4

# Function words and words every quality record uses, which say nothing about its subject.
STOP_WORDS = frozenset(
    """a about above across after again against all almost alone along already also although
    always am among amongst an and another any anyone anything anywhere are around as at be
    became because become been before being below between both but by can cannot could did do
    does doing done down during each either else enough etc even ever every few for from
    further get give go had has have having he her here hers herself him himself his how however
    i ie if in into is it its itself just least less like made make many may me might more most
    much must my myself neither no nor not now of off often on once one only onto or other
    others otherwise our ours ourselves out over own per rather same see seem several she should
    since so some still such than that the their theirs them themselves then there these they
    this those though through throughout thus to together too toward towards under until up upon
    us very via was we well were what whatever when where whether which while who whom whose
    why will with within without would yet you your yours yourself
    achieve achieving aim aims area better by current currently ensure help improve improved
    improvement improving increase increased increasing fewer lower higher greater new
    patient patients percent project reduce reduced
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    reducing reduction target team unit ward wards""".split()
)

# British and American spellings made one (the British form is kept: QMS is written for the
# NHS). Whole-word exceptions first, then word parts, longest first.
_SPELLING_WORDS = {
    "center": "centre",
    "centers": "centres",
    "centered": "centred",
    "theater": "theatre",
    "theaters": "theatres",
    "liter": "litre",
    "liters": "litres",
    "meter": "metre",
    "meters": "metres",
    "fiber": "fibre",
    "program": "programme",
    "programs": "programmes",
    "catalog": "catalogue",
    "dialog": "dialogue",
    "gray": "grey",
    "fetus": "foetus",
    "enroll": "enrol",
    "enrollment": "enrolment",
    "fulfill": "fulfil",
    "fulfillment": "fulfilment",
    "analyze": "analyse",
    "analyzed": "analysed",
    "analyzing": "analysing",
    "catalyze": "catalyse",
    "paralyze": "paralyse",
    "labeled": "labelled",
    "labeling": "labelling",
    "modeled": "modelled",
    "modeling": "modelling",
    "traveled": "travelled",
    "canceled": "cancelled",
    "canceling": "cancelling",
    "signaled": "signalled",
    "signaling": "signalling",
    "counseling": "counselling",
    "leveled": "levelled",
    "fueled": "fuelled",
    "practice": "practise",
    "license": "licence",
    "defense": "defence",
    "offense": "offence",
}
_SPELLING_PARTS = (
    ("hemorrh", "haemorrh"),
    ("hematol", "haematol"),
    ("hemato", "haemato"),
    ("hemoglob", "haemoglob"),
    ("hemodial", "haemodial"),
    ("hemolys", "haemolys"),
    ("septicem", "septicaem"),
    ("leukem", "leukaem"),
    ("anemi", "anaemi"),
    ("anesth", "anaesth"),
    ("pediatr", "paediatr"),
    ("orthoped", "orthopaed"),
    ("gynec", "gynaec"),
    ("ischem", "ischaem"),
    ("edema", "oedema"),
    ("esophag", "oesophag"),
    ("estrog", "oestrog"),
    ("etiolog", "aetiolog"),
    ("diarrhe", "diarrhoe"),
    ("feces", "faeces"),
    ("fecal", "faecal"),
    ("cesarean", "caesarean"),
)
_OUR_EXCEPTIONS = frozenset(
    "four hour your flour pour tour sour contour detour devour velour amour honor".split()
)
# -ise/-ize: only a stem that takes -ize in American spelling; "exercise", "advise" and
# "promise" are the same in both and must not change.
_ISE_EXCEPTIONS = frozenset(
    """advertise advise chastise comprise compromise demise despise devise disguise enterprise
    excise exercise expertise franchise improvise incise merchandise noise otherwise poise
    praise precise premise promise raise revise rise supervise surmise surprise televise wise
    concise cruise clockwise likewise""".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_IZE = re.compile(r"(iz)(e|es|ed|ing|ation|ations|er|ers)$")
_OR = re.compile(r"([a-z]+?)or(s|ed|ing|al|ful|able|ite|ites)?$")


def _british(word: str) -> str:
    """The British spelling of a word that has an American one."""
    if word in _SPELLING_WORDS:
        return _SPELLING_WORDS[word]
    for american, british in _SPELLING_PARTS:
        if american in word and british not in word:
            return word.replace(american, british, 1)
    if "iz" in word and len(word) > 6:
        match = _IZE.search(word)
        if match and word[: match.start()] + "ise" not in _ISE_EXCEPTIONS:
            word = word[: match.start()] + "is" + match.group(2)
    if word.endswith(("or", "ors", "ored", "oring", "orable", "orite", "orites")):
        match = _OR.match(word)
        stem = word[: match.end(1)] if match else ""
        # behavior, color, favor, labor, tumor, honor: -our in British spelling. Agent nouns
        # (doctor, operator, monitor) stay: only these stems take -our.
        if stem in _OUR_STEMS and word not in _OUR_EXCEPTIONS:
            word = stem + "our" + word[match.end(1) + 2 :]  # type: ignore[union-attr]
    return word


_OUR_STEMS = frozenset(
    "behavi col fav flav hon harb lab neighb rum tum vap hum vig sav od arm endeav rig".split()
)


def _stem(word: str) -> str:
    """A light stemmer: plurals and the commonest endings, so "falls", "falling" and "fall",
    or "measures", "measured" and "measure", are one term. Deliberately less than Porter's:
    a reason shows the term, and it must still read as the word."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            rest = word[: -len(ending)]
            if any(vowel in rest for vowel in "aeiouy"):
                word = rest
                if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]  # stopped → stopp → stop
                break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def _term(written: str) -> str:
    """The term of one written word, "" when it is not informative. Cached: a language has far
    fewer words than an index has, so each is reduced once."""
    word = written.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in STOP_WORDS or len(word) < 2:
        return ""
    term = _stem(_british(word))
    if term in STOP_WORDS or len(term) < 2:
        return ""
    return term


def _words(text: str) -> list[tuple[str, str]]:
    """(term, the word as written) for each informative word of the text."""
    found = []
    for written in _WORD.findall(text):
        term = _term(written)
        if term:
            found.append((term, written))
    return found


def terms(text: str) -> list[str]:
    """The terms a text is compared by: lower case, British spelling, lightly stemmed, without
    stop words or numbers.

    >>> terms("Reducing the Falls of patients at night (per 1,000 bed-days); behavior, colour")
    ['fall', 'night', 'bed', 'day', 'behaviour', 'colour']
    >>> terms("Organization of pediatric hemorrhage centers") == terms(
    ...     "Organisation of paediatric haemorrhage centres")
    True
    """
    return [term for term, _ in _words(text)]


def _as_text(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return "\n".join(str(item) for item in value)


@dataclass(frozen=True)
class Document:
    """A record to be found: `key` identifies it (e.g. ("project", 12)), `kind` says what it is,
    `fields` holds its text by field name (a string, or a list of strings for measures and
    factors; missing and empty fields are allowed), and `data` anything the caller wants back."""

    key: Hashable
    kind: str
    fields: Mapping[str, str | Sequence[str]]
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """A document found for a query: its score (0 to 1) and the reason in words."""

    key: Hashable
    kind: str
    score: float
    reason: str
    shared: Mapping[str, tuple[str, ...]]
    document: Document


# What a reason says first: the aim and the measures say most about what work is for, so they
# claim the shared words before the title repeats them.
_REASON_ORDER = ("aim", "measures", "problem", "factors", "title", _ALL)
_REASON_PHRASES = {
    "title": "similar titles ({terms})",
    "aim": "both aim at {terms}",
    "problem": "both describe a problem of {terms}",
    "measures": "both measure {terms}",
    "factors": "both name {terms} as factors",
    _ALL: "both mention {terms}",
}


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _items(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(item) for item in value if str(item).strip()]


class SimilarityIndex:
    """TF-IDF vectors of every document, by field, ready to be queried. Build it with
    `SimilarityIndex.build(documents)`; it is not changed afterwards (build a new one when the
    documents change), so one index may serve several threads."""

    def __init__(
        self,
        documents: list[Document],
        vocabulary: dict[str, int],
        idf: np.ndarray,
        matrices: dict[str, sp.csr_matrix],
        field_terms: list[dict[str, frozenset[str]]],
    ) -> None:
        self.documents = documents
        self._vocabulary = vocabulary
        self._idf = idf
        self._matrices = matrices
        self._field_terms = field_terms
        self._position = {document.key: i for i, document in enumerate(documents)}

    def __len__(self) -> int:
        return len(self.documents)

    @classmethod
    def build(cls, documents: Iterable[Document]) -> SimilarityIndex:
        """Index the documents (their keys must be distinct)."""
        documents = list(documents)
        vocabulary: dict[str, int] = {}
        # Term occurrences per field as (row, column) pairs; a sparse matrix sums repeats.
        rows: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in FIELDS}
        field_terms: list[dict[str, frozenset[str]]] = []
        seen: dict[str, list[str]] = {}  # measures and factors repeat across records
        for i, document in enumerate(documents):
            per_field: dict[str, frozenset[str]] = {}
            for name in FIELDS:
                text = _as_text(document.fields.get(name))
                found = seen.get(text)
                if found is None:
                    found = terms(text)
                    if len(text) < 200:
                        seen[text] = found
                columns = [vocabulary.setdefault(term, len(vocabulary)) for term in found]
                row_ids, column_ids = rows[name]
                row_ids.extend([i] * len(columns))
                column_ids.extend(columns)
                per_field[name] = frozenset(found)
            field_terms.append(per_field)
        n, width = len(documents), max(len(vocabulary), 1)
        counts = {
            name: sp.csr_matrix((np.ones(len(row_ids)), (row_ids, column_ids)), shape=(n, width))
            for name, (row_ids, column_ids) in rows.items()
        }
        counts[_ALL] = sp.csr_matrix(sum(counts.values(), sp.csr_matrix((n, width))))
        frequency = np.bincount(counts[_ALL].indices, minlength=width).astype(np.float64)
        # Smoothed IDF as scikit-learn computes it: ln((1 + n) / (1 + df)) + 1.
        idf = np.log((1.0 + n) / (1.0 + frequency)) + 1.0
        matrices = {name: _normalised(_sublinear(matrix), idf) for name, matrix in counts.items()}
        return cls(documents, vocabulary, idf, matrices, field_terms)

    def _vector(self, text: str) -> tuple[np.ndarray | None, dict[str, str], bool]:
        """The query text's normalised TF-IDF vector (dense: a query has few terms and the
        product with a sparse matrix is then one pass), each known term's first written word,
        and whether the text has any informative word at all. None when no term is known."""
        counts: dict[int, int] = {}
        written: dict[str, str] = {}
        found = _words(text)
        for term, word in found:
            column = self._vocabulary.get(term)
            if column is None:
                continue  # no document has it: it cannot make a match
            counts[column] = counts.get(column, 0) + 1
            written.setdefault(term, word.lower() if not word.isupper() else word)
        if not counts:
            return None, written, bool(found)
        vector = np.zeros(len(self._vocabulary))
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        frequency = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        vector[columns] = (1.0 + np.log(frequency)) * self._idf[columns]
        vector /= np.linalg.norm(vector)
        return vector, written, bool(found)

    def query(
        self,
        fields: Mapping[str, str | Sequence[str] | None],
        *,
        limit: int = 5,
        threshold: float = THRESHOLD,
        exclude: Iterable[Hashable] = (),
        allow: Callable[[Document], bool] | None = None,
    ) -> list[Match]:
        """The documents most like the query's fields (the same names as the documents'), best
        first: at most `limit`, each scoring at least `threshold`, none of `exclude` (keys), and
        only those `allow` accepts when it is given (it is asked in order of score, so it may be
        a costly check)."""
        if limit <= 0 or not self.documents:
            return []
        texts = {name: _as_text(fields.get(name)) for name in FIELDS}
        texts[_ALL] = "\n".join(texts[name] for name in FIELDS)
        scores = np.zeros(len(self.documents))
        total_weight = 0.0
        vectors: dict[str, dict[str, str]] = {}
        for name, text in texts.items():
            vector, written, informative = self._vector(text)
            if not informative:
                continue  # an empty field neither helps nor hurts a match
            total_weight += WEIGHTS[name]
            if vector is None:
                continue
            vectors[name] = written
            scores += WEIGHTS[name] * (self._matrices[name] @ vector)
        if total_weight == 0.0:
            return []
        scores /= total_weight
        candidates = np.flatnonzero(scores >= threshold)
        excluded = {self._position[key] for key in exclude if key in self._position}
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        matches: list[Match] = []
        for i in order:
            if int(i) in excluded:
                continue
            document = self.documents[int(i)]
            if allow is not None and not allow(document):
                continue
            matches.append(self._match(int(i), float(scores[i]), vectors))
            if len(matches) >= limit:
                break
        return matches

    def query_like(self, key: Hashable, **options) -> list[Match]:
        """The documents most like the indexed document `key` (itself left out); [] when it is
        not in the index."""
        position = self._position.get(key)
        if position is None:
            return []
        document = self.documents[position]
        exclude = {key, *options.pop("exclude", ())}
        return self.query(document.fields, exclude=exclude, **options)

    def _match(self, i: int, score: float, written: dict[str, dict[str, str]]) -> Match:
        """The match of document `i`, with the terms shared per field in the query's words."""
        document = self.documents[i]
        mine = self._field_terms[i]
        everything = frozenset().union(*mine.values())
        shared: dict[str, tuple[str, ...]] = {}
        named: set[str] = set()
        phrases: list[str] = []
        for name in _REASON_ORDER:
            words = written.get(name)
            if not words:
                continue
            theirs = everything if name == _ALL else mine.get(name, frozenset())
            common = [term for term in words if term in theirs and term not in named]
            if not common:
                continue
            common.sort(key=lambda term: -self._idf[self._vocabulary[term]])
            common = common[:REASON_TERMS]
            named.update(common)
            shared[name] = tuple(words[term] for term in common)
            if name == "measures":
                phrases.append(self._measure_phrase(document, common, words))
            else:
                phrases.append(_REASON_PHRASES[name].format(terms=_join(shared[name])))
        return Match(
            key=document.key,
            kind=document.kind,
            score=round(score, 4),
            reason="; ".join(phrases),
            shared=shared,
            document=document,
        )

    def _measure_phrase(self, document: Document, common: list[str], words: dict[str, str]):
        """'both measure <their measure's name>' when one of their measures holds the shared
        terms (a name reads better than a list of words), else the terms."""
        best, best_count = "", 0
        for name in _items(document.fields.get("measures")):
            count = len(set(terms(name)) & set(common))
            if count > best_count:
                best, best_count = name, count
        if best and best_count * 2 >= len(common):
            return f"both measure {best.strip()}"
        return _REASON_PHRASES["measures"].format(terms=_join([words[t] for t in common]))


def _sublinear(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Term frequency 1 + ln(count): a word said three times is not three times the subject."""
    matrix = matrix.copy()
    matrix.sum_duplicates()
    matrix.data = 1.0 + np.log(matrix.data)
    return matrix


def _normalised(matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Rows weighted by IDF and scaled to unit length (empty rows stay empty)."""
    matrix = matrix @ sp.diags(idf)
    matrix = sp.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
