#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, with accounting, for the tests marked `slurm`.
#
#   tools/slurm_up.sh [up]        install (Debian packages), configure and start it; wait for `idle`
#   tools/slurm_up.sh down|stop   stop it
#
# Any other argument is refused with a usage line (exit 2), touching nothing.
#
# Needs root and no systemd: every daemon is started by hand. Settings that matter:
# accounting through slurmdbd (without it submitit waits forever on a job killed before it
# wrote its result), AuthInfo=cred_expire=10 and 5 s scheduler intervals (a requeued job
# restarts in about 12 s instead of 100-155 s), KillWait=5 (scancel's SIGKILL follows its
# SIGTERM after 5 s).
set -euo pipefail

ETC=/etc/slurm
LOGS=/var/log/slurm
DB_PASSWORD=wgan-ci-only

stop() {
  for pidfile in /run/slurmd.pid /run/slurmctld.pid /run/slurmdbd.pid; do
    if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
  done
  if [ -f /run/mysqld/mysqld.pid ]; then kill "$(cat /run/mysqld/mysqld.pid)" 2>/dev/null || true; fi
  if [ -f /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
  # wait until they are gone, so that a start right after this one starts them afresh
  for _ in $(seq 30); do
    running=0
    for daemon in slurmctld slurmd slurmdbd mariadbd munged; do
      if pgrep -x "$daemon" >/dev/null; then running=1; fi
    done
    if [ "$running" = 0 ]; then break; fi
    sleep 1
  done
  echo "slurm: stopped"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq "$limit"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "slurm: $what did not come up within $limit s" >&2
  tail -n 20 "$LOGS"/*.log >&2 2>/dev/null || true
  return 1
}

case "${1:-up}" in
  up) ;;
  down|stop) stop; exit 0 ;;
  *) echo "usage: tools/slurm_up.sh [up|down|stop] (up: start the cluster, the default; down or" \
       "stop: stop it); got '$1'" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then echo "slurm: tools/slurm_up.sh needs root" >&2; exit 1; fi

# A cluster is reused only when it is this script's: an idle node, and accounting that knows
# the cluster wgan-ci (a cluster left by something else, or without slurmdbd, reports every
# job's state as unknown). Anything else running is stopped and started afresh.
if sinfo -h -o %T 2>/dev/null | grep -q idle && pgrep -x slurmdbd >/dev/null \
    && sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx wgan-ci; then
  echo "slurm: already up"; exit 0
fi
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || pgrep -x slurmdbd >/dev/null
then
  for daemon in slurmctld slurmd slurmdbd; do pkill -x "$daemon" 2>/dev/null || true; done
  stop
fi

start=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null \
    || ! command -v mariadbd >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge slurmdbd mariadb-server >/dev/null
fi

host=$(hostname -s)
mkdir -p "$ETC" "$LOGS" /var/spool/slurmctld /var/spool/slurmd /run/munge /run/mysqld
chown slurm:slurm "$LOGS"
chown munge:munge /run/munge
chown mysql:mysql /run/mysqld

# munge: a key, then the daemon as user munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- munged

# mariadb, reachable through its socket only, and the accounting database's user
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
fi
if ! pgrep -x mariadbd >/dev/null; then
  runuser -u mysql -- mariadbd --skip-networking --socket=/run/mysqld/mysqld.sock \
    --pid-file=/run/mysqld/mysqld.pid --datadir=/var/lib/mysql >"$LOGS/mariadb.log" 2>&1 &
fi
wait_for 60 mariadb mariadb --socket=/run/mysqld/mysqld.sock -e 'SELECT 1'
mariadb --socket=/run/mysqld/mysqld.sock -e "
  CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
  GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"

cat >"$ETC/slurmdbd.conf" <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
StorageType=accounting_storage/mysql
StorageHost=localhost
StoragePort=3306
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=$DB_PASSWORD
LogFile=$LOGS/slurmdbd.log
PidFile=/run/slurmdbd.pid
CONF
chown slurm:slurm "$ETC/slurmdbd.conf" && chmod 600 "$ETC/slurmdbd.conf"

node=$(slurmd -C | head -n 1)
# Memory is a consumable resource (jobs may ask for it): each CPU brings its share by default,
# so jobs that ask for nothing still run side by side.
cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$node")
memory=$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
cat >"$ETC/slurm.conf" <<CONF
ClusterName=wgan-ci
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( memory / cpus ))
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=5,bf_interval=5
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
KillWait=5
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
$node
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmdbd >/dev/null || slurmdbd
wait_for 60 slurmdbd sacctmgr -n list cluster
sacctmgr -i add cluster wgan-ci >/dev/null 2>&1 || true
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
wait_for 60 "an idle node" bash -c 'sinfo -h -o %T | grep -q idle'
echo "slurm: up in $(( $(date +%s) - start )) s"; sinfo
