"""The fast tier's one end-to-end run (tools/test.sh --fast): the test matrix
(.test/config: the affected git-annex with and without a storage sibling, two
clones each) through every rule, on this machine, in well under a minute."""

import pytest

from annex_race.core.layout import FIGURES, PAGES, TABLES
from annex_race.driver.cli import ROOT
from helpers import assert_sources_unharmed, load_run, observed_verdict, scenario_rows, snakemake

pytestmark = pytest.mark.fast

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]


def test_the_test_matrix_fails_without_a_storage_sibling_and_passes_with_one(tmp_path):
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG)
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, table = load_run(tmp_path)
    rows = scenario_rows(tmp_path).set_index("storage_sibling")
    for sibling, verdict in (("off", "FAIL"), ("on", "PASS")):
        row = rows.loc[sibling]
        assert row.verdict == verdict == observed_verdict(records[row.scenario]), row
    assert rows.loc["off", "cause"] == "transfer-lock" and rows.loc["off", "sources"] == "clean"
    assert len(table) == 4 and {r.round for rs in records.values() for r in rs} == {1}
    assert_sources_unharmed(summary)
    for path in [*TABLES.values(), *PAGES.values(), *FIGURES.values()]:
        assert (tmp_path / path).stat().st_size > 0, path
