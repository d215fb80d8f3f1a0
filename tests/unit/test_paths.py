import os
import stat

import pytest

from annex_race.core.roots import RootError, filesystem_type, safe_remove, validate_root


def test_validate_root_accepts_a_path_to_be_created(tmp_path):
    assert validate_root("source_root", tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()  # nothing created


def test_validate_root_names_the_key_when_an_ancestor_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RootError, match=r"config key 'clone_root': .*file is not a directory"):
        validate_root("clone_root", tmp_path / "file" / "sub")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_validate_root_rejects_unwritable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(RootError, match="not writable"):
        validate_root("source_root", locked / "x")


def _annex_like_tree(root):
    """Read-only files in read-only directories, as git-annex leaves its objects."""
    obj = root / "objects" / "ab" / "KEY"
    obj.mkdir(parents=True)
    (obj / "KEY").write_text("content")
    for p in (obj / "KEY", obj, obj.parent):
        p.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return obj


def test_safe_remove_deletes_read_only_trees_inside_a_root(tmp_path):
    target = tmp_path / "root" / "clone"
    _annex_like_tree(target)
    safe_remove(target, [tmp_path / "root"])
    assert not target.exists()
    assert (tmp_path / "root").exists()


def test_safe_remove_refuses_paths_outside_the_roots_and_the_root_itself(tmp_path):
    keep = tmp_path / "elsewhere"
    keep.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    for path in (keep, root, root / ".." / "elsewhere", tmp_path):
        with pytest.raises(ValueError, match="refusing to delete"):
            safe_remove(path, [root])
    assert keep.exists() and root.exists()


def test_safe_remove_does_not_follow_symlinks_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("x")
    root = tmp_path / "root"
    (root / "clone").mkdir(parents=True)
    (root / "clone" / "link").symlink_to(outside)
    safe_remove(root / "clone", [root])
    assert (outside / "precious").exists()


def test_filesystem_type_of_a_path_not_yet_created(tmp_path):
    assert filesystem_type(tmp_path / "not" / "yet") == filesystem_type(tmp_path)
    assert filesystem_type("/dev/shm") == "tmpfs"


@pytest.mark.parametrize(
    "root, why",
    [
        ("/", "is the filesystem root"),
        ("~", "is your home directory"),
        ("$HOME/", "is your home directory"),
        ("~/..", "contains your home directory"),
    ],
)
def test_validate_root_refuses_roots_the_workflow_must_never_delete_in(root, why, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    with pytest.raises(RootError, match=f"config key 'clone_root': .* {why}"):
        validate_root("clone_root", root)


def test_validate_root_refuses_the_repository_and_its_source_tree_but_not_its_results(tmp_path):
    repo = tmp_path / "repo"
    (repo / "workflow").mkdir(parents=True)
    with pytest.raises(RootError, match="contains this repository"):
        validate_root("source_root", tmp_path, repo)
    with pytest.raises(RootError, match="inside this repository's source tree"):
        validate_root("source_root", repo / "workflow" / "work", repo)
    with pytest.raises(RootError, match="inside this repository's source tree"):
        validate_root("source_root", repo / "results" / ".." / "work", repo)
    assert validate_root("source_root", repo / "results" / "work", repo) == repo / "results" / "work"


def test_validate_root_sees_through_symlinks(tmp_path):
    (tmp_path / "link").symlink_to("/")
    with pytest.raises(RootError, match="is the filesystem root"):
        validate_root("clone_root", tmp_path / "link")


def test_safe_remove_refuses_a_symlink_in_a_root_that_points_out_of_it(tmp_path):
    """Attack: a directory of the clone root is replaced by a symlink to the outside,
    and the workflow deletes what it thinks is a clone under it."""
    outside = tmp_path / "outside"
    (outside / "clone-0").mkdir(parents=True)
    (outside / "clone-0" / "precious").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "scenario").symlink_to(outside)
    with pytest.raises(ValueError, match=f"refusing to delete {outside}/clone-0"):
        safe_remove(root / "scenario" / "clone-0", [root])
    assert (outside / "clone-0" / "precious").exists()


def test_safe_remove_of_a_symlink_removes_the_link_only(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    (root / "clone").symlink_to(outside)
    safe_remove(root / "clone", [root])
    assert not (root / "clone").exists() and (outside / "precious").exists()


def test_safe_remove_refuses_dotdot_and_roots_given_through_symlinks(tmp_path):
    (tmp_path / "root" / "a").mkdir(parents=True)
    (tmp_path / "keep").mkdir()
    with pytest.raises(ValueError, match="refusing to delete"):
        safe_remove(tmp_path / "root" / "a" / ".." / ".." / "keep", [tmp_path / "root"])
    (tmp_path / "alias").symlink_to(tmp_path / "root")
    with pytest.raises(ValueError, match="refusing to delete"):  # the root itself, by another name
        safe_remove(tmp_path / "alias", [tmp_path / "root"])
    safe_remove(tmp_path / "alias" / "a", [tmp_path / "root"])  # inside it, by another name
    assert not (tmp_path / "root" / "a").exists() and (tmp_path / "keep").exists()
