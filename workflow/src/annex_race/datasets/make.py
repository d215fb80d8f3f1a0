"""The datasets under study: container_source, source_ds and the input RIA stores.

Each builder returns a small manifest (a dict) that the rule writes as its output,
so later steps read paths and keys from one place. Builders start by removing what
a failed earlier attempt left behind, through core/roots.safe_remove.
"""

import os
import stat
import subprocess
from pathlib import Path

import numpy as np

from ..core.commands import DATALAD_DEBUG_ENV, run_logged
from ..core.image import ALIAS, CALL_FORMAT, CONTAINER, IMAGE, SIBLING, SUBDATASET, object_path, parse_size, place_object
from ..core.roots import safe_remove
from ..observe.logparse import attempt_events

CHUNK = 64 * 1024**2


def write_random(path, nbytes, seed=None):
    """Write `nbytes` of incompressible random bytes in large chunks (disk speed)."""
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        left = nbytes
        while left:
            n = min(CHUNK, left)
            f.write(rng.bytes(n))
            left -= n


def make_container_source(path, image_size, roots):
    """A standalone dataset with a random image registered BABS-style."""
    import datalad.api as dl

    path = Path(path)
    safe_remove(path, roots)
    ds = dl.create(path=str(path), result_renderer="disabled")
    image = path / IMAGE
    image.parent.mkdir(parents=True)
    write_random(image, parse_size(image_size))
    ds.save(path=str(image), message="Add fake container image", result_renderer="disabled")
    dl.containers_add(
        CONTAINER,
        image=IMAGE,
        call_fmt=CALL_FORMAT,
        dataset=ds,
        result_renderer="disabled",
    )
    key = ds.repo.get_file_annexinfo(str(image))["key"]
    return {"path": str(path), "dataset_id": ds.id, "image": IMAGE, "key": key}


def get_hardlinked(repo):
    """`git annex get` the image in `repo` from its origin as a hardlink where the
    filesystem allows (a copy where not): another repository, no more disk."""
    subprocess.run(["git", "-c", "annex.hardlink=true", "annex", "get", "--quiet", IMAGE],
                   cwd=repo, check=True, capture_output=True)


def copy_container_source(path, origin, roots):
    """A lane's own container_source: a clone of lane 0's with the image hardlinked
    into place (no get: lane 0's origin takes no lock for it, so it need not wait).
    Clones of this lane fetch from here, so they take no lock of another lane's.

    The copy then forgets lane 0: DataLad gives a clone of a clone its origin's
    origin as a second remote (`origin-2`), and git-annex falls back to it when a
    get from `origin` fails, which would make a lane's losers race lane 0's gets.
    """
    import datalad.api as dl

    path = Path(path)
    safe_remove(path, roots)
    ds = dl.clone(source=origin["path"], path=str(path), result_renderer="disabled")
    place_object(path, origin["key"], object_path(origin["path"], origin["key"]))
    # fsck finds the object present and records (and commits) that it is here
    for cmd in (["git", "annex", "fsck", "--fast", "--quiet", IMAGE],
                ["git", "remote", "remove", "origin"]):
        subprocess.run(cmd, cwd=path, check=True, capture_output=True)
    return {**origin, "path": str(path), "dataset_id": ds.id}


def make_source_ds(path, container_source, roots, ssh_host=None):
    """The analysis dataset with `containers` cloned from container_source, image
    content included (hardlinked where the filesystem allows).

    The subdataset URL in .gitmodules stays the absolute path of container_source:
    clones live elsewhere, and when they clone from a RIA store without a storage
    sibling that URL is where every clone job fetches the image from. With
    `ssh_host`, it is `ssh://<ssh_host><path>` instead: clones reach the origin over
    ssh. Clones of source_ds itself (clone_from: source) fetch it from source_ds's
    `containers`.
    """
    import datalad.api as dl

    path = Path(path)
    safe_remove(path, roots)
    ds = dl.create(path=str(path), result_renderer="disabled")
    sub = dl.clone(
        source=container_source["path"],
        path=str(path / SUBDATASET),
        dataset=ds,
        result_renderer="disabled",
    )
    get_hardlinked(sub.path)
    if ssh_host:  # both URLs DataLad records: it tries datalad-url before url
        ssh_url = f"ssh://{ssh_host}{container_source['path']}"
        ds.subdatasets(path=SUBDATASET, set_property=[("url", ssh_url), ("datalad-url", ssh_url)],
                       result_renderer="disabled")
        ds.save(message="containers: fetched over ssh", result_renderer="disabled")
    url = ds.subdatasets(path=SUBDATASET, result_renderer="disabled")[0]["gitmodule_url"]
    wanted = f"ssh://{ssh_host}{container_source['path']}" if ssh_host else container_source["path"]
    if url != wanted:
        raise RuntimeError(f"{path}: .gitmodules records {url}, not {wanted}")
    return {"path": str(path), "url": str(path), "dataset_id": ds.id, "containers_url": url,
            "key": container_source["key"]}


