"""Same verdicts before and after a change: the default matrix and the delivery
matrix (config/delivery.yaml) run with a revision's checkout and with this one, in
one sitting, every scenario's verdict and cause side by side.

    python tools/same_verdicts.py --before REV        # e.g. the commit before a change
    python tools/same_verdicts.py --before REV --only delivery

--before checks REV out into a temporary worktree and runs its Snakefile with its
own annex_race (PYTHONPATH), in working directories of their own. Verdict and cause
are read from each run's scenario cards (results/scenarios/<location>/<storage
sibling>/<scenario>.<verdict>.html), which every revision writes the same way.
Exits 1 where a verdict or a cause differs. Verdicts are observed: a scenario may
come out INCONCLUSIVE on a loaded machine in either run; rerun to tell.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annex_race.core.roots import safe_remove
from annex_race.driver.cli import ROOT, SNAKEMAKE

MATRICES = {"default": [], "delivery": ["config/delivery.yaml"]}
_CAUSE = re.compile(r" — cause: ([^<]*)</p>")


def run(checkout, workdir, configfiles):
    cmd = [str(SNAKEMAKE), "-s", str(checkout / "Snakefile"), "-d", str(workdir), "--cores", "2",
           "--configfile", str(checkout / "config" / "config.yaml"), *(str(checkout / f) for f in configfiles)]
    env = {**os.environ, "PYTHONPATH": str(checkout / "workflow" / "src")}  # its own annex_race
    started = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"{checkout}: snakemake failed:\n{out.stderr[-3000:]}")
    return time.time() - started


def verdicts(workdir):
    """scenario -> (verdict, cause), from the run's cards."""
    found = {}
    for card in Path(workdir, "results", "scenarios").glob("*/*/*.html"):
        scenario, verdict = card.name.removesuffix(".html").rsplit(".", 1)
        cause = _CAUSE.search(card.read_text())
        found[scenario] = (verdict, cause.group(1) if cause else "")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--only", choices=list(MATRICES), help="one matrix only")
    args = parser.parse_args()
    worktree = Path(tempfile.mkdtemp(prefix="annex-race-before-"))
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(worktree), args.before], check=True)
    differ = 0
    try:
        for name, configfiles in MATRICES.items():
            if args.only and name != args.only:
                continue
            seen, wall = {}, {}
            for label, checkout in ((args.before, worktree), ("this checkout", ROOT)):
                workdir = Path(tempfile.mkdtemp(prefix=f"annex-race-{name}-"))
                try:
                    wall[label] = run(checkout, workdir, configfiles)
                    seen[label] = verdicts(workdir)
                finally:
                    safe_remove(workdir, [workdir.parent])
            before, after = seen[args.before], seen["this checkout"]
            print(f"\n## {name} matrix: {len(after)} scenarios "
                  f"({args.before}: {wall[args.before]:.0f} s, this checkout: {wall['this checkout']:.0f} s)\n")
            print(f"| scenario | {args.before} | this checkout | same |\n|---|---|---|---|")
            for scenario in sorted(set(before) | set(after)):
                b, a = before.get(scenario, ("missing", "")), after.get(scenario, ("missing", ""))
                same = b == a
                differ += not same
                show = [f"{v} ({c})" if c else v for v, c in (b, a)]
                print(f"| `{scenario}` | {show[0]} | {show[1]} | {'yes' if same else '**no**'} |")
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=True)
    print(f"\n{differ} scenarios differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
