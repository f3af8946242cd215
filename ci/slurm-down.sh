#!/usr/bin/env bash
# Stops the one-node Slurm that ci/slurm-up.sh started: slurmd, slurmctld
# and munged, by the process ids they recorded. With --purge it also
# removes the state, logs and configuration the up-script wrote, so the next
# start is from scratch. It never touches a Slurm the up-script did not set
# up (a slurm.conf without its marker).
set -euo pipefail

MARKER="# written by arithgrad ci/slurm-up.sh"
CONF_DIR=/etc/slurm
STATE=/var/lib/arithgrad-slurm
LOGS=/var/log/arithgrad-slurm

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        exec sudo -E "$0" "$@"
    fi
    echo "slurm-down: needs root" >&2
    exit 1
fi

if [ -e "$CONF_DIR/slurm.conf" ] && ! grep -qF "$MARKER" "$CONF_DIR/slurm.conf"; then
    echo "slurm-down: $CONF_DIR/slurm.conf was not written by ci/slurm-up.sh; leaving Slurm alone" >&2
    exit 1
fi

# Stops the process whose id is in file $1 and waits for it to end.
stop() {
    local pidfile=$1 pid
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

stop "$STATE/slurmd.pid"
stop "$STATE/slurmctld.pid"
stop /run/munge/munged.pid

if [ "${1:-}" = "--purge" ]; then
    rm -rf "$STATE" "$LOGS"
    rm -f "$CONF_DIR/slurm.conf"
    grep -qsF "$MARKER" "$CONF_DIR/cgroup.conf" && rm -f "$CONF_DIR/cgroup.conf"
fi
echo "slurm-down: stopped"
