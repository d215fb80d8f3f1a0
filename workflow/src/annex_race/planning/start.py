"""A run's planning, in the main Snakemake process, in the order that keeps every
check before anything is made: the configuration's roots and versions, what is on
disk (progress), the plan (pure), the space it needs, what `system` resolves to."""

import sys
from pathlib import Path

from ..core import versions
from ..core.roots import validate_root
from . import progress as observed
from .locations import validate_locations
from .matrix import tables
from .plan import build, fixed_version
from .space import ensure_free_space, space_needs


def resolve_roots(config, checkout):
    """Validate the work roots (core/roots.validate_root) and spell them out in
    `config`, in place, as the plan and every job will use them: git_annex_cache and
    the used locations' roots absolute, the git-annex versions listed one by one."""
    cache = validate_root("git_annex_cache", config["git_annex_cache"], checkout)
    config["git_annex_cache"] = str(cache)
    config["git_annex"] = versions.expand_versions(config["git_annex"], cache)
    for name, location in validate_locations(config["locations"], config["location"], checkout).items():
        config["locations"][name] = {**config["locations"][name], "source_root": str(location.source_root),
                                     "clone_root": str(location.clone_root)}
    return config


def plan_run(config, checkout, executor, logger):
    """The plan of this run and what `system` resolves to; `config` validated against
    the schema. Raises ValueError (one line naming the key) before anything is made.
    `logger`: where to say what the run will do (Snakemake's)."""
    resolve_roots(config, checkout)
    progress = observed.observe(tables(config, fixed_version(config)), config, config["git_annex_cache"])
    plan = build(config, progress, executor)
    wanted = {s.axes["git_annex"] for s in plan.scenarios.values()}
    if warning := versions.validate_known(wanted, config["git_annex_cache"]):
        logger.warning(f"annex-race: {warning}")
    in_matrix = versions.SYSTEM in {s.axes["git_annex"] for s in plan.suite("matrix")}
    system = versions.site_git_annex(  # resolved afresh by every run
        config["git_annex_system"], [Path(sys.executable).parent, config["git_annex_cache"]], in_matrix)
    if in_matrix:
        logger.info(f"annex-race: git_annex system is {system['reported']} ({system['provenance']})")
    ensure_free_space(space_needs(plan, progress, config["keep_clones"]))
    for line in plan.describe():
        logger.info(f"annex-race: {line}")
    return plan, system
