"""The cluster in a box: its link's rate, and an image's copy time against the retry window.

    sudo .venv/bin/python benchmarks/box.py [--link-rate 1gbit] [--image 512M] [--probe 256M]

Brings a box up in a fresh directory (annex_lab.box, with the test cluster's nodes when
their slurmd run in mount namespaces of their own) and prints:
- the link's rate as asked and as read: one reader on this machine, then one reader on
  each node at once (they share the link, as a cluster's nodes share its storage);
- `git annex get` of an --image file from an origin on the shared volume into a clone
  on scratch, as the seed's jobs did, against the window in which a loser of the
  transfer lock retries (annex.retry=3, annex.retrydelay=1), and the smallest image
  whose copy outlasts that window twice at the rate read.
The box is brought down afterwards, also on failure; pass --dir to keep it elsewhere.
"""

import argparse
import os
import contextlib
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from annex_lab import box
from annex_lab.lab import human, parse_size
from annex_race.driver.cli import temporary_workdir
from annex_race.report.decisions import retry_window


def in_node(pid, cmd):
    return ["nsenter", "-t", str(pid), "-m", "--", *cmd] if pid else cmd


def drop_caches():
    """Reads come over the link, not from a page cache (the server's is this kernel's too)."""
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def read_rates(readers, files):
    """Bytes/s of each reader (pid of a node's slurmd, or None for here) reading its file at once."""
    drop_caches()
    rates = [0.0] * len(readers)

    def read(i):
        t0 = time.monotonic()
        subprocess.run(in_node(readers[i], ["cat", str(files[i])]), stdout=subprocess.DEVNULL, check=True)
        rates[i] = files[i].stat().st_size / (time.monotonic() - t0)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(readers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rates


def annex_get_seconds(shared, scratch, size):
    """Seconds `git annex get` takes to copy `size` bytes from an origin on the shared
    volume into a clone on scratch."""
    git = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"}
    env = {**os.environ, **git}
    origin, clone = shared / "origin", scratch / "clone"

    def sh(*cmd, cwd):
        subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)

    origin.mkdir()
    sh("git", "init", "-q", cwd=origin)
    sh("git", "annex", "init", "origin", cwd=origin)
    with open(origin / "image", "wb") as fh:
        for _ in range(size // 2**20):
            fh.write(os.urandom(2**20))
    sh("git", "annex", "add", "image", cwd=origin)
    sh("git", "commit", "-q", "-m", "image", cwd=origin)
    sh("git", "clone", "-q", str(origin), str(clone), cwd=scratch)
    sh("git", "annex", "init", "clone", cwd=clone)
    drop_caches()
    t0 = time.monotonic()
    sh("git", "annex", "get", "image", cwd=clone)
    return time.monotonic() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--link-rate", default="1gbit")
    parser.add_argument("--image", default="512M", help="the image git-annex copies (default 512M)")
    parser.add_argument("--probe", default="256M", help="the file each reader reads (default 256M)")
    parser.add_argument("--dir", help="where the box lives (default: a fresh temporary directory, removed)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("benchmarks/box.py: needs root (it brings a box up)")
    with contextlib.nullcontext(Path(args.dir)) if args.dir else temporary_workdir("annex-race-box-") as lab_dir:
        measure(args, lab_dir)


def measure(args, lab_dir):
    nodes = box.separate_nodes()
    probe, image = parse_size(args.probe), parse_size(args.image)
    try:
        box.box_up(lab_dir, args.link_rate, "0.2ms", "4G", "2G", sorted(nodes))
        shared = box.box_dir(lab_dir) / "shared"
        files = [shared / f"probe-{i}" for i in range(max(len(nodes), 1))]
        for f in files:
            subprocess.run(["dd", "if=/dev/urandom", f"of={f}", "bs=1M", f"count={probe // 2**20}"],
                           check=True, capture_output=True)
        asked = box.parse_rate(args.link_rate) / 8
        print(f"link: asked {args.link_rate} ({human(asked)}/s); latency: {box.load_state(box.box_dir(lab_dir))['latency']}")
        (alone,) = read_rates([None], files[:1])
        print(f"read, one reader on this machine: {human(alone)}/s ({alone / asked:.2f}× the asked rate)")
        if nodes:
            rates = read_rates(list(nodes.values()), files[:len(nodes)])
            print(f"read, one reader on each of {len(nodes)} nodes at once: "
                  + ", ".join(f"{n} {human(r)}/s" for n, r in zip(nodes, rates))
                  + f" (together {sum(rates) / asked:.2f}× the asked rate)")
        for f in files:
            f.unlink()
        window = retry_window(3, 1)
        if shutil.which("git-annex"):
            seconds = annex_get_seconds(shared, box.box_dir(lab_dir) / "scratch", image)
            print(f"git annex get of {human(image)}, shared volume -> scratch: {seconds:.1f} s "
                  f"({human(image / seconds)}/s) against a retry window of {window:.0f} s "
                  f"(annex.retry=3, annex.retrydelay=1): {seconds / window:.1f}× the window")
        else:
            print("git annex get: no git-annex on PATH, not measured")
        print(f"an image whose copy outlasts the window twice at {human(alone)}/s: {human(2 * window * alone)}")
    finally:
        box.box_down(lab_dir)


if __name__ == "__main__":
    main()
