"""What the jobs wrote into shared repositories: each kind of change gets its class,
and what a job wrote is put back (annex_race.observe.snapshot)."""

import copy
import subprocess

import pytest

from annex_race.observe import snapshot

UUID = "3d960d1b-3fdc-4d0a-944f-fe14ae204e25"


def state(annex=None, config=None, refs=None, objects=None):
    return {"path": "/store/b6a/d223f", "refs": {"refs/heads/master": "a" * 40, **(refs or {})},
            "config": {"core.bare": ["true"], **(config or {})}, "annex": annex,
            "objects": objects or {}, "config_text": "[core]\n\tbare = true\n"}


INITIALISED = {"annex.uuid": ["0" * 36], "annex.version": ["10"]}


@pytest.mark.parametrize("before, after, kind, klass", [
    # a get's transfer lock in the origin
    (state({"index": 10}, INITIALISED), state({"index": 10, "transfer/download/u/lck.KEY": 0}, INITIALISED),
     "transfer lock", "expected"),
    (state({}, INITIALISED), state({"journal.lck": 0}, INITIALISED), "lock file", "expected"),
    (state({}, INITIALISED), state({"keysdb/db": 4096}, INITIALISED), "annex cache", "expected"),
    # the auto-initialisation of a bare input store: its annex directory appears ...
    (state(None), state({"index": 137, "sentinal": 0}), "annex created", "unexpected"),
    # ... and its config gains an annex.uuid
    (state(None, {}), state(None, {"annex.uuid": [UUID]}), "config", "unexpected"),
    (state(None, {"remote.origin.url": ["/a"]}), state(None, {"remote.origin.url": ["/b"]}), "config",
     "unexpected"),
    (state(None), state(None, refs={"refs/heads/git-annex": "b" * 40}), "ref", "unexpected"),
    (state({}, INITIALISED), state({"journal/uuid.log": 50}, INITIALISED), "annex state", "unexpected"),
    # not yet initialised: even a database is state a job created
    (state({"x": 1}), state({"x": 1, "keysdb/db": 4096}), "annex state", "unexpected"),
    (state({}, INITIALISED), state({}, INITIALISED, objects={"KEY": 8}), "object added", "unexpected"),
    (state({}, INITIALISED, objects={"KEY": 8}), state({}, INITIALISED), "object lost", "harmed"),
    (state({}, INITIALISED, objects={"KEY": 8}), state({}, INITIALISED, objects={"KEY": 7}), "object lost",
     "harmed"),
])
def test_each_kind_of_change_gets_its_class(before, after, kind, klass):
    changes = snapshot.compare({"input RIA store: b6a/d223f": before}, {"input RIA store: b6a/d223f": after})
    assert [(c.kind, c.klass) for c in changes] == [(kind, klass)]
    verdict = {"expected": "clean", "unexpected": "written", "harmed": "harmed"}[klass]
    assert snapshot.sources_verdict(changes) == verdict


def test_no_change_is_clean_and_every_kind_is_in_the_table():
    same = state({"index": 1}, INITIALISED)
    assert snapshot.compare({"r": same}, {"r": copy.deepcopy(same)}) == []
    assert snapshot.sources_verdict([]) == "clean"
    assert {klass for klass, _ in snapshot.CLASSES.values()} == {"expected", "unexpected", "harmed"}


def test_a_repository_or_store_file_that_appears_or_goes_is_classed():
    store = {"path": "/store", "files": {"ria-layout-version": 2}}
    logged = {"path": "/store", "files": {"ria-layout-version": 2, "error_logs/x": 10}}
    repo = state()
    changes = snapshot.compare({"s: store files": store, "s: a/b": repo},
                               {"s: store files": logged, "s: c/d": repo})
    assert sorted((c.repository, c.kind, c.klass) for c in changes) == [
        ("s: a/b", "repository removed", "harmed"), ("s: c/d", "repository created", "unexpected"),
        ("s: store files", "store file", "unexpected")]


def test_clones_that_saw_different_uuids_mean_the_store_was_initialised_more_than_once(tmp_path):
    logs = {}
    for clone, uuid in enumerate([UUID, "9" * 36, UUID, None]):
        logs[clone] = tmp_path / f"clone-{clone}.log"
        logs[clone].write_text(f"1.0 annex-race: {snapshot.UUID_LINE} {uuid or 'none'} (ria+file:///s)\n")
    logs[3].write_text(logs[3].read_text() + "2.0 [2026-12-02 08:18:39.5] (Annex.Branch) read uuid.log\n"
                       "2.1   Detected a filesystem where Sqlite does not work.\n2.1   Remote origin: Not initialized.\n")
    seen = snapshot.seen_uuids(logs)
    assert seen == {0: UUID, 1: "9" * 36, 2: UUID, 3: None}
    name = "input RIA store: b6a/d223f"
    lines = snapshot.initialisations({name: state(None)}, {name: state({}, {"annex.uuid": [UUID]})}, seen,
                                     snapshot.warnings(logs))
    assert "initialised 2 times at once" in lines[0] and "clones 0, 2" in lines[0] and "clone 1" in lines[0]
    assert lines[1:] == ["git-annex said in clone 3 (sqlite-unusable): Detected a filesystem where Sqlite does "
                         "not work. / Remote origin: Not initialized."]


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_a_real_bare_repository_initialised_by_git_annex_is_seen_and_put_back(tmp_path):
    """Real git and git-annex: `git annex init` in a bare repository (what a job's
    clone did to the input store) writes annex.uuid, annex/ and the git-annex branch;
    restore puts the repository back as the snapshot before saw it."""
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", cwd=work)
    git("commit", "-q", "--allow-empty", "-m", "start", cwd=work)
    bare = tmp_path / "store" / "b6a" / "d223f"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=tmp_path)
    shared = {"input RIA store": ("store", str(tmp_path / "store"))}
    before = snapshot.take(shared)
    git("annex", "init", "-q", cwd=bare)
    changes = snapshot.compare(before, snapshot.take(shared))
    kinds = {(c.kind, c.path) for c in changes}
    assert ("config", "annex.uuid") in kinds and ("annex created", "annex/") in kinds
    assert ("ref", "refs/heads/git-annex") in kinds
    assert snapshot.sources_verdict(changes) == "written"
    done = snapshot.restore(before, changes, roots=[str(tmp_path)])
    assert any("config put back" in line for line in done) and any("annex/ removed" in line for line in done)
    assert snapshot.compare(before, snapshot.take(shared)) == []
    assert "annex.uuid" not in git("config", "--list", cwd=bare)
