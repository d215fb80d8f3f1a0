"""The scenario axes: each a config key whose values the matrix multiplies, and
what tells a scenario apart (its id). The matrix itself is planning/matrix.py."""

from .methods import DELIVERY_WORKAROUNDS, METHODS, NO_DELIVERY

# Config key of each axis -> its tag in scenario ids. Adding an axis is one line
# here, its field in record.ScenarioFields, its default in config/config.yaml and
# its entry in the config schema.
AXES = {
    "location": "loc",
    "clone_from": "from",
    "transport": "via",
    "storage_sibling": "ss",
    "method": "method",
    "deliver": "dlv",
    "image_size": "size",
    "n_clones": "n",
    "start": "start",
    "annex_retry": "retry",
    "annex_retry_delay": "delay",
    "annex_bwlimit": "bw",
    "git_annex": "ga",
    "workaround": "wa",
}
# Axes added after scenarios had ids: their first value (what every scenario did
# before) stays out of ids, so an earlier run's ids, records and docs name the same
# scenarios.
IMPLICIT = {"start": "barrier"}
# what an explicit row of `scenarios` may say about itself besides its axis values
ROW_NOTES = ("test", "seed_location", "seed_says")
# combinations that mean nothing: a clone of source_ds has no RIA store at all; the
# transport to the origin matters only where clones fetch from it (through the
# .gitmodules URL), not from a storage sibling or from source_ds itself; a workaround
# of the delivery step where no job delivers (or BABS's template delivers); and the
# axes that say nothing about a method (core/methods.py)
MEANINGLESS = [
    {"clone_from": "source", "storage_sibling": "on"},
    {"transport": "ssh", "storage_sibling": "on"},
    {"transport": "ssh", "clone_from": "source"},
    {"workaround": list(DELIVERY_WORKAROUNDS), "deliver": NO_DELIVERY},
    {"workaround": list(DELIVERY_WORKAROUNDS), "method": "babs"},
    # BABS submits its own array and starts its tasks itself
    {"start": "scheduled", "method": "babs"},
    *({"method": name, axis: value} for name, m in METHODS.items() for axis, value in m.meaningless),
]


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


def value_tag(value):
    return "none" if value in ("", None) else str(value)


def scenario_id(params, axes=AXES):
    """Readable id, e.g. `loc-local_from-ria_ss-off_method-datalad-get_size-50M_n-2_…`."""
    return "_".join(f"{tag}-{value_tag(params[axis])}" for axis, tag in axes.items()
                    if IMPLICIT.get(axis, object()) != params[axis])


def matches(params, pattern):
    """True if `params` has, for every axis in `pattern`, that value or one of those values."""
    return all(params[axis] in as_list(values) for axis, values in pattern.items())


