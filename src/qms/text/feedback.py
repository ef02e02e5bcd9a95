"""Themes and sentiment of patient feedback (pure; no Django).

The labels are those of the NHS patient-experience text-mining project's framework, version 6
(pxtextmining, NHS England's Clinical Development Unit data science team, MIT licence), and the
model is trained on the hand-labelled comments of that project, bundled as `DATA_FILE`
(see data/README.md). Nothing is downloaded: the first `load()` trains from the bundled file on
the CPU in a few seconds and keeps the model in a cache directory.

- The split is fixed: a comment belongs to TEST when the SHA-256 of its Comment ID is divisible
  by 5 (`is_test`); the model is fitted and tuned only on TRAIN and scored on TEST
  (bench/feedback.py). `train` refuses a TEST row.
- Placeholder answers ("Did not answer", an empty answer, punctuation only) carry no content:
  they are left out of training and get the label "Labelling not possible" with sentiment 3
  (neither positive nor negative) by rule, as the hand labellers labelled them. Short real
  answers ("Nothing.", "N/A", "Everything") are real data: their meaning is learnt like any
  other comment's ("Nothing." is usually the answer to "what could we do better?").
- Labels with fewer than `MIN_EXAMPLES` TRAIN comments are never predicted (`Classifier.themes`
  says which are); they stay in `THEMES` so corrections may use them.

>>> THEMES[:2]
('Not assigned', 'Organisation & efficiency')
>>> SENTIMENTS[1], SENTIMENTS[5]
('very positive', 'very negative')
>>> is_placeholder("Did not answer"), is_placeholder(" ... "), is_placeholder("Nothing.")
(True, True, False)
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

__all__ = [
    "DATA_FILE",
    "MODEL_VERSION",
    "PLACEHOLDER_THEME",
    "SENTIMENTS",
    "THEMES",
    "Classifier",
    "Labelled",
    "Merged",
    "Prediction",
    "data_hash",
    "is_placeholder",
    "is_test",
    "load",
    "merge_corrections",
    "read_labelled",
    "save",
    "train",
]

DATA_FILE = Path(__file__).parent / "data" / "patient_feedback_v6.csv"

# Bump when the features, the model or the rules change: cached models of another version are
# not used.
MODEL_VERSION = "3"

# The theme columns of the file, in its order and spelling ("Referals" included).
THEMES: tuple[str, ...] = (
    "Not assigned",
    "Organisation & efficiency",
    "Funding & use of financial resources",
    "Staff manner & personal attributes",
    "Number & deployment of staff",
    "Staff responsiveness",
    "Staff continuity",
    "Competence & training",
    "Unspecified communication",
    "Staff listening, understanding & involving patients",
    "Information directly from staff during care",
    "Information provision & guidance",
    "Being kept informed, clarity & consistency of information",
    "Contacting services",
    "Appointment arrangements",
    "Appointment method",
    "Timeliness of care",
    "Pain management",
    "Diagnosis & triage",
    "Referals & continuity of care",
    "Discharge",
    "Care plans",
    "Patient records",
    "Cleanliness, tidiness & infection control",
    "Provision of medical equipment",
    "Service location",
    "Transport to/ from services",
    "Parking",
    "Electronic entertainment",
    "Feeling safe",
    "Patient appearance & grooming",
    "Mental Health Act",
    "Equality, Diversity & Inclusion",
    "Admission",
    "Safeguarding concerns?",
    "Labelling not possible",
    "Environment & Facilities",
    "Supplying & understanding medication",
    "Activities & access to fresh air",
    "Food & drink provision & facilities",
    "Sensory experience",
    "Impact of treatment/ care",
    "Psychological therapy arrangements",
    "Existence of services",
    "Choice of services",
    "Out of hours support (community services)",
    "Learning organisation",
    "Interaction with family/ carers",
    "Negative experience & dissatisfaction",
    "Positive experience & gratitude",
)
SENTIMENTS: dict[int, str] = {
    1: "very positive",
    2: "positive",
    3: "mixed or neutral",
    4: "negative",
    5: "very negative",
}
PLACEHOLDER_THEME = "Labelling not possible"
PLACEHOLDER_SENTIMENT = 3
# A label needs this many TRAIN comments to be learnt; rarer ones are never predicted.
MIN_EXAMPLES = 15
DEFAULT_SEED = 11
_FOLDS = 3
_OFFSETS = np.round(np.arange(-0.6, 0.21, 0.05), 2)
# Longer texts are cut before features are made: a 10 MB paste is classified by its start.
MAX_CHARACTERS = 5_000

_ID_COLUMN = "Comment ID"
_TEXT_COLUMN = "FFT answer"
_SENTIMENT_COLUMN = "Comment sentiment"
_PLACEHOLDERS = frozenset({"", "did not answer", "not answered", "no answer", "no answer given"})
_NOT_WORDS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Labelled:
    """A comment with the themes and sentiment a person gave it. `comment_id` is the data
    file's Comment ID, or "" for a comment from elsewhere (a correction made in QMS);
    `sentiment` is None when the labeller gave none (placeholders)."""

    comment_id: str
    text: str
    themes: tuple[str, ...]
    sentiment: int | None


@dataclass(frozen=True)
class Prediction:
    """The themes (labels of `THEMES`, at least one) and sentiment (1 very positive ... 5 very
    negative) of one comment."""

    themes: tuple[str, ...]
    sentiment: int


def is_test(comment_id: str) -> bool:
    """Whether a comment of the data file belongs to the TEST split (fixed by its Comment ID).

    >>> is_test("NEAS PTS 528 - Q1"), is_test("NEAS PTS 531 - Q1")
    (False, False)
    """
    return int(hashlib.sha256(comment_id.encode()).hexdigest(), 16) % 5 == 0


def is_placeholder(text: str) -> bool:
    """Whether an answer carries no content: empty, punctuation only, or "Did not answer"."""
    if len(text) > 100 and _NOT_WORDS.sub("", text[:100]):
        return False  # a long answer with words in it: skip the work on a 10 MB paste
    return _NOT_WORDS.sub(" ", text).strip().lower() in _PLACEHOLDERS


def data_hash(path: Path = DATA_FILE) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_labelled(path: Path = DATA_FILE) -> list[Labelled]:
    """Every comment of a file in the layout of patient_feedback_v6.csv, TRAIN and TEST."""
    rows = []
    with path.open(encoding="utf-8", newline="") as file:
        for record in csv.DictReader(file):
            sentiment = (record.get(_SENTIMENT_COLUMN) or "").strip()
            rows.append(
                Labelled(
                    comment_id=record[_ID_COLUMN],
                    text=record[_TEXT_COLUMN] or "",
                    themes=tuple(t for t in THEMES if (record.get(t) or "").strip() == "1"),
                    sentiment=int(sentiment) if sentiment else None,
                )
            )
    return rows


# --- The model ------------------------------------------------------------------------------


def _vectorizers() -> list[TfidfVectorizer]:
    return [
        TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=2, lowercase=True
        ),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, lowercase=True
        ),
    ]


def _features(vectorizers: Sequence[TfidfVectorizer], texts: Sequence[str]) -> sparse.csr_matrix:
    return sparse.hstack([v.transform(texts) for v in vectorizers], format="csr")


def _fit_features(texts: Sequence[str]) -> tuple[list[TfidfVectorizer], sparse.csr_matrix]:
    vectorizers = _vectorizers()
    for vectorizer in vectorizers:
        vectorizer.fit(texts)
    return vectorizers, _features(vectorizers, texts)


# Regularisation checked by 3-fold cross-validation within TRAIN (themes, with the tuned cut:
# micro-F1 0.680 at C=0.3 and 0.681 at C=1, the faster kept; sentiment: accuracy 0.640 at
# C=0.03, 0.647 at C=0.1, 0.643 at C=0.3). Class weights, logistic regression (slower and no better)
# and theme scores as sentiment features did not help there; neither did (model version 3)
# balanced class weights, C=0.2, ridge regression rounded, or out-of-fold theme scores appended.
def _theme_model(seed: int) -> LinearSVC:
    return LinearSVC(C=0.3, random_state=seed)


def _sentiment_model(seed: int) -> LinearSVC:
    return LinearSVC(C=0.1, random_state=seed)


@dataclass
class _Theme:
    """One theme's two machines, whose scores are averaged: one on the features as they are, one
    on the features scaled by the theme's log-count ratio (NB-SVM, Wang and Manning 2012), which
    weighs up the words that tell the theme apart. Cross-validation within TRAIN (3 folds, cut
    tuned): micro-F1 0.680 for the plain machine, 0.688 for NB-SVM, 0.693 for their average."""

    plain: LinearSVC
    ratio: np.ndarray
    scaled: LinearSVC

    def score(self, x: sparse.csr_matrix) -> np.ndarray:
        # x scaled by the ratio, times the weights, is x times the weights scaled by the ratio.
        weights = self.ratio * self.scaled.coef_.ravel()
        scaled = x @ weights + self.scaled.intercept_[0]
        return (self.plain.decision_function(x) + scaled) / 2


def _log_count_ratio(x: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    """log(p/q) per feature, p and q the smoothed shares of the comments with and without the
    theme that have the feature."""
    present = (x > 0).astype(np.float64)
    p = np.asarray(present[y].sum(axis=0)).ravel() + 1
    q = np.asarray(present[~y].sum(axis=0)).ravel() + 1
    return np.log((p / p.sum()) / (q / q.sum()))


def _fit_theme(x: sparse.csr_matrix, y: np.ndarray, seed: int) -> _Theme:
    ratio = _log_count_ratio(x, y)
    return _Theme(
        plain=_theme_model(seed).fit(x, y),
        ratio=ratio,
        scaled=_theme_model(seed).fit(x @ sparse.diags(ratio), y),
    )


def _fit_themes(x: sparse.csr_matrix, y: np.ndarray, seed: int) -> list[_Theme]:
    return [_fit_theme(x, y[:, j], seed) for j in range(y.shape[1])]


def _theme_scores(models: Sequence[_Theme], x: sparse.csr_matrix) -> np.ndarray:
    if not models:
        return np.zeros((x.shape[0], 0))
    return np.column_stack([m.score(x) for m in models])


@dataclass
class Classifier:
    """A trained model: `predict` gives each text its themes and sentiment. `themes` are the
    labels its models predict (besides "Labelling not possible", given to placeholders);
    `version` names the code's model version, the training data and the seed, so a prediction
    can say which model made it; `trained_on` counts the comments."""

    version: str
    themes: tuple[str, ...]
    trained_on: dict[str, int]
    _vectorizers: list[TfidfVectorizer] = field(repr=False)
    _theme_models: list[_Theme] = field(repr=False)
    _offset: float = field(repr=False)
    _sentiment: LinearSVC = field(repr=False)

    def vocabulary(self) -> set[str]:
        """Every word and word pair the model knows (its features from the training text)."""
        return set(self._vectorizers[0].vocabulary_)

    def predict(self, texts: Iterable[str]) -> list[Prediction]:
        """The themes and sentiment of each text, in order."""
        texts = [t or "" for t in texts]
        results: list[Prediction | None] = [
            Prediction((PLACEHOLDER_THEME,), PLACEHOLDER_SENTIMENT) if is_placeholder(t) else None
            for t in texts
        ]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            x = _features(self._vectorizers, [texts[i][:MAX_CHARACTERS] for i in todo])
            chosen = _choose(_theme_scores(self._theme_models, x), self._offset)
            sentiments = self._sentiment.predict(x)
            for row, i in enumerate(todo):
                themes = tuple(self.themes[j] for j in np.flatnonzero(chosen[row]))
                results[i] = Prediction(themes, int(sentiments[row]))
        return [r for r in results if r is not None]


def _choose(scores: np.ndarray, offset: float) -> np.ndarray:
    """The labels scoring over `offset`; a comment with none gets its highest (every comment
    of the framework has at least one label)."""
    chosen = scores > offset
    empty = ~chosen.any(axis=1)
    if empty.any():
        chosen[np.flatnonzero(empty), np.argmax(scores[empty], axis=1)] = True
    return chosen


def train(rows: Iterable[Labelled], *, seed: int = DEFAULT_SEED) -> Classifier:
    """A classifier fitted on `rows`. Raises ValueError if a row belongs to the TEST split (by
    its Comment ID) or none has content to learn. The same rows and seed give the same model."""
    rows = list(rows)
    for row in rows:
        if row.comment_id and is_test(row.comment_id):
            raise ValueError(f"{row.comment_id} is in the TEST split: it may not be trained on.")
    learnt = [r for r in rows if not is_placeholder(r.text) and r.themes]
    if not learnt:
        raise ValueError("There is nothing to learn from: no comment with text and themes.")
    texts = [r.text[:MAX_CHARACTERS] for r in learnt]
    counts = {t: sum(t in r.themes for r in learnt) for t in THEMES}
    themes = tuple(t for t in THEMES if counts[t] >= MIN_EXAMPLES)
    y = np.array([[t in r.themes for t in themes] for r in learnt], dtype=bool)

    vectorizers, x = _fit_features(texts)
    offset = _tuned_offset(x, y, seed)
    theme_models = _fit_themes(x, y, seed)
    with_sentiment = [i for i, r in enumerate(learnt) if r.sentiment is not None]
    sentiment = _sentiment_model(seed).fit(
        x[with_sentiment], [learnt[i].sentiment for i in with_sentiment]
    )
    return Classifier(
        version=_version(learnt, seed),
        themes=themes,
        trained_on={"comments": len(learnt), "with_sentiment": len(with_sentiment)},
        _vectorizers=vectorizers,
        _theme_models=theme_models,
        _offset=offset,
        _sentiment=sentiment,
    )


def _version(rows: Sequence[Labelled], seed: int) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr((row.text, row.themes, row.sentiment)).encode())
    return f"v{MODEL_VERSION}-{digest.hexdigest()[:12]}-s{seed}"


def _tuned_offset(x: sparse.csr_matrix, y: np.ndarray, seed: int) -> float:
    """The cut on the machines' scores that gives the best micro-F1 on held-out folds of the
    training rows. A support vector machine's own cut (0) is conservative for rare themes: a
    lower one finds more of them at little cost in precision. The features are those of all the
    training rows (words seen, not labels); only the machines are refitted without each fold."""
    scores = np.zeros(y.shape)
    for fit, held in KFold(_FOLDS, shuffle=True, random_state=seed).split(y):
        scores[held] = _theme_scores(_fit_themes(x[fit], y[fit], seed), x[held])
    best, best_f1 = 0.0, -1.0
    for offset in _OFFSETS:
        chosen = _choose(scores, offset)
        f1 = 2 * np.sum(chosen & y) / (chosen.sum() + y.sum())
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(offset), float(f1)
    return best


def train_split(path: Path = DATA_FILE) -> list[Labelled]:
    """The TRAIN rows of a data file."""
    return [r for r in read_labelled(path) if not is_test(r.comment_id)]


def test_split(path: Path = DATA_FILE) -> list[Labelled]:
    """The TEST rows of a data file: for scoring only."""
    return [r for r in read_labelled(path) if is_test(r.comment_id)]


@dataclass(frozen=True)
class Merged:
    """TRAIN rows with corrections merged in, and what became of the corrections."""

    rows: list[Labelled]
    added: int
    replaced: int
    left_out: int


def merge_corrections(corrections: Iterable[Labelled], path: Path = DATA_FILE) -> Merged:
    """The TRAIN split of a data file with people's corrections merged in: a correction of a
    TRAIN comment (its Comment ID) replaces its labels, one of a TEST comment (by id, or by the
    same text) is left out so the TEST scores stay honest, and others are added as comments
    from elsewhere. A correction without themes is left out too."""
    every = read_labelled(path)
    test_ids = {r.comment_id for r in every if is_test(r.comment_id)}
    test_texts = {r.text.strip() for r in every if is_test(r.comment_id)}
    rows = {r.comment_id: r for r in every if r.comment_id not in test_ids}
    added, replaced, left_out = [], 0, 0
    for correction in corrections:
        if (
            correction.comment_id in test_ids
            or correction.text.strip() in test_texts
            or not correction.themes
        ):
            left_out += 1
        elif correction.comment_id in rows:
            rows[correction.comment_id] = correction
            replaced += 1
        else:
            added.append(Labelled("", correction.text, correction.themes, correction.sentiment))
    return Merged([*rows.values(), *added], len(added), replaced, left_out)


# --- The cache --------------------------------------------------------------------------------

_LOADED: dict[Path, tuple[int, Classifier]] = {}
_LOADED_LOCK = threading.Lock()


def cache_path(cache_dir: Path) -> Path:
    """Where the model for the bundled data, this code and this scikit-learn is kept."""
    key = f"{data_hash()[:16]}-v{MODEL_VERSION}-sklearn{sklearn.__version__}"
    return Path(cache_dir) / f"feedback-{key}.pickle"


def load(cache_dir: Path) -> Classifier:
    """The classifier cached in `cache_dir`, or one trained from the bundled TRAIN split and
    cached there. Kept per process too; a model saved by another process since is read again.

    The cache is keyed by the data's hash, `MODEL_VERSION` and scikit-learn's version, so a
    change of any of them trains afresh. Two processes that find no model at once train it
    once: the second waits on a lock file and reads the first's.

    The file is a pickle: the cache directory must be writable only by QMS (it sits in the
    data directory, beside the database)."""
    path = cache_path(cache_dir)
    loaded = _from_disk(path)
    if loaded is not None:
        return loaded
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path.with_suffix(".lock")):
        loaded = _from_disk(path)
        if loaded is not None:
            return loaded
        classifier = train(train_split())
        _write(classifier, path)
    return _from_disk(path) or classifier


def save(classifier: Classifier, cache_dir: Path) -> Path:
    """Make `classifier` the one `load(cache_dir)` gives (a retrained model, corrections
    included). Returns the file's path."""
    path = cache_path(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(path.with_suffix(".lock")):
        _write(classifier, path)
    return path


def _from_disk(path: Path) -> Classifier | None:
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _LOADED_LOCK:
        cached = _LOADED.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        with path.open("rb") as file:
            classifier = pickle.load(file)  # noqa: S301 (our own cache file, see load())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # unreadable or from other code: train afresh
    if not isinstance(classifier, Classifier):
        return None
    with _LOADED_LOCK:
        _LOADED[path] = (stamp, classifier)
    return classifier


def _write(classifier: Classifier, path: Path) -> None:
    """Write atomically: a reader sees the old file or the whole new one, never a part."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".feedback-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(classifier, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on a file (between processes, where the system has flock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows: the atomic write is still safe)
        yield
        return
    with lock.open("a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
