#!/usr/bin/env bash
# Stop the daemons that tests/slurm/slurm-up.sh started, and only those: each is
# found by the pid recorded in $STATE_DIR/<name>.pid (and checked to still be
# that program), sent SIGTERM, and sent SIGKILL if it has not exited in time.
# Jobs still known to our slurmctld are cancelled first so that no slurmstepd
# is left behind.  Idempotent: with nothing recorded it just says so.
#
# Environment: ANNEX_RACE_SLURM_STATE_DIR (default /run/annex-race-slurm).
set -euo pipefail

STATE_DIR=${ANNEX_RACE_SLURM_STATE_DIR:-/run/annex-race-slurm}

T0=$(date +%s.%N)
log() { printf '[slurm-down %6.1fs] %s\n' "$(echo "$(date +%s.%N) $T0" | awk '{print $1-$2}')" "$*"; }

[ "$(id -u)" -eq 0 ] || { log "ERROR: must run as root" >&2; exit 1; }

if [ ! -d "$STATE_DIR" ] || ! compgen -G "$STATE_DIR/*.pid" >/dev/null; then
    log "nothing recorded in $STATE_DIR: nothing to stop"
    exit 0
fi

# alive, pid_of
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Cancel remaining jobs while our controller and node daemon are still up.
if [ -n "$(pid_of slurmctld slurmctld)" ] && [ -n "$(pid_of slurmd slurmd)" ]; then
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
        log "cancelling jobs: $jobs"
        # shellcheck disable=SC2086
        timeout 10 scancel $jobs || true
        for _ in $(seq 1 60); do
            [ -z "$(timeout 10 squeue -h -o %A 2>/dev/null || true)" ] && break
            sleep 0.25
        done
    fi
fi

# stop_group GRACE_SECONDS NAME:COMM...: SIGTERM to all, SIGKILL to those
# still alive after GRACE_SECONDS; returns once all of them are gone.
stop_group() {
    local grace=$1; shift
    local item name comm pid end names=() pids=()
    for item in "$@"; do
        name=${item%%:*}; comm=${item##*:}
        [ -e "$STATE_DIR/$name.pid" ] || continue
        pid=$(pid_of "$name" "$comm")
        if [ -z "$pid" ]; then
            log "$name: not running (stale pid file removed)"
            rm -f "$STATE_DIR/$name.pid"
            continue
        fi
        kill -TERM "$pid" 2>/dev/null || true
        names+=("$name"); pids+=("$pid")
    done
    end=$(( $(date +%s) + grace ))
    local i any
    while :; do
        any=0
        for i in "${!pids[@]}"; do alive "${pids[$i]}" && any=1; done
        if [ "$any" = 0 ] || [ "$(date +%s)" -ge "$end" ]; then break; fi
        sleep 0.1
    done
    for i in "${!pids[@]}"; do
        if alive "${pids[$i]}"; then
            kill -KILL "${pids[$i]}" 2>/dev/null || true
            while alive "${pids[$i]}"; do sleep 0.1; done
            log "${names[$i]}: killed (pid ${pids[$i]} did not stop within ${grace}s)"
        else
            log "${names[$i]}: stopped (pid ${pids[$i]})"
        fi
        rm -f "$STATE_DIR/${names[$i]}.pid"
        STOPPED+=("${pids[$i]}")
    done
}
STOPPED=()

# Reverse order of start-up: the node and controller daemons first (slurmctld
# flushes accounting records to slurmdbd on shutdown), then slurmdbd, then the
# database and munge (nothing else uses them by then).
stop_group 15 slurmd:slurmd slurmd-2:slurmd slurmctld:slurmctld
stop_group 15 slurmdbd:slurmdbd
stop_group 60 mariadbd:mariadbd munged:munged

# Exited daemons are orphans whose zombie entries pid 1 reaps only after a
# moment here: wait (bounded) so that a process listing right after this
# script shows none of them.
for _ in $(seq 1 50); do
    pending=0
    for pid in "${STOPPED[@]}"; do [ -e "/proc/$pid" ] && pending=1; done
    [ "$pending" = 0 ] && break
    sleep 0.1
done

left=$(ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ && $3 ~ /^(slurmstepd|slurmd|slurmctld|slurmdbd|munged|mariadbd|mysqld)$/ {print $1 "(" $3 ")"}' | tr '\n' ' ')
if [ -n "$left" ]; then
    log "warning: still running, not started by slurm-up.sh: $left"
fi
log "done"
