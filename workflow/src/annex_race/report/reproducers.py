"""Standalone reproducers of the push operations and deliveries, for the bug report: plain bash
scripts that need git and git-annex only."""

from pathlib import Path

from ..core.image import parse_size
from ..core.methods import DELIVERIES, METHODS

REPRODUCERS = Path(__file__).with_name("reproducers")


def reproducer(method, n_clones=2, size="8M", bwlimit="1MiB", git_annex=None):
    """A plain bash script (git and git-annex only: no DataLad, Snakemake or
    annex-race) that sets up its repositories in a fresh temporary directory, runs
    the operation of `method` in `n_clones` jobs at once and prints what failed; it
    exits 1 where the failure shows, 0 where every job succeeded."""
    op = METHODS[method].delivery if method in METHODS and METHODS[method].delivery else DELIVERIES[method]
    mib = max(1, parse_size(size) // (1 << 20))
    settings = [f"{name}=${{{name}:-{value}}}" for name, value in
                (("N", n_clones), ("SIZE_MIB", mib), ("BWLIMIT", bwlimit or ""))]
    settings += [f"{name}=${{{name}:-{value}}}" for name, _, value in
                 (e.partition("=") for e in op.reproducer_env.split() if e)]
    seen = f" (annex-race observed it failing with git-annex {git_annex})" if git_annex else ""
    return "\n".join([
        "#!/usr/bin/env bash",
        f"# annex-race's standalone reproducer of `{method}`{seen}.",
        "# Needs git and git-annex on PATH, nothing else; run: bash <this file>",
        "# (N, SIZE_MIB, BWLIMIT, LIMIT and the settings below may be given in the environment)",
        *(f"export {s}" for s in settings),
        (REPRODUCERS / "common.sh").read_text().rstrip(),
        "",
        (REPRODUCERS / f"{op.reproducer}.sh").read_text().rstrip(),
        "",
    ])
