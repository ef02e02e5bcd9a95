"""The README stands alone in a fresh clone: it starts with the two set-up commands, and every
file it points to is in the repository."""

import ast
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


# What reads the environment: the settings and anything else in the package, and gunicorn's
# configuration at the root (the production section tells operators to set them all).
PRODUCT_SOURCES = [ROOT / "gunicorn.conf.py", *sorted((ROOT / "src" / "qms").rglob("*.py"))]
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _is_os_environ(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ) or (isinstance(node, ast.Name) and node.id == "environ")


def environment_variables_read(path: Path) -> set[str]:
    """Names read with os.environ.get / os.environ[...] / os.getenv / "X" in os.environ, or
    through the settings' env_* helpers (env_bool, env_list...)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        first = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if (
                (isinstance(func, ast.Attribute) and func.attr in {"get", "pop"})
                and _is_os_environ(func.value)
                or (isinstance(func, ast.Attribute) and func.attr == "getenv")
                or (isinstance(func, ast.Name) and func.id.startswith("env_"))
            ):
                first = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            first = node.slice
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            first = node.left
        if isinstance(first, ast.Constant) and ENV_NAME.match(str(first.value)):
            names.add(first.value)
    return names


def readme_environment_table() -> set[str]:
    """Every `NAME` in the first column of the table under "Running it for real"."""
    section = (ROOT / "README.md").read_text().split("## Running it for real", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_column = line.split("|")[1]
            listed.update(n for n in re.findall(r"`([^`]+)`", first_column) if ENV_NAME.match(n))
    return listed


def test_the_readme_lists_every_environment_variable_the_product_reads():
    read = {
        name: path.relative_to(ROOT)
        for path in PRODUCT_SOURCES
        if path.exists() and "migrations" not in path.parts
        for name in environment_variables_read(path)
    }
    # The scan itself must see what we know is read (in settings and outside it), or it
    # would pass by finding nothing.
    assert {"DATABASE_URL", "SECRET_KEY", "QMS_CACHE_URL", "LOG_LEVEL"} <= read.keys()
    listed = readme_environment_table()
    missing = {name: str(where) for name, where in read.items() if name not in listed}
    assert not missing, (
        "Environment variables read but not in the README's table under 'Running it for real' "
        f"(add a row with the default): {missing}"
    )


def test_the_readme_production_section_puts_every_process_s_files_in_one_folder():
    # The data folder's default is data/ under the working directory: a web server and a worker
    # started by a service manager from different folders would each keep their own files (a
    # report PDF the worker writes would be missing for the web server), so the production
    # commands must name the folder.
    section = (ROOT / "README.md").read_text().split("### Production: PostgreSQL", 1)[1]
    commands = section.split("```sh", 1)[1].split("```", 1)[0]
    assert re.search(r"^export .*\b(QMS_DATA_DIR|MEDIA_ROOT)=/", commands, re.M)


def test_the_readme_says_how_to_back_up_and_restore_a_docker_installation():
    # In the Docker image `qms backup` writes inside the container (not a volume): a snapshot
    # left there is lost with the container, so the section must take it out and bring it back.
    section = (ROOT / "README.md").read_text().split("### Backup and restore", 1)[1]
    section = section.split("\n### ", 1)[0]
    assert re.search(r"docker compose exec -T web .*qms backup", section)
    assert re.search(r"docker compose run --rm -T web .*qms restore", section)
