#!/usr/bin/env bash
# Set up, start the services the tests need, and run the whole test suite.
# As root, the filesystem lab's tools are installed and a single-node SLURM with
# accounting is brought up (and left running); otherwise the lab and SLURM tests
# skip. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh --dev
if [[ $EUID -eq 0 ]]; then
    # the filesystem lab's tools (loop btrfs/XFS/ext4, FUSE)
    missing=()
    for p in btrfs-progs xfsprogs e2fsprogs fuse3; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
    if ! bash tests/slurm/slurm-up.sh; then
        # CI must run the SLURM tests: there, a SLURM that does not start is a failure
        [[ -n "${CI:-}" ]] && exit 1
        echo "test: SLURM did not start; the SLURM tests will skip" >&2
    fi
fi
. .venv/bin/activate
exec python -m pytest tests "$@"
