import pytest

from annex_race.core.axes import AXES, IMPLICIT, as_list, scenario_id
from annex_race.planning.matrix import normalize_axes, scenario_table

BASE = {
    "location": ["local"],
    "clone_from": ["ria"],
    "transport": ["local"],
    "storage_sibling": ["off", "on"],
    "method": ["datalad-get", "annex-get"],
    "deliver": ["none"],
    "start": ["barrier"],
    "image_size": ["50M"],
    "n_clones": [2],
    "annex_retry": [3],
    "annex_retry_delay": [1],
    "annex_bwlimit": [""],
    "git_annex": ["10.20260115"],
    "workaround": ["none", "prefetch"],
}


def test_scalars_from_the_command_line_become_one_value_lists():
    config = normalize_axes({"storage_sibling": "on", "n_clones": 3, "annex_bwlimit": None})
    assert config == {"storage_sibling": ["on"], "n_clones": [3], "annex_bwlimit": [""]}
    assert as_list(["a", "b"]) == ["a", "b"]


def test_switches_from_the_command_line_become_booleans():
    config = normalize_axes({"deliver_at_barrier": "true", "keep_clones": "False", "full_matrix": "maybe"})
    assert config == {"deliver_at_barrier": True, "keep_clones": False, "full_matrix": "maybe"}  # the schema names it


def test_git_annex_version_parsed_as_float_gets_its_trailing_zero_back():
    # snakemake --config git_annex=10.20260120 parses the value as a float
    assert normalize_axes({"git_annex": 10.2026012})["git_annex"] == ["10.20260120"]


def test_ids_are_readable_and_name_every_axis():
    params = {axis: BASE[axis][0] for axis in AXES}
    sid = scenario_id(params)
    assert sid.startswith("loc-local_from-ria_via-local_ss-off_method-datalad-get_dlv-none_size-50M_n-2_retry-3_delay-1_bw-none")
    # an axis added later leaves its implicit value out: earlier ids stay what they were
    assert sid.count("_") == len(AXES) - 1 - len(IMPLICIT)
    scheduled = scenario_id({**params, "start": "scheduled"})
    assert "_n-2_start-scheduled_retry-3_" in scheduled and scheduled.count("_") == len(AXES) - 1


def test_table_is_the_cartesian_product():
    table = scenario_table(BASE)
    assert len(table) == 2 * 2 * 2
    assert table.index.is_unique
    assert set(table.columns) == set(AXES)


def test_skip_leaves_out_matching_scenarios_unless_full_matrix():
    config = {**BASE, "skip": [{"workaround": "prefetch", "storage_sibling": "on"}]}
    assert len(scenario_table({**config, "full_matrix": False})) == 8 - 2
    assert len(scenario_table({**config, "full_matrix": True})) == 8


def test_skip_naming_an_unknown_axis_is_an_error():
    with pytest.raises(ValueError, match="'colour' is not an axis"):
        scenario_table({**BASE, "full_matrix": False, "skip": [{"colour": "red"}]})


def test_a_clone_of_source_ds_with_a_storage_sibling_is_never_a_scenario():
    table = scenario_table({**BASE, "clone_from": ["ria", "source"]})
    assert len(table) == 8 + 4
    assert not ((table["clone_from"] == "source") & (table["storage_sibling"] == "on")).any()


SEED_ROWS = [
    {"test": "Local clone", "seed_location": "local", "seed_says": "PASS",
     "clone_from": "source", "storage_sibling": "off", "method": "datalad-get"},
    {"test": "RIA, no sibling", "seed_location": "cluster", "seed_says": "FAIL",
     "clone_from": "ria", "storage_sibling": "off"},
]


def test_explicit_rows_pin_their_axes_and_keep_their_notes():
    config = {**BASE, "clone_from": ["ria", "source"], "workaround": ["none"], "scenarios": SEED_ROWS}
    table = scenario_table(config)
    assert list(table["test"]) == ["Local clone", "RIA, no sibling", "RIA, no sibling"]
    # an axis a row does not pin takes every value of its own
    assert list(table["method"]) == ["datalad-get", "datalad-get", "annex-get"]


def test_explicit_rows_outside_a_slice_are_left_out():
    config = {**BASE, "clone_from": ["ria"], "workaround": ["none"], "method": ["annex-get"],
              "scenarios": SEED_ROWS}
    assert list(scenario_table(config)["test"]) == ["RIA, no sibling"]


def test_explicit_row_naming_an_unknown_axis_is_an_error():
    with pytest.raises(ValueError, match=r"config key 'scenarios\[0\]': 'colour' is not an axis"):
        scenario_table({**BASE, "scenarios": [{"colour": "red"}]})


def test_numbers_given_as_text_on_the_command_line_are_numbers():
    config = normalize_axes({"n_clones": ["2", "4"], "annex_retry_delay": "0.5", "annex_retry": ["x"]})
    assert config == {"n_clones": [2, 4], "annex_retry_delay": [0.5], "annex_retry": ["x"]}


def test_retry_backoff_is_a_retry_budget():
    table = scenario_table({**BASE, "workaround": ["none", "retry-backoff"],
                            "backoff": {"annex_retry": 12, "annex_retry_delay": 2}})
    backoff = table[table["workaround"] == "retry-backoff"]
    assert set(backoff["annex_retry"]) == {12} and set(backoff["annex_retry_delay"]) == {2}
    assert all("_retry-12_delay-2_" in s for s in backoff.index)
