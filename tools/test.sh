#!/usr/bin/env bash
# Set up, start the services the tests need, and run the whole test suite.
# As root, the filesystem lab's tools, openssh-server, Debian's git-annex and
# Chromium are installed and a two-node SLURM with accounting is brought up (and
# left running); otherwise the tests that need them skip. Extra arguments go to pytest.
#
#   bash tools/test.sh           everything, as CI runs it: the tests that need the test
#                                cluster or mount the filesystem lab (-m "slurm or lab")
#                                in a pytest process of their own, the others in a
#                                second one beside it
#   bash tools/test.sh --fast    the inner loop: unit and style tests and one decisive
#                                end-to-end run (a few minutes; no root, no SLURM)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${1:-} == --fast ]]; then
    shift
    bash tools/setup.sh --dev
    . .venv/bin/activate
    exec python -m pytest -m fast tests "$@"
fi

bash tools/setup.sh --dev
if [[ $EUID -eq 0 ]]; then
    # the filesystem lab's tools (loop btrfs/XFS/ext4, FUSE; GlusterFS and tc for the
    # cluster in a box), an sshd for the ssh transport, Debian's git-annex (the "site's"
    # one the system tests observe) and Chromium (the report is opened in it, headless)
    missing=()
    for p in btrfs-progs xfsprogs e2fsprogs fuse3 glusterfs-server glusterfs-client iproute2 openssh-server git-annex chromium; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if ((${#missing[@]})); then
        # no package may start a service: the tests start (and stop) what they need
        own_policy=""
        if [[ ! -e /usr/sbin/policy-rc.d ]]; then
            printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
            own_policy=1
        fi
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        [[ -z $own_policy ]] || rm -f /usr/sbin/policy-rc.d
    fi
    # two nodes on this host: a scenario's jobs land on two node names
    if ! ANNEX_RACE_SLURM_NODES=2 bash tests/slurm/slurm-up.sh; then
        # CI must run the SLURM tests: there, a SLURM that does not start is a failure
        [[ -n "${CI:-}" ]] && exit 1
        echo "test: SLURM did not start; the SLURM tests will skip" >&2
    fi
fi
. .venv/bin/activate
# the SLURM tests mostly wait for the cluster: they run beside the others, their
# output shown when both are done (pytest-xdist's --dist loadgroup would do this, but
# it silently groups nothing with pytest 9.2: pytest-dev/pytest-xdist#1386)
slurm_log=$(mktemp)
trap 'rm -f "$slurm_log"' EXIT
# (the lab's tests go with them: one process mounts at a time, and the two processes
# take about as long)
python -m pytest -m "slurm or lab" --durations=10 tests "$@" >"$slurm_log" 2>&1 &
slurm_pid=$!
status=0
python -m pytest -m "not slurm and not lab" --durations=10 tests "$@" || status=$?
slurm_status=0
wait "$slurm_pid" || slurm_status=$?
echo "==== the tests that need the test cluster or mount the lab (pytest -m 'slurm or lab') ===="
cat "$slurm_log"
# pytest's 5: nothing selected in one part (e.g. -k naming tests of the other)
if ((status == 5 && slurm_status == 5)); then exit 5; fi
((status == 5)) && status=0
((slurm_status == 5)) && slurm_status=0
exit $((status || slurm_status))
