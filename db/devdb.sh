#!/usr/bin/env bash
# Makes sure a development PostgreSQL answers at database.url, for `make run`.
#
#   db/devdb.sh start   use database.url if it answers; otherwise start a container erp-devdb
#                       when a Docker engine answers (POSTGRES_IMAGE, default postgres:15, or
#                       local/postgres:15 when that cannot be pulled; data in the volume
#                       erp-devdb), else a throwaway cluster from the installed PostgreSQL
#                       binaries in .devdb/
#   db/devdb.sh stop    stop whichever of those this script started
#
# The dev database is the one config.yaml names: postgres://erp:erp@localhost:5432/erp. When
# ERP_DATABASE_URL points elsewhere and does not answer, the script says so and stops: it never
# starts a server for a URL it did not choose. When port 5432 is taken by a server that does not
# answer as the dev database, it stops too: it never uses a server it did not start.
set -euo pipefail

cd "$(dirname "$0")/.."
erp=${ERP_BIN:-./bin/erp}
state=.devdb
data=$state/data
port=5432
image=${POSTGRES_IMAGE:-postgres:15}

say() { echo "devdb: $*" >&2; }

answers() { "$erp" migrate status >/dev/null 2>&1; }

wait_until_answers() {
  for _ in $(seq 1 60); do
    answers && return 0
    sleep 1
  done
  say "PostgreSQL did not answer within 60 s"
  return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

try_container() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 || return 1
  if docker container inspect erp-devdb >/dev/null 2>&1; then
    say "starting the container erp-devdb"
    docker start erp-devdb >/dev/null || return 1
    echo container >"$state/kind"
    return
  fi
  if ! docker image inspect "$image" >/dev/null 2>&1 && ! docker pull -q "$image" >/dev/null 2>&1; then
    if [[ -z ${POSTGRES_IMAGE:-} ]] && docker image inspect local/postgres:15 >/dev/null 2>&1; then
      image=local/postgres:15 # built by offline-images.sh on machines without a registry
    else
      say "Docker answers but image $image is not available (set POSTGRES_IMAGE to a local one)"
      return 1
    fi
  fi
  say "starting a container erp-devdb ($image) on 127.0.0.1:$port"
  docker run -d --name erp-devdb -p "127.0.0.1:$port:5432" -v erp-devdb:/var/lib/postgresql/data \
    -e POSTGRES_USER=erp -e POSTGRES_PASSWORD=erp -e POSTGRES_DB=erp "$image" >/dev/null || return 1
  echo container >"$state/kind"
}

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
    return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

try_local_cluster() {
  local bin
  bin=$(pg_bindir)
  [[ -n $bin && -x $bin/initdb ]] || { say "no PostgreSQL server binaries found"; return 1; }
  local as=()
  if [[ $(id -u) == 0 ]]; then # initdb refuses to run as root
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
    id postgres >/dev/null 2>&1 || { say "running as root needs a 'postgres' user"; return 1; }
  fi
  mkdir -p "$data"
  [[ ${#as[@]} == 0 ]] || chown -R postgres:postgres "$state"
  chmod 700 "$data"
  if [[ ! -s $data/PG_VERSION ]]; then
    say "creating a throwaway cluster in $data"
    local pw
    pw=$(mktemp)
    echo erp >"$pw"
    [[ ${#as[@]} == 0 ]] || chown postgres "$pw"
    "${as[@]}" "$bin/initdb" -D "$data" -U erp --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$state/initdb.log"
    rm -f "$pw"
  fi
  say "starting PostgreSQL from $bin on port $port"
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$state/postgres.log" -w \
    -o "-p $port -k /tmp -c listen_addresses=localhost" start >&2
  "${as[@]}" "$bin/psql" -h /tmp -p $port -U erp -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'erp'" | grep -q 1 ||
    "${as[@]}" "$bin/psql" -h /tmp -p $port -U erp -d postgres -qc "CREATE DATABASE erp" >&2
  echo "local $bin" >"$state/kind"
}

start() {
  [[ -x $erp ]] || { say "$erp is missing; run make build"; exit 1; }
  if answers; then
    say "database.url answers"
    return
  fi
  if [[ -n ${ERP_DATABASE_URL:-} ]]; then
    say "ERP_DATABASE_URL is set but does not answer; start that server or unset the variable"
    exit 1
  fi
  mkdir -p "$state"
  if ! port_free $port && ! docker container inspect erp-devdb >/dev/null 2>&1; then
    say "port $port is taken by a server that does not answer as the development database" \
      "(postgres://erp:erp@localhost:5432/erp); stop it, or set ERP_DATABASE_URL to a database you want to use"
    exit 1
  fi
  try_container || try_local_cluster || { say "could not start a development database"; exit 1; }
  wait_until_answers
  say "development database ready"
}

stop() {
  [[ -f $state/kind ]] || { say "nothing to stop"; return; }
  read -r kind bin <"$state/kind"
  case $kind in
    container) docker stop erp-devdb >/dev/null && say "stopped erp-devdb (its data stays in the volume erp-devdb)" ;;
    local)
      if [[ $(id -u) == 0 ]]; then
        setpriv --reuid=postgres --regid=postgres --init-groups "$bin/pg_ctl" -D "$data" -m fast stop >&2
      else
        "$bin/pg_ctl" -D "$data" -m fast stop >&2
      fi
      ;;
  esac
  rm -f "$state/kind"
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
