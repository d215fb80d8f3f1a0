"""Under load: 16 siblings on the local executor with --cores 2 (2 real cores) still
meet at their barrier and start their gets together; every clone is recorded, the
verdict observed. Without annex_race.driver.compat.make_room_for_waiting_jobs, 7 of them would run and the
other 9 wait in the executor's queue until the barrier timed out."""

from helpers import ROOT, assert_sources_unharmed, get_start_skew, load_run, observed_verdict, snakemake

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]


def test_sixteen_clones_of_one_scenario(tmp_path):
    out = snakemake(tmp_path, "--cores", "2", configfiles=TEST_CONFIG,
                    config=["storage_sibling=off", "n_clones=16"])
    assert out.returncode == 0, out.stderr[-3000:]
    records, summary, _ = load_run(tmp_path)
    (rs,) = records.values()
    assert sorted(r.clone for r in rs) == list(range(16))
    assert all(r.barrier == "released" for r in rs)
    assert get_start_skew(r.t_get_start for r in rs) <= 1.0  # max_skew
    assert observed_verdict(rs) == "FAIL"
    assert sum(r.outcome == "ok" for r in rs) >= 1  # the winner
    assert_sources_unharmed(summary)
