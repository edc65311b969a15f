# SPDX-License-Identifier: GPL-2.0-or-later
# Processes: started in the background with their pid recorded, stopped by pid.
#
# Every daemon runs in the foreground (-D/-F) under setsid, with nsenter and
# unshare exec'ing in place, so $! is the daemon's own pid. We record it with
# the process start time and signal only a process that still matches both:
# a recycled pid is never touched.

proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

spawn() {
    local name=$1; shift
    setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
    local pid=$!
    echo "$pid $(proc_starttime "$pid")" > "$DIR/pids/$name"
    STARTED+=" $name"
}

# Prints the pid of NAME if that process is still the one we started.
live_pid() {
    local f="$DIR/pids/$1" pid st
    [ -r "$f" ] || return 1
    read -r pid st < "$f" || return 1
    [ -n "$pid" ] && [ "$(proc_starttime "$pid")" = "$st" ] || return 1
    echo "$pid"
}

alive() { live_pid "$1" >/dev/null; }

# stop_group SECONDS NAME... : SIGTERM, wait, then SIGKILL what is left.
stop_group() {
    local grace=$1; shift
    local n pid pids=()
    for n in "$@"; do
        pid=$(live_pid "$n") && { kill -TERM "$pid" 2>/dev/null || true; pids+=("$pid"); }
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    local deadline=$(( $(now_ms) + grace * 1000 )) left
    while :; do
        left=0
        for n in "$@"; do alive "$n" && left=1; done
        [ $left -eq 0 ] && return 0
        [ "$(now_ms)" -ge "$deadline" ] && break
        sleep 0.1
    done
    for n in "$@"; do
        pid=$(live_pid "$n") && { log "$n ($pid) ignored SIGTERM, killing"; kill -KILL "$pid" 2>/dev/null || true; }
    done
    return 0
}
