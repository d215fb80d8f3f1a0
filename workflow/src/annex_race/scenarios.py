"""The scenario matrix: each config axis is a list, the matrix is their product."""

import itertools

import pandas as pd

# Config key of each axis -> its tag in scenario ids. Adding an axis is one line
# here, plus its default in config/config.yaml and its entry in the config schema.
AXES = {
    "storage_sibling": "ss",
    "method": "method",
    "image_size": "size",
    "n_clones": "n",
    "annex_retry": "retry",
    "annex_bwlimit": "bw",
    "git_annex": "ga",
    "workaround": "wa",
}


def as_list(value):
    """An axis given as a scalar (e.g. `--config storage_sibling=on`) is a one-value list.

    An empty command-line value (`--config annex_bwlimit=`) arrives as None and
    means the empty setting.
    """
    if value is None:
        return [""]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _version_text(value):
    # `--config git_annex=10.20260120` arrives as the float 10.2026012: git-annex
    # versions have eight date digits after the dot, which restores the text
    return f"{value:.8f}" if isinstance(value, float) else value


def normalize_axes(config, axes=AXES):
    """Turn every axis present in `config` into a list, in place."""
    for axis in axes:
        if axis in config:
            config[axis] = as_list(config[axis])
    if "git_annex" in config:
        config["git_annex"] = [_version_text(v) for v in config["git_annex"]]
    return config


def value_tag(value):
    return "none" if value in ("", None) else str(value)


def scenario_id(params, axes=AXES):
    """Readable id, e.g. `ss-off_method-datalad-get_size-50M_n-2_retry-3_bw-none`."""
    return "_".join(f"{tag}-{value_tag(params[axis])}" for axis, tag in axes.items())


def matches(params, pattern):
    """True if `params` has, for every axis in `pattern`, that value or one of those values."""
    return all(params[axis] in as_list(values) for axis, values in pattern.items())


def scenario_table(config, axes=AXES):
    """One row per scenario, indexed by id: the cartesian product of the axes, less
    the combinations matching an entry of `skip` (unless `full_matrix` is set)."""
    names = list(axes)
    rows = [dict(zip(names, combo)) for combo in itertools.product(*(config[a] for a in names))]
    for pattern in config.get("skip", []):
        if unknown := set(pattern) - set(names):
            raise ValueError(f"config key 'skip': {sorted(unknown)[0]!r} is not an axis")
    if not config.get("full_matrix", True):
        rows = [r for r in rows if not any(matches(r, p) for p in config.get("skip", []))]
    if not rows:
        raise ValueError("config: every scenario of the matrix is skipped")
    table = pd.DataFrame(rows, columns=names)
    table.index = pd.Index([scenario_id(row, axes) for row in rows], name="scenario")
    duplicated = table.index[table.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"config lists a value twice: scenario {duplicated[0]} repeats")
    return table
