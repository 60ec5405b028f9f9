#!/usr/bin/env bash
# Chooses where `make test` finds PostgreSQL and prints the environment for it (eval it):
#
#   1. TEST_DATABASE_URL already set           -> that server
#   2. a Docker engine answers                 -> dockertest starts a container per test binary
#      (TEST_POSTGRES_IMAGE, default postgres:15; when that image can be neither found nor
#      pulled and local/postgres:15 exists, that one)
#   3. PostgreSQL server binaries are installed -> a throwaway cluster in .devdb/test on port
#      55432 (or the next free one: never a server it did not start), exported as TEST_DATABASE_URL
#   4. none of these                            -> nothing; integration tests skip and say why
#      (and fail under CI=true)
#
#   db/testdb.sh env    print export lines        db/testdb.sh stop    stop the throwaway cluster
set -euo pipefail
cd "$(dirname "$0")/.."

dir=.devdb/test
default_port=55432
bin=""
as=()
say() { echo "testdb: $*" >&2; }

docker_image() {
  local want=${TEST_POSTGRES_IMAGE:-postgres:15}
  if docker image inspect "$want" >/dev/null 2>&1 || docker pull -q "$want" >/dev/null 2>&1; then
    echo "$want"
  elif [[ -z ${TEST_POSTGRES_IMAGE:-} ]] && docker image inspect local/postgres:15 >/dev/null 2>&1; then
    echo local/postgres:15
  fi
}

# port_free PORT: nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# running_port: the port of the cluster in $dir when it runs (from its postmaster.pid), else "".
running_port() {
  [[ -f $dir/data/postmaster.pid ]] && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 &&
    sed -n 4p "$dir/data/postmaster.pid"
}

local_cluster() {
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    bin=$(pg_config --bindir)
  fi
  [[ -n $bin && -x $bin/initdb ]] || return 1
  as=()
  if [[ $(id -u) == 0 ]]; then # initdb refuses to run as root
    id postgres >/dev/null 2>&1 || return 1
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi
  mkdir -p "$dir" || return 1
  [[ ${#as[@]} == 0 ]] || chown -R postgres:postgres .devdb || return 1
  if [[ ! -s $dir/data/PG_VERSION ]]; then
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" || return 1
  fi
  local port
  port=$(running_port || true)
  if [[ -z $port ]]; then
    # Never a server this script did not start: take a port nothing listens on.
    port=$default_port
    while ! port_free "$port"; do port=$((port + 1)); done
    say "starting a throwaway PostgreSQL from $bin on port $port"
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o \
      "-p $port -k /tmp -c listen_addresses=localhost -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
      start >&2 || { say "the throwaway cluster did not start (see $dir/postgres.log)"; return 1; }
    [[ $(running_port) == "$port" ]] || { say "the throwaway cluster is not the one on port $port"; return 1; }
  fi
  echo "$bin" >"$dir/bin"
  echo "export TEST_DATABASE_URL=postgres://postgres@localhost:$port/postgres?sslmode=disable"
}

env_lines() {
  if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    say "using TEST_DATABASE_URL"
    return
  fi
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    local image
    image=$(docker_image)
    if [[ -n $image ]]; then
      say "dockertest will start $image"
      echo "export TEST_POSTGRES_IMAGE=$image"
      return
    fi
    say "Docker answers but no PostgreSQL image is available"
  fi
  if [[ ${CI:-} == true ]]; then
    say "CI=true: integration tests need Docker (run ../shared/ci/docker-engine.sh and offline-images.sh)"
    return
  fi
  local_cluster || say "no Docker and no PostgreSQL binaries: integration tests will skip"
}

case ${1:-env} in
  env) env_lines ;;
  stop)
    if [[ -f $dir/bin ]]; then
      bin=$(cat "$dir/bin")
      if [[ $(id -u) == 0 ]]; then
        setpriv --reuid=postgres --regid=postgres --init-groups "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
      else
        "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
      fi
    fi
    ;;
  *) echo "usage: $0 env|stop" >&2; exit 2 ;;
esac
