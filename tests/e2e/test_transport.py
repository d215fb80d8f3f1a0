"""The transport axis: the same concurrent get from a local path and over ssh to this
machine, with the affected and the fixed git-annex. Upstream says the failure is
specific to local-path remotes: whatever the verdicts, they are observed here."""

import pytest

from helpers import ROOT, assert_sources_unharmed, load_run, observed_verdict, snakemake
from sshd import sshd, why_no_sshd

pytestmark = pytest.mark.skipif(why_no_sshd() is not None, reason=why_no_sshd() or "")

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
VERSIONS = ["10.20260115", "10.20261026"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("transport")
    with sshd(workdir / "sshd") as (host, command):
        out = snakemake(workdir, "--cores", "2", configfiles=TEST_CONFIG, config=[
            "storage_sibling=off", "transport=[local, ssh]", f"git_annex=[{', '.join(VERSIONS)}]",
            f"ssh={{'host': '{host}', 'command': '{command}'}}"])
    assert out.returncode == 0, out.stderr[-3000:]
    return workdir, *load_run(workdir)


def test_every_transport_and_version_is_observed(run):
    _, records, summary, _ = run
    seen = {(rs[0].transport, rs[0].git_annex): observed_verdict(rs) for rs in records.values()}
    assert set(seen) == {(t, v) for t in ("local", "ssh") for v in VERSIONS}
    assert "INCONCLUSIVE" not in seen.values(), seen
    for rs in records.values():
        scheme = rs[0].origin.split(":", 1)[0]
        assert (scheme == "ssh") == (rs[0].transport == "ssh"), rs[0].origin
    assert_sources_unharmed(summary)


def test_the_summary_compares_the_transports(run):
    _, records, summary, _ = run
    section = summary.split("## Transport", 1)[1].split("\n## ", 1)[0]
    for (transport, version), verdict in {
        (rs[0].transport, rs[0].git_annex): observed_verdict(rs) for rs in records.values()
    }.items():
        assert f"| {version} | {transport} | {verdict}" in section, section
