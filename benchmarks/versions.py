"""Mapping git-annex versions: the install time of each (first install, then reuse) and
the wall time to map N of them.

    python benchmarks/versions.py                 # install 4 releases, map 4 and all of PyPI's
    python benchmarks/versions.py --skip-all      # without the map of every release

Installs go into a fresh cache (so that the first install is one), which the maps
then reuse; each map runs the affected configuration (no storage sibling, plain
`git annex get`, two clones, 8 MiB at 1 MiB/s) once per version, in lanes.
"""

import argparse
import sys
import time
from contextlib import ExitStack

from annex_race.driver.cli import ROOT, read_run, run_snakemake, temporary_workdir
from annex_race.core.versions import expand_versions, known_versions

TEST_CONFIG = [ROOT / ".test" / "config" / "config.yaml"]
FOUR = ["10.20251114", "10.20251215", "10.20260213", "10.20260316"]


def timed(workdir, *args, config=()):
    started = time.time()
    out = run_snakemake(workdir, "--cores", "2", *args, configfiles=TEST_CONFIG, config=config, timeout=None)
    if out.returncode:
        sys.exit(f"the workflow failed:\n{out.stderr[-3000:]}")
    return time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-all", action="store_true", help="map only the four releases")
    parser.add_argument("--keep", action="store_true", help="keep the cache and the working directories")
    args = parser.parse_args()
    with ExitStack() as stack:
        scratch = lambda prefix: stack.enter_context(temporary_workdir(prefix, args.keep))  # noqa: E731
        cache = scratch("annex-race-versions-cache-")
        config = [f"git_annex_cache={cache}", "storage_sibling=off"]

        print(f"{'version':<20} {'first install s':>16} {'reuse s':>8}")
        first, again = scratch("annex-race-v1-"), scratch("annex-race-v2-")
        for version in FOUR:
            target = f"results/git-annex/{version}.json"
            print(f"{version:<20} {timed(first, target, config=config):>16.1f} "
                  f"{timed(again, target, config=config):>8.1f}", flush=True)

        every = expand_versions(["all"], cache) if known_versions(cache) else []
        for label, versions in (("4", FOUR), ("all", every)):
            if label == "all" and (args.skip_all or not versions):
                continue
            workdir = scratch(f"annex-race-map-{label}-")
            wall = timed(workdir, config=[*config, f"git_annex=[{', '.join(versions)}]"])
            records = read_run(workdir)
            print(f"map of {len(versions)} versions ({label}): wall {wall:.1f} s for {len(records)} scenarios "
                  f"(installs included where the cache lacked them)", flush=True)

if __name__ == "__main__":
    main()
