"""The import contracts (pyproject.toml, [tool.importlinter]) hold: the layers of
docs/architecture.md. `make lint` runs them too; here they fail the suite as well, so a change
checked with pytest alone cannot break them unseen."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_it_keeps_the_import_contracts():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.fail("lint-imports is missing: install the dev tools (pip install -e '.[dev]')")
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout[run.stdout.find("Broken contracts") :] or run.stderr
