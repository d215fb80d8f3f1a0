"""Does the write into the input store race itself? Many jobs initialise it at once.

    python benchmarks/init_load.py                       # 10.20260213, n_clones 8 and 16
    python benchmarks/init_load.py -n 32 --git-annex 10.20260316
    python benchmarks/init_load.py --profile profiles/slurm-test
    python benchmarks/init_load.py --profile profiles/slurm-test --configfile results/lab/box/locations.yaml \
        --config location=cluster-box "spread_nodes=[vm, vm2]"     # the store on GlusterFS, from two nodes

Each n runs one scenario of the init operation (method annex-init: every job clones
the input store without a storage sibling and runs `git annex init` only) with the
given git-annex, and prints from its records and its snapshots: how many clones
failed and why, whether the store was written, how many times it was initialised
(distinct annex uuids the clones saw on their origin right after their clone), and
whether the store's config, as the jobs left it, still parses.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from annex_race.core import layout
from annex_race.driver.cli import read_run, run_snakemake, temporary_workdir


def config_parses(text):
    with tempfile.NamedTemporaryFile("w", suffix=".config") as f:
        f.write(text)
        f.flush()
        out = subprocess.run(["git", "config", "--file", f.name, "--list"], capture_output=True, text=True)
    return out.returncode == 0, out.stdout.count("annex.uuid=")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, nargs="+", default=[8, 16], help="n_clones to try")
    parser.add_argument("--git-annex", default="10.20260213", help="the release to try")
    parser.add_argument("--profile", help="Snakemake profile (default: local executor, --cores 2)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("--configfile", nargs="*", default=[], help="more configfiles (e.g. the box's locations)")
    parser.add_argument("--config", nargs="*", default=[], help="more settings, KEY=VALUE")
    args = parser.parse_args()
    config = ["storage_sibling=off", "method=annex-init", "workaround=none", "clone_from=ria",
              "transport=local", f"git_annex={args.git_annex}", f"n_clones=[{', '.join(map(str, args.n))}]",
              *args.config]
    with temporary_workdir("annex-race-init-load-", args.keep) as workdir:
        started = time.time()
        out = run_snakemake(workdir, *(["--profile", args.profile] if args.profile else ["--cores", "2"]),
                            config=config, configfiles=[Path(f).resolve() for f in args.configfile], timeout=None)
        if out.returncode:
            sys.exit(f"workflow failed:\n{out.stderr[-3000:]}")
        print(f"git-annex {args.git_annex}, init operation, {time.time() - started:.0f} s in all")
        for scenario, records in sorted(read_run(workdir).items(), key=lambda kv: kv[1][0].n_clones):
            writes = json.loads(Path(workdir, layout.WRITES.format(scenario=scenario, round=records[0].round))
                                .read_text())
            failed = Counter(r.cause for r in records if r.outcome != "ok")
            hosts = sorted({r.slurm_node or r.host for r in records})
            print(f"n_clones={records[0].n_clones} on {', '.join(hosts)}: "
                  f"{len(records) - sum(failed.values())} of {len(records)} ok"
                  + (f", failed: {dict(failed)}" if failed else "")
                  + f"; sources {writes['verdict']}" + (f" ({writes['written']})" if writes["written"] else ""))
            for line in writes["initialisations"]:
                print(f"  {line}")
            for name, text in writes["configs_after"].items():
                parses, uuids = config_parses(text)
                print(f"  {name}: its config as the jobs left it {'parses' if parses else 'DOES NOT PARSE'}, "
                      f"{uuids} annex.uuid line(s), {len(text.splitlines())} lines")
            print(f"  put back: {'; '.join(writes['restored']) or 'nothing'}; left: {len(writes['left'])}")


if __name__ == "__main__":
    main()
