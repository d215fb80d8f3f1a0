# shellcheck shell=bash
# Shared by slurm-up.sh and slurm-down.sh (sourced; needs STATE_DIR).

# alive PID: the process exists and is not a zombie (pid 1 here may reap
# orphans only after a second or two).
alive() {
    local st
    st=$(sed -n 's/.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# pid_of NAME COMM: print the recorded pid of NAME if that process is alive and
# is still COMM (guards against a recycled pid); otherwise print nothing.
pid_of() {
    local f="$STATE_DIR/$1.pid" pid
    [ -s "$f" ] || return 0
    pid=$(cat "$f")
    if alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]; then
        echo "$pid"
    fi
}
