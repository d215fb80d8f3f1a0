"""The scenario matrix: each config axis is a list, the matrix is their product, or
the explicit rows of `scenarios` (e.g. the seed notes' table), each within the axes."""

import itertools

from ..core.axes import AXES, MEANINGLESS, ROW_NOTES, as_list, matches, scenario_id
from ..core.methods import deliver_value


def _version_text(value):
    # `--config git_annex=10.20260120` arrives as the float 10.2026012: git-annex
    # versions have eight date digits after the dot, which restores the text
    return f"{value:.8f}" if isinstance(value, float) else value


# axes whose values are numbers: `--config n_clones=[2, 4]` gives them as text
NUMBERS = {"n_clones": int, "annex_retry": int, "annex_retry_delay": float}


def _number(value, kind):
    try:
        return kind(value) if isinstance(value, str) else value
    except ValueError:
        return value  # left for the schema to name


# switches: `--config keep_clones=true` gives them as text
SWITCHES = ("keep_clones", "full_matrix", "deliver_at_barrier")


def normalize_axes(config, axes=AXES):
    """Turn every axis present in `config` into a list, and a switch given as text
    (`true`, `False`) into a boolean, in place."""
    for key in SWITCHES:
        if isinstance(config.get(key), str) and config[key].lower() in ("true", "false"):
            config[key] = config[key].lower() == "true"
    for axis in axes:
        if axis in config:
            config[axis] = as_list(config[axis])
            if axis in NUMBERS:
                config[axis] = [_number(v, NUMBERS[axis]) for v in config[axis]]
    if "git_annex" in config:
        config["git_annex"] = [_version_text(v) for v in config["git_annex"]]
    for row in config.get("scenarios") or []:
        if isinstance(row, dict) and "git_annex" in row:
            row["git_annex"] = _version_text(row["git_annex"])
    return config


def config_error(error):
    """One line naming the offending config key of a jsonschema error by its full
    path (`backoff.annex_retry`, `locations.laptop.source_root`, `scenarios[0]`); an
    axis's value is named by itself, not by its place in the list (`--config` gives
    a one-value list)."""
    parts = [str(p) for p in error.absolute_path]
    if len(parts) == 2 and parts[0] in AXES:
        parts.pop()
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts).lstrip(".")
    return f"config key '{path}': {error.message}" if path else f"config: {error.message}"


def _product(config, names, fixed=None):
    """Rows of the cartesian product of the axes, with the axes in `fixed` pinned."""
    fixed = fixed or {}
    lists = [[fixed[a]] if a in fixed else config[a] for a in names]
    return [dict(zip(names, combo)) for combo in itertools.product(*lists)]


def _explicit_rows(config, names):
    """The rows of `scenarios`: each pins some axes (the others take every value of
    theirs) and may carry notes (ROW_NOTES). A row whose pinned value is not among
    its axis's values is outside the slice that runs, and left out."""
    rows = []
    for i, entry in enumerate(config["scenarios"]):
        if unknown := set(entry) - set(names) - set(ROW_NOTES):
            raise ValueError(f"config key 'scenarios[{i}]': {sorted(unknown)[0]!r} is not an axis")
        fixed = {a: v for a, v in entry.items() if a in names}
        notes = {n: entry.get(n, "") for n in ROW_NOTES}
        if all(v in config[a] for a, v in fixed.items()):
            rows += [{**row, **notes} for row in _product(config, names, fixed)]
    return rows


def express_workarounds(row, backoff):
    """The retry-backoff workaround is a retry budget: its annex.retry and
    annex.retrydelay (from `backoff`) stand in the scenario's retry axes. A method
    that delivers its own way (core/methods.deliver_as) takes that deliver value."""
    if "deliver" in row and "method" in row:
        row = {**row, "deliver": deliver_value(row["method"], row["deliver"])}
    if row["workaround"] == "retry-backoff" and backoff:
        return {**row, "annex_retry": backoff["annex_retry"],
                "annex_retry_delay": backoff["annex_retry_delay"]}
    return row


def scenario_table(config, axes=AXES):
    """One row per scenario, indexed by id: the explicit rows of `scenarios` if given,
    else the cartesian product of the axes less the combinations matching an entry
    of `skip` (unless `full_matrix` is set); never a meaningless combination."""
    names = list(axes)
    for pattern in config.get("skip", []):
        if unknown := set(pattern) - set(names):
            raise ValueError(f"config key 'skip': {sorted(unknown)[0]!r} is not an axis")
    if config.get("scenarios"):
        rows = _explicit_rows(config, names)
    else:
        rows = _product(config, names)
        if not config.get("full_matrix", True):
            rows = [r for r in rows if not any(matches(r, p) for p in config.get("skip", []))]
    rows = [express_workarounds(r, config.get("backoff")) for r in rows]
    rows = list({scenario_id(r, axes): r for r in rows if not any(matches(r, p) for p in MEANINGLESS)}.values())
    if not rows:
        raise ValueError("config: every scenario of the matrix is skipped")
    import pandas as pd  # here: a job process loads the plan and needs no table

    columns = names + [n for n in ROW_NOTES if any(n in r for r in rows)]
    table = pd.DataFrame(rows, columns=columns)
    table.index = pd.Index([scenario_id(row, axes) for row in rows], name="scenario")
    duplicated = table.index[table.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"config lists a scenario twice: {duplicated[0]}")
    return table


CHECK_PREFIX = "check_"  # ids of `snakemake check`'s scenarios: never a matrix scenario's


def check_table(config, fixed_version=None, axes=AXES):
    """The scenarios of `snakemake check` ("is my site affected?"), per location of the
    `location` axis: the smallest decisive one (the site's git-annex, `system`; two
    clones of the input RIA store without storage sibling, plain `git annex get`, the
    largest image_size configured, the whole job delivered as the first `deliver`
    value says) and the same with each workaround: a storage sibling, prefetch,
    retry-backoff, verifyremote (where it delivers), and `fixed_version` of git-annex
    if given."""
    from ..core.image import parse_size

    base = {axis: config[axis][0] for axis in axes} | {
        "clone_from": "ria", "transport": "local", "storage_sibling": "off",
        "method": "annex-get", "n_clones": 2, "annex_retry": 3, "annex_retry_delay": 1,
        "git_annex": "system", "workaround": "none",
        "image_size": max(config["image_size"], key=parse_size),
    }
    variants = [{}, {"storage_sibling": "on"}, {"workaround": "prefetch"},
                {"workaround": "retry-backoff"}, {"workaround": "verifyremote"}] + (
        [{"git_annex": fixed_version}] if fixed_version else [])
    rows = [express_workarounds({**base, "location": location, **v}, config.get("backoff"))
            for location in config["location"] for v in variants]
    rows = [r for r in rows if not any(matches(r, p) for p in MEANINGLESS)]
    import pandas as pd

    table = pd.DataFrame(rows, columns=list(axes))
    table.index = pd.Index([CHECK_PREFIX + scenario_id(row, axes) for row in rows], name="scenario")
    return table


def tables(config, fixed_version=None):
    """The scenario table of each suite: `matrix` (what `snakemake` runs) and `site`
    (what `snakemake check` runs, with `fixed_version` as the upgrade to try)."""
    return {"matrix": scenario_table(config), "site": check_table(config, fixed_version)}
