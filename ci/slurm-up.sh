#!/usr/bin/env bash
# Starts a one-node Slurm on this machine for the real-Slurm tests
# (tests/slurm_real.rs): installs Debian's slurm-wlm and munge when missing,
# writes a slurm.conf for this host (its CPU count and memory), creates the
# munge key and the state directories, starts munged, slurmctld and slurmd,
# and waits until `sinfo` shows the node idle. ci/slurm-down.sh stops them.
#
# Run as root (or with sudo available). Made for a throwaway machine or
# container: the daemons run as root with process tracking by /proc and no
# cgroups, accounting or task binding. On a machine whose Slurm already
# answers it does nothing; it never overwrites a slurm.conf it did not write.
set -euo pipefail

MARKER="# written by arithgrad ci/slurm-up.sh"
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
STATE=/var/lib/arithgrad-slurm
LOGS=/var/log/arithgrad-slurm

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        exec sudo -E "$0" "$@"
    fi
    echo "slurm-up: needs root (to install packages and start daemons)" >&2
    exit 1
fi

# A Slurm that already answers (a real cluster, or an earlier run) is used as is.
if command -v sinfo >/dev/null && sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    echo "slurm-up: Slurm already answers:"
    sinfo
    exit 0
fi

missing=()
for tool in slurmctld slurmd sbatch munged; do
    command -v "$tool" >/dev/null || missing=(slurm-wlm munge)
done
# pgrep and free (procps) are not in every minimal image.
command -v pgrep >/dev/null && command -v free >/dev/null || missing+=(procps)
if [ ${#missing[@]} -gt 0 ]; then
    echo "slurm-up: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -e "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    echo "slurm-up: $CONF exists and was not written by this script; not touching it" >&2
    exit 1
fi

host=$(hostname -s)
cpus=$(nproc)
# Leave a little memory out: a node that has less than it claims is drained.
mem_mb=$(free -m | awk '/^Mem:/ { printf "%d", $2 * 0.9 }')

mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/d" "$LOGS" /run/munge /var/lib/munge /var/log/munge /etc/munge
# Addresses are given, so nothing depends on the host name resolving.
cat >"$CONF" <<EOF
$MARKER
ClusterName=arithgrad-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# No cgroup plugin is used; an empty cgroup.conf keeps slurmd from looking for one.
[ -e "$CONF_DIR/cgroup.conf" ] || echo "$MARKER" >"$CONF_DIR/cgroup.conf"

if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key

if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- munged
fi
# munged answers?
for _ in $(seq 50); do
    munge -n >/dev/null 2>&1 && break
    sleep 0.2
done
munge -n | unmunge >/dev/null

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd

echo "slurm-up: waiting for node $host ($cpus CPUs, $mem_mb MB) to be idle"
for i in $(seq 120); do
    state=$(sinfo -h -n "$host" -o '%t' 2>/dev/null || true)
    case "$state" in
        idle*) break ;;
        down* | drain* | drng* | fail*)
            scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
    if [ "$i" -eq 120 ]; then
        echo "slurm-up: the node did not become idle (state: '${state:-none}'); logs:" >&2
        tail -n 30 "$LOGS/slurmctld.log" "$LOGS/slurmd.log" >&2 || true
        exit 1
    fi
    sleep 0.5
done
sinfo
