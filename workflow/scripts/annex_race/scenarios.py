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


def normalize_axes(config, axes=AXES):
    """Turn every axis present in `config` into a list, in place."""
    for axis in axes:
        if axis in config:
            config[axis] = as_list(config[axis])
    return config


def value_tag(value):
    return "none" if value in ("", None) else str(value)


def scenario_id(params, axes=AXES):
    """Readable id, e.g. `ss-off_method-datalad-get_size-50M_n-2_retry-3_bw-none`."""
    return "_".join(f"{tag}-{value_tag(params[axis])}" for axis, tag in axes.items())


def scenario_table(config, axes=AXES):
    """One row per scenario (the cartesian product of the axes), indexed by id."""
    names = list(axes)
    rows = [dict(zip(names, combo)) for combo in itertools.product(*(config[a] for a in names))]
    table = pd.DataFrame(rows, columns=names)
    table.index = pd.Index([scenario_id(row, axes) for row in rows], name="scenario")
    duplicated = table.index[table.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"config lists a value twice: scenario {duplicated[0]} repeats")
    return table
