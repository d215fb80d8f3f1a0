"""The clone record is a contract: validated when written and when read."""

import json

import pytest

from dataclasses import fields

from annex_race.core.record import (CloneRecord, RecordError, ScenarioFields, get_start_skew, read_record, validate,
                                    write_record)
from annex_race.core.axes import AXES
from annex_race.report.table import SUMMARY_COLUMNS
from helpers import make_record


def test_record_and_summary_start_with_the_scenario_and_every_axis_in_order():
    names = [f.name for f in fields(ScenarioFields)]
    assert names == ["scenario", *AXES]
    assert [f.name for f in fields(CloneRecord)][:len(names)] == names
    assert list(SUMMARY_COLUMNS[:len(names)]) == names


def test_written_then_read_back_unchanged(tmp_path):
    data = make_record()
    write_record(tmp_path / "r.json", data)
    assert read_record(tmp_path / "r.json") == CloneRecord(**data)
    assert not list(tmp_path.glob(".*tmp"))  # written atomically


def test_a_missing_field_is_one_line_naming_it(tmp_path):
    data = make_record()
    del data["outcome"]
    (tmp_path / "r.json").write_text(json.dumps(data))
    with pytest.raises(RecordError) as error:
        read_record(tmp_path / "r.json")
    assert str(error.value) == f"{tmp_path / 'r.json'}: record field 'outcome' is missing"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"clone": "0"}, "record field 'clone' is '0', expected int"),
        ({"t_get_start": "soon"}, "record field 't_get_start' is 'soon', expected float | null"),
        ({"n_clones": True}, "record field 'n_clones' is True, expected int"),
        ({"colour": "red"}, "record field 'colour' is not part of the record"),
    ],
)
def test_a_mistyped_or_unknown_field_is_named(tmp_path, change, message):
    with pytest.raises(RecordError, match=message.replace("|", r"\|")):
        write_record(tmp_path / "r.json", {**make_record(), **change})
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("text", ["", "{\"scenario\": ", "[]", "\x00\x01"])
def test_a_garbled_file_is_one_line(tmp_path, text):
    (tmp_path / "r.json").write_text(text)
    with pytest.raises(RecordError) as error:
        read_record(tmp_path / "r.json")
    assert "\n" not in str(error.value)


def test_start_skew():
    assert get_start_skew([10.0, 10.25, 10.5]) == 0.5
    assert get_start_skew([10.0, None]) is None
    assert get_start_skew([10.0, float("nan")]) is None


@pytest.mark.parametrize("method, field, value", [
    ("annex-get", "pushed", {"branch": "job-0"}),
    ("annex-get", "delivered", True),
    ("push-ora", "arrival", "copy"),
    ("annex-init", "arrival", "copy"),
    ("babs", "pushed", {"branch": "job-0"}),
])
def test_a_field_its_methods_family_does_not_fill_is_refused(method, field, value):
    """The table of methods says which fields a family fills (core/methods.FILLS)."""
    with pytest.raises(RecordError, match=f"record field '{field}' is set, but method {method} does not fill it"):
        validate(make_record() | {"method": method, "arrival": None, field: value})


def test_a_record_of_an_earlier_annex_race_reads_under_its_renamed_fields():
    old = make_record()
    old["git_annex_source"] = old.pop("git_annex_provenance")
    assert validate(old).git_annex_provenance == "PyPI"
