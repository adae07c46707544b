"""The layers and the absence of import circles hold, and breaking either fails `make lint`.

The contracts are in pyproject.toml ([tool.importlinter]); `make lint` runs lint-imports on the
tree. Here lint-imports runs on copies of the application: as it is (kept), with an upward
import added (a model importing a router), with a circle added (two feature packages of the
services importing each other) and with a service importing FastAPI: each of those must fail.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the application and its contracts, to break on purpose."""
    base = tmp_path_factory.mktemp("layout")
    shutil.copytree(ROOT / "app", base / "app", ignore=shutil.ignore_patterns("static", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")
    return base


def lint(base: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the project's own linter on a copy of its code
        [str(LINT_IMPORTS), "--config", str(base / "pyproject.toml"), "--no-cache"],
        cwd=base,
        env={"PYTHONPATH": str(base), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def appended(path: Path, line: str) -> str:
    original = path.read_text()
    path.write_text(original + "\n" + line + "\n")
    return original


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("app/models/people.py", "import app.routers.houses  # noqa", "Layers"),
        ("app/db.py", "import app.services.finances.cache  # noqa", "Layers"),
        ("app/services/platform/audit.py", "import app.services.forum.sessions  # noqa", "circles"),
        ("app/services/mail/delivery.py", "import app.services.calendar.events  # noqa", "circles"),
        ("app/services/platform/versioning.py", "import fastapi  # noqa", "web framework"),
    ],
)
def test_an_upward_import_or_a_circle_breaks_a_contract(
    tree: Path, module: str, line: str, broken: str
) -> None:
    path = tree / module
    original = appended(path, line)
    try:
        result = lint(tree)
    finally:
        path.write_text(original)
    assert result.returncode != 0
    failed = [row for row in result.stdout.splitlines() if row.rstrip().endswith("BROKEN")]
    assert failed, result.stdout
    assert any(broken in row for row in failed) or broken in result.stdout.split("Broken")[-1]
