"""The similar-work engine (qms.text.similar): pure, no database."""

import time

import pytest

from qms.text.similar import Document, SimilarityIndex, terms

FALLS = Document(
    ("project", 1),
    "project",
    {
        "title": "Fewer falls at night on Ward 3",
        "aim": "Reduce inpatient falls at night by 30% by March 2027",
        "problem": "Older patients fall at night when they get up to the toilet unseen.",
        "measures": ["Falls per 1,000 occupied bed days", "Lying and standing BP done"],
        "factors": ["Toileting rounds at night", "Bed rails assessment"],
    },
)
SEPSIS = Document(
    ("project", 2),
    "project",
    {
        "title": "Sepsis six within the hour",
        "aim": "Give antibiotics within 60 minutes to 95% of adults with red flag sepsis",
        "problem": "Antibiotics for sepsis in the emergency department are often late.",
        "measures": ["Antibiotics within one hour of red flag sepsis (%)"],
    },
)
PRESSURE = Document(
    ("priority", 7),
    "priority",
    {
        "title": "Pressure ulcers in community nursing",
        "problem": "Category 2 pressure ulcers are rising among housebound patients.",
        "measures": ["Pressure ulcers per 1,000 caseload days"],
        "factors": ["Equipment", "Skin inspection"],
    },
)
NIGHT_FALLS_NETWORK = Document(
    ("network", 3),
    "network",
    {
        "title": "Falls collaborative",
        "problem": "Wards across the board working on falls with harm, especially at night.",
        "measures": ["Inpatient falls per 1,000 occupied bed days"],
    },
)


@pytest.fixture
def index():
    return SimilarityIndex.build([FALLS, SEPSIS, PRESSURE, NIGHT_FALLS_NETWORK])


def test_it_finds_the_same_subject_in_other_words_and_ranks_it_first(index):
    matches = index.query(
        {
            "title": "Preventing falls overnight",
            "aim": "Cut falls among older inpatients at night",
            "measures": ["Falls per 1000 bed days"],
        }
    )
    keys = [match.key for match in matches]
    assert keys[:2] == [("project", 1), ("network", 3)]
    assert ("project", 2) not in keys and ("priority", 7) not in keys
    assert matches[0].score >= matches[1].score > 0


def test_it_names_the_shared_informative_terms_field_by_field(index):
    match = index.query(
        {"aim": "Reduce falls at night", "measures": ["Falls per 1,000 occupied bed days"]}
    )[0]
    assert match.key == ("project", 1)
    assert "both aim at falls and night" in match.reason
    # A measure name that holds the shared terms is named as it is.
    assert "both measure Falls per 1,000 occupied bed days" in match.reason
    # Words every record uses ("reduce") or stop words ("at") are not a reason.
    assert "reduce" not in match.shared["aim"] and "at" not in match.shared["aim"]


def test_it_says_the_words_as_the_query_wrote_them_across_spellings(index):
    built = SimilarityIndex.build(
        [
            Document("us", "project", {"problem": "Paediatric haemorrhage in the centre"}),
            Document("other", "project", {"problem": "Hip fracture surgery delays"}),
        ]
    )
    match = built.query({"problem": "pediatric hemorrhages at the center"})[0]
    assert match.key == "us"
    assert match.shared["problem"] == ("pediatric", "hemorrhages", "center")


def test_it_finds_no_match_for_unrelated_text(index):
    assert index.query({"title": "Catering menu for the staff canteen"}) == []
    assert index.query({"aim": "Reduce the number of patients on the ward"}) == []


def test_it_returns_nothing_for_empty_input(index):
    assert index.query({}) == []
    assert index.query({"title": "", "aim": "   ", "measures": []}) == []
    assert index.query({"title": "the of and 2027 100%"}) == []
    assert SimilarityIndex.build([]).query({"title": "falls"}) == []


def test_it_handles_documents_with_empty_fields(index):
    built = SimilarityIndex.build(
        [Document("empty", "project", {}), Document("falls", "project", {"title": "Falls"})]
    )
    assert [m.key for m in built.query({"title": "falls"})] == ["falls"]


def test_it_leaves_out_excluded_and_disallowed_documents(index):
    query = {"aim": "falls at night", "measures": ["falls per 1,000 bed days"]}
    assert [m.key for m in index.query(query, exclude=[("project", 1)])] == [("network", 3)]
    allowed = index.query(query, allow=lambda document: document.kind != "network")
    assert [m.key for m in allowed] == [("project", 1)]
    assert index.query(query, limit=0) == []
    assert len(index.query(query, limit=1)) == 1


def test_it_finds_records_like_an_indexed_one_leaving_it_out(index):
    assert [m.key for m in index.query_like(("project", 1))] == [("network", 3)]
    assert index.query_like(("project", 99)) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("organisation", "organization"),
        ("behaviour", "behavior"),
        ("anaemia", "anemia"),
        ("oedema", "edema"),
        ("theatres", "theater"),
        ("falls", "fall"),
        ("discharges", "discharged"),
        ("randomised", "randomized"),
        ("labelled", "labeled"),
    ],
)
def test_it_treats_spelling_variants_and_plurals_as_one_term(one, other):
    assert terms(one) == terms(other) != []


def test_it_keeps_words_that_only_look_like_variants():
    assert terms("exercise") == terms("exercises") != terms("exercize")
    assert terms("doctor") == ["doctor"]


def test_it_builds_and_answers_quickly_at_ten_thousand_documents():
    subjects = ["falls", "sepsis", "pressure ulcers", "delirium", "discharge", "medicines"]
    places = ["night", "weekend", "theatre", "clinic", "community", "emergency"]
    documents = [
        Document(
            ("project", i),
            "project",
            {
                "title": f"{subjects[i % 6]} {places[(i // 6) % 6]} project {i}",
                "aim": f"Reduce {subjects[i % 6]} in the {places[i % 5]} by {i % 50}%",
                "measures": [f"{subjects[(i + 1) % 6]} per 1,000 bed days"],
            },
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    built = SimilarityIndex.build(documents)
    assert time.perf_counter() - started < 20  # generous: a shared machine
    started = time.perf_counter()
    for _ in range(10):
        assert built.query({"aim": "Fewer falls at night", "measures": ["falls rate"]})
    assert (time.perf_counter() - started) / 10 < 0.1
