# Shared by annex-race's standalone reproducers (pasted into each one).
# N jobs, each in a clone of its own, do one operation into one shared repository
# at the same moment; what each printed is shown, and the script exits 1 if the
# failure showed ("reproduced"), 0 if every job succeeded.
set -u
n=${N:-2}                    # jobs at once
size_mib=${SIZE_MIB:-8}      # each job's result
bwlimit=${BWLIMIT-1MiB}      # slows each transfer, so that they overlap ("": none)
limit=${LIMIT:-120}          # seconds a job may take: longer is a hang
d=$(mktemp -d "${TMPDIR:-/tmp}/annex-race-repro.XXXXXX")
export GIT_AUTHOR_NAME=repro GIT_AUTHOR_EMAIL=repro@localhost
export GIT_COMMITTER_NAME=repro GIT_COMMITTER_EMAIL=repro@localhost
echo "git-annex $(git annex version --raw), $(git --version), in $d"
cd "$d" || exit 2

# a result of size_mib MiB: the same bytes in every job ("same"), or its own ("$i")
result() {  # result <file> <same|job number>
    { printf '%s\n' "$2"; head -c $((size_mib * 1048576)) /dev/zero; } >"$1"
}

# run "job <i>" in every clone at once, each with a time limit; its output in job-<i>.log
failed=0
run_jobs() {
    local pids=() i
    for ((i = 0; i < n; i++)); do
        (cd "job-$i" && timeout -k 5 "$limit" bash -c "$(declare -f job); job $i") >"job-$i.log" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < n; i++)); do
        if wait "${pids[$i]}"; then status=0; else status=$?; fi
        if ((status == 124)); then echo "job $i: HUNG (no end within $limit s)"; failed=1
        elif ((status)); then echo "job $i: FAILED (exit $status)"; failed=1
        else echo "job $i: ok"; fi
        sed 's/^/    /' "job-$i.log" | grep -v '^    *$' | head -20
    done
}

verdict() {
    if ((failed)); then echo "reproduced: $1"; exit 1; fi
    echo "not reproduced: every job succeeded"
    exit 0
}