def link_store_object(store, key, content, roots):
    """Replace the storage sibling's copy of `key` in `store` by a hardlink to
    `content` (the image in container_source, itself lane 0's where hardlinks work),
    else a reflink: a store then costs no image of its own, in any lane. Returns how
    the object is kept: hardlink, reflink or copy (the filesystem allows neither)."""
    obj = next(Path(store).glob(f"*/*/annex/objects/*/*/{key}/{key}"))
    folder = obj.parent
    mode = folder.stat().st_mode
    folder.chmod(mode | stat.S_IWUSR)  # annex object directories are read-only
    tmp = folder / f".{obj.name}.link"
    try:
        try:
            os.link(content, tmp)
            kept = "hardlink"
        except OSError:
            if subprocess.run(["cp", "--reflink=always", str(content), str(tmp)],
                              capture_output=True).returncode:
                return "copy"
            kept = "reflink"
        os.replace(tmp, obj)
        return kept
    finally:
        if tmp.exists() or tmp.is_symlink():
            safe_remove(tmp, roots)
        folder.chmod(mode)


def export_ria(store, source_ds, storage_sibling, roots):
    """Export source_ds into a new RIA store, with or without a storage sibling.

    The export runs from a throwaway clone so that several stores can be made from
    one source_ds at once without two processes writing its git config.
    off: only the top-level dataset goes into the store (no annex content, no
         `containers`), so clones fall back to the .gitmodules URL.
    on:  the ORA storage sibling is created, `containers` and its image content are
         pushed too, so clones never touch container_source. The pushed image then
         becomes a hardlink to container_source's (link_store_object).
    """
    import datalad.api as dl

    store = Path(store)
    staging = store.with_name(store.name + ".export")
    for stale in (store, staging):
        safe_remove(stale, roots)
    ds = dl.clone(source=source_ds["path"], path=str(staging), result_renderer="disabled")
    on = storage_sibling == "on"
    if on:
        ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
        get_hardlinked(staging / SUBDATASET)
    dl.create_sibling_ria(
        url=f"ria+file://{store}",
        name=SIBLING,
        dataset=ds,
        storage_sibling=on,
        alias=ALIAS,
        new_store_ok=True,
        recursive=on,
        result_renderer="disabled",
    )
    ds.push(to=SIBLING, recursive=on, data="anything" if on else "nothing",
            result_renderer="disabled")
    # the staging clone's image is hardlinked from container_source (get_hardlinked)
    kept = (link_store_object(store, source_ds["key"], object_path(staging / SUBDATASET, source_ds["key"]), roots)
            if on else None)
    safe_remove(staging, roots)
    return {
        "store": str(store),
        "url": f"ria+file://{store}#~{ALIAS}",
        "storage_sibling": storage_sibling,
        "dataset_id": source_ds["dataset_id"],
        "containers_in_store": on,
        "key": source_ds["key"],
        "image_kept_as": kept,
    }


def prefetch_image(path, ria, log, roots):
    """BABS's fix: one setup job clones the input RIA store (without storage sibling)
    as a clone job would and fetches the image once, before the clone jobs run.

    Clone jobs then link to this copy instead of fetching from the origin.
    """
    import datalad.api as dl

    path = Path(path)
    safe_remove(path, roots)
    ds = dl.clone(source=ria["url"], path=str(path), result_renderer="disabled")
    ds.get(SUBDATASET, get_data=False, result_renderer="disabled")
    run = run_logged(["datalad", "get", f"{SUBDATASET}/{IMAGE}"], log, cwd=str(path),
                     env={**os.environ, **DATALAD_DEBUG_ENV})
    if run.exit_code:
        raise RuntimeError(f"prefetch into {path} failed: see {log.name}")
    content = (path / SUBDATASET / IMAGE).resolve(strict=True)
    return {
        "content": str(content),
        "transfers": sum(e["event"] == "transfer" for e in attempt_events(run.lines)),
        "seconds": run.ended - run.started,
    }
