import os
import stat

import pytest

from annex_race.paths import RootError, check_root, filesystem_type, safe_remove


def test_check_root_accepts_a_path_to_be_created(tmp_path):
    assert check_root("source_root", tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()  # nothing created


def test_check_root_names_the_key_when_an_ancestor_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RootError, match=r"config key 'clone_root': .*file is not a directory"):
        check_root("clone_root", tmp_path / "file" / "sub")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_check_root_rejects_unwritable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(RootError, match="not writable"):
        check_root("source_root", locked / "x")


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
