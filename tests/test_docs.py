"""The README stands alone in a fresh clone: it starts with the two set-up commands, and every
file it points to is in the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "DEVELOPERS.md", ROOT / "docs" / "architecture.md"]


def test_the_readme_opens_with_make_demo_and_make_test():
    first_block = (ROOT / "README.md").read_text().split("```")[1]
    assert [line.split()[:2] for line in first_block.strip().splitlines()[1:]] == [
        ["make", "demo"],
        ["make", "test"],
    ]


def test_the_make_targets_the_readme_names_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE)
    assert "HOST ?=" in makefile and "HOST=" in (ROOT / "README.md").read_text()


def test_the_docs_point_only_at_files_in_the_repository():
    for doc in DOCS:
        text = doc.read_text()
        assert "../shared" not in text, doc.name
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if "://" in target:
                continue
            assert (doc.parent / target).resolve().is_relative_to(ROOT), (doc.name, target)
            assert (doc.parent / target).exists(), (doc.name, target)
