#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for the cluster tests.
#
#   tests/cluster/slurm.sh start    install Slurm from Debian's packages if missing, write a
#                                   single-node slurm.conf, start munged, slurmctld and slurmd,
#                                   wait until sinfo reports the node idle
#   tests/cluster/slurm.sh stop     cancel the cluster's jobs, stop exactly the daemons that
#                                   `start` started (by their process ids), undo /etc/slurm
#   tests/cluster/slurm.sh status   the daemons and the node state
#
# Needs root (slurmd runs jobs as their user; /etc/slurm/slurm.conf is written) and, the first
# time, apt-get. Both commands are idempotent: `start` on a running cluster only waits for the
# node, `stop` on a stopped one does nothing.
#
# No cgroups and no systemd: processes are tracked with proctrack/linuxproc, TaskPlugin is
# task/none, and memory is enforced by polling (jobacct_gather/linux with OverMemoryKill, every
# second): a job above its --mem is killed and ends OUT_OF_MEMORY. There is no accounting
# database, so `sacct` does not work: snakemake-executor-plugin-slurm must read job states with
# `squeue` (slurm-status-command: squeue), which sees a finished job for MinJobAge seconds.
#
# Everything lives under $SHARDFLOW_SLURM_DIR (default /tmp/shardflow-slurm): slurm.conf, the
# munge key and socket, state, spool, logs, and log/jobcomp.log (one line per finished job, with
# its JobId, Name and JobState: Slurm's own record of what ran). /etc/slurm/slurm.conf becomes a
# symbolic link to that slurm.conf, because the plugin's job step removes SLURM_CONF from the
# environment; a slurm.conf that was there before is put back by `stop`.
#
# Settings (environment): SHARDFLOW_SLURM_DIR, SHARDFLOW_SLURM_PORT (slurmctld's port, default
# 16817; slurmd uses the next one), SHARDFLOW_SLURM_MEMORY_MB (the node's RealMemory, default 90 %
# of the machine's).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"  # the daemons live there

STATE=${SHARDFLOW_SLURM_DIR:-/tmp/shardflow-slurm}
PORT=${SHARDFLOW_SLURM_PORT:-16817}
CONF="$STATE/slurm.conf"
ETC_CONF=/etc/slurm/slurm.conf
SAVED_CONF="$ETC_CONF.shardflow-saved"
DAEMONS=(munged slurmctld slurmd)
# The plugin polls at most every 180 s (and first after its init seconds); a finished job must
# stay visible to squeue longer than that.
MIN_JOB_AGE=300

log() { echo "slurm.sh: $*" >&2; }

# ---- process ids -------------------------------------------------------------------------

pid_of() { cat "$STATE/pids/$1" 2>/dev/null || true; }

