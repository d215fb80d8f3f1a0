"""The workflow lints clean, is formatted with snakefmt, and its tests can all be collected."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


def test_snakemake_lint_is_clean():
    out = _run(BIN / "snakemake", "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Congratulations" in out.stdout + out.stderr


def test_snakefmt_check_is_clean():
    out = _run(BIN / "snakefmt", "--check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_test_modules_have_unique_names():
    """pytest's default import mode imports test modules by basename: two test files
    with one name in different folders break collection of the whole suite."""
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert sorted(names) == sorted(set(names)), [n for n in set(names) if names.count(n) > 1]


def test_config_readme_is_what_the_schema_says():
    """Every key is described once, in the schema; config/README.md is generated."""
    from annex_race.planning.config_doc import README, render

    assert README.read_text() == render(), "run: python -m annex_race.planning.config_doc"


def test_the_classes_of_writes_are_documented_in_one_table():
    """What the jobs may write: docs/design.md shows annex_race.observe.snapshot.CLASSES."""
    from annex_race.observe.snapshot import classes_markdown

    design = (Path(__file__).parent.parent / "docs" / "design.md").read_text()
    assert classes_markdown() in design, "paste the output of: python -m annex_race.observe.snapshot"


def test_no_slurm_output_is_committed_and_sbatch_output_is_ignored():
    tracked = _run("git", "ls-files", "--cached", "--others", "--exclude-standard").stdout.split()
    assert not [p for p in tracked if re.fullmatch(r"slurm-\d+\.out", Path(p).name)]
    assert "slurm-*.out" in (ROOT / ".gitignore").read_text().splitlines()


def test_docs_quote_run_figures_only_in_blocks_the_docs_tool_regenerates():
    sys.path.insert(0, str(ROOT / "tools"))
    from docs_figures import BLOCKS

    pages = "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    opened = re.findall(r"<!-- figures:([a-z][a-z-]*) -->", pages)
    closed = re.findall(r"<!-- /figures:([a-z][a-z-]*) -->", pages)
    assert sorted(opened) == sorted(closed) == sorted(BLOCKS)


def test_readme_is_read_in_five_minutes():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 120


def test_common_smk_holds_validation_the_plan_and_short_input_functions():
    assert len((ROOT / "workflow" / "rules" / "common.smk").read_text().splitlines()) <= 200
