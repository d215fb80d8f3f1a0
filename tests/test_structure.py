"""The house rules of the package (docs/design.md, "The package"): stages import only
what docs/design.md allows, the lab stands apart, the methods are listed once, and
scripts read what the rules always hand them."""

import ast
import re
from pathlib import Path

import yaml

from annex_race.core.methods import FAMILIES, FILLS, METHODS
from annex_race.core.record import FIELDS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "workflow" / "src"
PACKAGE = SRC / "annex_race"
# which stage may import which (its own included): docs/design.md shows this table
MAY_IMPORT = {
    "core": {"core"},
    "observe": {"core", "observe"},
    "planning": {"core", "observe", "planning"},
    "datasets": {"core", "observe", "datasets"},
    "jobs": {"core", "observe", "jobs"},
    "report": {"core", "observe", "report"},
    "driver": {"core", "observe", "planning", "datasets", "jobs", "report", "driver"},
}


def imports(path):
    """The annex_race and annex_lab modules a file imports, as dotted names."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(SRC).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            found += [base] + [f"{base}.{a.name}" for a in node.names]
    return [name for name in found if name.split(".")[0] in ("annex_race", "annex_lab")]


def stage_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT else None


def test_every_module_belongs_to_a_stage():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert not loose, f"modules outside a stage folder: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(MAY_IMPORT)


def test_no_stage_imports_a_stage_it_may_not():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        stage = path.relative_to(PACKAGE).parts[0]
        for module in imports(path):
            other = stage_of(module)
            if module.startswith("annex_lab") or (other and other not in MAY_IMPORT.get(stage, {other})):
                wrong.append(f"{path.relative_to(SRC)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_stage_test_catches_an_upward_import(tmp_path):
    """The check above is not vacuous: a planning module importing report is seen."""
    module = PACKAGE / "planning" / "_probe_upward.py"
    module.write_text("from ..report import findings\n")
    try:
        (found,) = [m for m in imports(module) if stage_of(m) == "report"][:1]
        assert stage_of(found) not in MAY_IMPORT["planning"]
    finally:
        module.unlink()


def test_the_lab_stands_apart_from_the_workflow_package():
    lab = SRC / "annex_lab"
    assert (lab / "lab.py").exists() and not (PACKAGE / "lab.py").exists()
    assert not [m for p in lab.glob("*.py") for m in imports(p) if m.startswith("annex_race")]
    for path in list(PACKAGE.rglob("*.py")) + list((ROOT / "workflow" / "scripts").glob("*.py")):
        assert "annex_lab" not in path.read_text(), path


def test_the_schema_lists_exactly_the_table_of_methods():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    assert schema["$defs"]["method"]["enum"] == list(METHODS)
    described = schema["properties"]["method"]["description"]
    assert all(f"`{name}`" in described for name in METHODS), "describe every method in the schema"


def test_the_table_of_methods_is_whole():
    assert {m.family for m in METHODS.values()} == set(FAMILIES) == set(FILLS)
    assert all(set(fields) <= set(FIELDS) for fields in FILLS.values())
    for m in METHODS.values():
        assert (m.delivery is not None) == (m.family == "push"), m.name
        assert (m.reads is None) == (m.family == "push"), m.name


def test_no_other_place_lists_the_methods():
    """Adding a method is a row in core/methods.py and the code that runs it: no other
    file spells out a list of methods (two or more method names in one literal list)."""
    names = "|".join(re.escape(m) for m in METHODS)
    listing = re.compile(rf'["\']({names})["\']\s*,\s*["\']({names})["\']')
    found = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
             if p.name != "methods.py" and listing.search(p.read_text())]
    found += [str(p.relative_to(ROOT)) for p in (ROOT / "workflow").rglob("*.smk") if listing.search(p.read_text())]
    assert not found, found


def test_no_script_probes_which_inputs_exist():
    probe = re.compile(r"input\.keys\(\)|[\"']\s+in\s+(snakemake\.)?input")
    for path in (ROOT / "workflow" / "scripts").glob("*.py"):
        assert not probe.search(path.read_text()), path


def test_rules_ask_the_plan_through_named_input_functions():
    for path in (ROOT / "workflow" / "rules").glob("*.smk"):
        text = path.read_text()
        assert "of_scenario(" not in text and "getattr(PLAN" not in text and "lambda" not in text, path


def strings(path):
    """The string constants of a Python file that are not docstrings."""
    tree = ast.parse(path.read_text())
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs]


def test_every_results_path_is_spelled_in_the_layout_only():
    """Paths of the workflow's own files live in core/layout.py; rules spell only their
    logs and benchmarks (as the model workflows do)."""
    own = re.compile(r"^results/(?!logs/|benchmarks/)|task-\{")
    found = [f"{p.relative_to(ROOT)}: {s}" for p in list(PACKAGE.rglob("*.py")) + list(
        (ROOT / "workflow" / "scripts").glob("*.py")) if p.name != "layout.py" for s in strings(p) if own.search(s)]
    found += [str(p.relative_to(ROOT)) for p in (ROOT / "workflow").rglob("*.smk")
              if re.search(r'["\']results/(?!logs/|benchmarks/|sources\.ok)', p.read_text())]
    assert not found, found