# True when the recorded process of daemon $1 is alive and is that daemon (not a reused id).
running() {
    local pid
    pid=$(pid_of "$1")
    [[ -n "$pid" && -r /proc/$pid/comm ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1"* ]]
}

# Start daemon $1 (the remaining arguments are its command line) in the foreground, in the
# background of this shell, in a session of its own, and record its process id.
launch() {
    local name=$1
    shift
    setsid "$@" </dev/null >>"$STATE/log/$name.out" 2>&1 &
    echo $! >"$STATE/pids/$name"
}

# ---- install and configure ---------------------------------------------------------------

install_packages() {
    local missing=()
    for tool in munged slurmctld slurmd sbatch; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    ((${#missing[@]} == 0)) && return
    log "installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
    # Packages must not start their own daemons: this script starts and stops its own.
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        slurmctld slurmd slurm-client munge >"$STATE/log/apt.log" 2>&1 || rc=$?
    if ((rc != 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$STATE/log/apt.log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                slurmctld slurmd slurm-client munge >>"$STATE/log/apt.log" 2>&1 && rc=0
    fi
    [[ -n $made_policy ]] && rm -f "$policy"
    if ((rc != 0)); then
        tail -20 "$STATE/log/apt.log" >&2
        log "apt-get failed (log: $STATE/log/apt.log)"
        exit 1
    fi
}

write_config() {
    local node cpus mem
    node=$(hostname -s)
    cpus=$(nproc)
    mem=${SHARDFLOW_SLURM_MEMORY_MB:-$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)}
    cat >"$CONF" <<EOF
# Written by tests/cluster/slurm.sh: one node, this machine, loopback only.
ClusterName=shardflow
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
# No cgroups here: track processes through /proc, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Cores and memory are the consumable resources; a job without --mem gets DefMemPerCPU per CPU
# instead of the whole node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
# Memory enforcement without cgroups: sample every job step's processes each second and kill a
# step above its memory (the job ends OUT_OF_MEMORY).
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
# No accounting database (sacct does not work); finished jobs stay in squeue for MinJobAge s.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.log
MinJobAge=$MIN_JOB_AGE
ReturnToService=2
KillWait=5
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

# /etc/slurm/slurm.conf -> $CONF, keeping whatever was there before.
link_config() {
    if [[ -L $ETC_CONF && "$(readlink "$ETC_CONF")" == "$CONF" ]]; then
        return
    fi
    mkdir -p /etc/slurm
    if [[ -e $ETC_CONF || -L $ETC_CONF ]]; then
        if [[ -e $SAVED_CONF || -L $SAVED_CONF ]]; then
            log "both $ETC_CONF and $SAVED_CONF exist; refusing to overwrite either"
            exit 1
        fi
        mv "$ETC_CONF" "$SAVED_CONF"
        log "moved the existing $ETC_CONF to $SAVED_CONF (stop puts it back)"
    fi
    ln -s "$CONF" "$ETC_CONF"
}

unlink_config() {
    if [[ -L $ETC_CONF && "$(readlink "$ETC_CONF")" == "$CONF" ]]; then
        rm -f "$ETC_CONF"
    fi
    if [[ -e $SAVED_CONF || -L $SAVED_CONF ]] && [[ ! -e $ETC_CONF && ! -L $ETC_CONF ]]; then
        mv "$SAVED_CONF" "$ETC_CONF"
    fi
}

make_munge_key() {
    local key="$STATE/munge/munge.key"
    [[ -s $key ]] && return
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile="$key" --force
    else
        dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
    chmod 600 "$key"
}

# ---- start, stop, status -----------------------------------------------------------------

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            log "timed out after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}

node_idle() { [[ "$(sinfo -h -n "$(hostname -s)" -o %T 2>/dev/null)" == idle ]]; }

munge_ok() { munge -n --socket="$STATE/munge/munge.socket" | unmunge --socket="$STATE/munge/munge.socket"; }

show_logs() {
    for f in "$STATE"/log/*.log "$STATE"/log/*.out; do
        [[ -s $f && $f != */apt.log && $f != */jobcomp.log ]] || continue
        echo "--- $f" >&2
        tail -15 "$f" >&2
    done
}

all_running() {
    for d in "${DAEMONS[@]}"; do running "$d" || return 1; done
}

start() {
    if [[ $EUID -ne 0 ]]; then
        log "must run as root (slurmd, /etc/slurm/slurm.conf)"
        exit 1
    fi
    mkdir -p "$STATE"
    chmod 700 "$STATE"
    if all_running; then
        link_config
        wait_for 60 "node $(hostname -s) idle" node_idle || { show_logs; exit 1; }
        log "already running (state in $STATE)"
        return
    fi
    # A partial cluster (a daemon died) is stopped and started afresh.
    stop_daemons
    # A fresh cluster: no jobs, job ids from 1, empty logs (the munge key is kept).
    rm -rf "$STATE/ctld" "$STATE/spool" "$STATE/run" "$STATE/pids" "$STATE/log"
    mkdir -p "$STATE"/{munge,ctld,spool,run,log,pids}
    chmod 700 "$STATE/munge"
    install_packages
    write_config
    link_config
    make_munge_key

    launch munged munged --foreground --force --key-file="$STATE/munge/munge.key" \
        --socket="$STATE/munge/munge.socket" --pid-file="$STATE/munge/munged.pid" \
        --seed-file="$STATE/munge/munged.seed" --log-file="$STATE/log/munged.log"
    if ! wait_for 20 "munged" munge_ok; then show_logs; stop; exit 1; fi
    launch slurmctld slurmctld -D -c -f "$CONF"
    if ! wait_for 30 "slurmctld" scontrol ping; then show_logs; stop; exit 1; fi
    launch slurmd slurmd -D -f "$CONF"
    if ! wait_for 60 "node $(hostname -s) idle" node_idle; then
        sinfo -N -l >&2 || true
        show_logs
        stop
        exit 1
    fi
    log "running: munged $(pid_of munged), slurmctld $(pid_of slurmctld), slurmd $(pid_of slurmd); state in $STATE"
}

# SIGTERM each daemon this script started (SIGKILL after 15 s); forget its process id.
stop_daemons() {
    local d pid
    for d in slurmd slurmctld munged; do
        if running "$d"; then
            pid=$(pid_of "$d")
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 75); do running "$d" || break; sleep 0.2; done
            if running "$d"; then
                log "$d ($pid) ignored SIGTERM; sending SIGKILL"
                kill -KILL "$pid" 2>/dev/null || true
                for _ in $(seq 25); do running "$d" || break; sleep 0.2; done
            fi
        fi
        rm -f "$STATE/pids/$d"
    done
}

stop() {
    # Jobs first, through Slurm (their processes belong to slurmstepd, not to the daemons).
    if running slurmctld && running slurmd; then
        scancel --quiet --partition=debug 2>/dev/null || true
        wait_for 30 "the cluster's jobs to end" no_jobs_running || true
    fi
    stop_daemons
    unlink_config
}

no_jobs_running() { [[ -z "$(squeue -h -t RUNNING,COMPLETING,PENDING -o %i 2>/dev/null)" ]]; }

status() {
    local d rc=0
    for d in "${DAEMONS[@]}"; do
        if running "$d"; then echo "$d: running ($(pid_of "$d"))"; else echo "$d: stopped"; rc=3; fi
    done
    if running slurmctld; then sinfo -N -o "%N %T %C %m" || true; fi
    return $rc
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
