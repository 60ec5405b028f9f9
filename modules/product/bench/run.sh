#!/usr/bin/env bash
# make bench: loads 100,000 products in 100 categories, drives the running service with wrk at
# concurrency 32 (GET by id, list of 50 in French with categories embedded, create, PATCH of a
# price; the writes with their audit events), then runs
# the same SQL through pgbench at the same concurrency for the database-only ceiling, and prints
# requests/s, p50, p99, database round trips per request and each endpoint's fraction of its ceiling.
#
# This machine is shared and noisy, so each endpoint is measured in BENCH_ROUNDS rounds (3) that
# alternate the service run and the pgbench run; the table shows the medians.
#
# Settings (environment): BENCH_DURATION (10s per run), BENCH_CONNECTIONS (32), BENCH_POOL
# (the service's pool size, 16), BENCH_PROFILE=1 (save CPU and allocation profiles of the
# service per phase in .devdb/bench/{cpu,allocs}-<phase>.pprof; read with go tool pprof), BENCH_DATABASE_URL (a server where the role may CREATE
# DATABASE; default: a throwaway cluster from the installed PostgreSQL binaries in .devdb/bench).
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=modules/product/bench
duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-32}
pool=${BENCH_POOL:-16}
port=18080
dir=.devdb/bench
say() { echo "bench: $*" >&2; }

need_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v bc >/dev/null 2>&1 || missing+=(bc)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
  pgbench_bin >/dev/null 2>&1 || missing+=(postgresql-contrib)
  if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

pgbench_bin() {
  command -v pgbench 2>/dev/null || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n1 | grep .
}

start_cluster() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $bin/initdb ]] || { say "set BENCH_DATABASE_URL or install PostgreSQL server binaries"; exit 1; }
  local as=()
  [[ $(id -u) != 0 ]] || as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  mkdir -p "$dir"
  [[ ${#as[@]} == 0 ]] || chown -R postgres:postgres .devdb
  [[ -s $dir/data/PG_VERSION ]] || "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 ||
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o \
      "-p 55433 -k /tmp -c listen_addresses=localhost -c max_connections=300 -c shared_buffers=512MB" start >&2
  cluster_bin=$bin
  cluster_as=("${as[@]}")
  admin_url="postgres://postgres@localhost:55433/postgres?sslmode=disable"
}

metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# run_wrk NAME SCRIPT: one load phase; prints "rps p50 p99 round-trips/req"
run_wrk() {
  local before after out requests
  before=$(metric erp_db_round_trips_total)
  if [[ -n ${BENCH_PROFILE:-} ]]; then
    curl -s "http://127.0.0.1:6061/debug/pprof/profile?seconds=8" -o "$dir/cpu-$1.pprof" &
    curl -s "http://127.0.0.1:6061/debug/pprof/allocs?seconds=8" -o "$dir/allocs-$1.pprof" &
  fi
  out=$(BENCH_RUN=${run}r${round:-0} BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d"$duration" --latency -s "$here/$2" "http://127.0.0.1:$port")
  after=$(metric erp_db_round_trips_total)
  echo "$out" >"$dir/wrk-$1.txt"
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses/ {print $NF}')
  if [[ -n $errors ]]; then
    say "$1: $errors responses were not 2xx (see $dir/wrk-$1.txt); the numbers would be meaningless"
    exit 1
  fi
  echo "$out" | awk -v b="$before" -v a="$after" -v n="$requests" '
    /Requests\/sec/ {rps=$2}
    $1 == "50%" {p50=$2}
    $1 == "99%" {p99=$2}
    END {printf "%s %s %s %.2f\n", rps, p50, p99, (a-b)/n}'
}

# run_pgbench SCRIPT: the database-only ceiling of the same SQL; prints tps
run_pgbench() {
  "$(pgbench_bin)" -n -M prepared -c "$conns" -j 2 -T "${duration%s}" -D first_category="$first_category" \
    -f "$here/$1" "$bench_url" 2>&1 | tee "$dir/pgbench-$1.txt" | awk '/^tps = / {print $3}'
}

need_tools
mkdir -p "$dir"
cluster_bin=""
cluster_as=()
stop_cluster() {
  [[ -z $cluster_bin ]] || "${cluster_as[@]}" "$cluster_bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
}
admin_url=${BENCH_DATABASE_URL:-}
[[ -n $admin_url ]] || start_cluster
bench_url=$(echo "$admin_url" | sed -E 's#/[^/?]*(\?|$)#/erp_bench\1#')
run=$(date +%s)

say "building bin/erp"
go build -o bin/erp .
psql -q "$admin_url" -c "DROP DATABASE IF EXISTS erp_bench WITH (FORCE)" -c "CREATE DATABASE erp_bench"
ERP_DATABASE_URL=$bench_url ./bin/erp migrate up >/dev/null
say "loading 100,000 products in 100 categories"
start=$(date +%s.%N)
psql -q -v ON_ERROR_STOP=1 "$bench_url" -f "$here/seed.sql"
say "loaded in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"
first_category=$(psql -tA "$bench_url" -c "SELECT min(id) FROM categories")

say "starting the service (pool $pool, log level warn)"
# Production mode refuses published secrets: these are made for this run.
random() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n'; }
admin_password=$(random)
ERP_ENV=production ERP_PAGINATION_CURSOR_SECRET=$(random) ERP_DATABASE_URL=$bench_url \
  ERP_HTTP_ADDR=127.0.0.1:$port ERP_HTTP_PPROF_ADDR=${BENCH_PROFILE:+127.0.0.1:6061} ERP_LOG_LEVEL=warn ERP_DATABASE_POOL_SIZE=$pool ERP_DATABASE_MAX_OVERFLOW=0 \
  ERP_HTTP_MAX_IN_FLIGHT=1024 ERP_AUTH_JWT_SECRET=$(random) ERP_BOOTSTRAP_ADMIN_EMAIL=bench@example.com \
  ERP_BOOTSTRAP_ADMIN_PASSWORD=$admin_password \
  ./bin/erp serve >"$dir/service.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; kill $sampler 2>/dev/null || true; stop_cluster' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
# Every request carries a bearer token, as real clients' do: its verification is part of the cost.
BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"'"$admin_password"'"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[[ -n $BENCH_TOKEN ]] || { say "could not sign in"; exit 1; }
export BENCH_TOKEN
(while kill -0 $pid 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$pid/status; sleep 0.2; done) >"$dir/rss.txt" &
sampler=$!

say "warming up"
BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/get.lua" "http://127.0.0.1:$port" >/dev/null
BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/list.lua" "http://127.0.0.1:$port" >/dev/null

declare -A result ceiling ratio
for phase in get list create patch; do
  rows=()
  for round in $(seq 1 "$rounds"); do
    say "$phase round $round/$rounds: wrk then pgbench, $duration each at concurrency $conns"
    r=$(run_wrk $phase $phase.lua)
    tps=$(run_pgbench $phase.sql)
    rows+=("$r $tps $(echo "${r%% *} / $tps" | bc -l)")
  done
  # the round with the median ratio represents the phase
  median=$(printf '%s\n' "${rows[@]}" | sort -g -k6 | sed -n "$(((rounds + 1) / 2))p")
  read -r rps p50 p99 spr tps frac <<<"$median"
  result[$phase]="$rps $p50 $p99 $spr"
  ceiling[$phase]=$tps
  ratio[$phase]=$(printf '%s\n' "${rows[@]}" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $6}')
done
kill $sampler 2>/dev/null || true
rss=$(sort -n "$dir/rss.txt" | tail -n1)
kill $pid
wait $pid 2>/dev/null || true

echo
echo "make bench: $(nproc) cores, concurrency $conns, $rounds rounds of $duration, service pool $pool; wrk, the service and PostgreSQL share the cores"
printf "%-32s %9s %9s %9s %10s %12s %9s  %s\n" endpoint "req/s" p50 p99 "trips/req" "pgbench tps" fraction "(each round)"
for phase in get list create patch; do
  read -r rps p50 p99 spr <<<"${result[$phase]}"
  label=$(case $phase in get) echo "GET /products/{id}" ;; list) echo "GET /products?limit=50&lang=fr" ;;
    create) echo "POST /products (+ audit)" ;; patch) echo "PATCH /products/{id} (+ audit)" ;; esac)
  printf "%-32s %9.0f %9s %9s %10s %12.0f %9.2f  %s\n" "$label" "$rps" "$p50" "$p99" "$spr" "${ceiling[$phase]}" \
    "$(echo "$rps / ${ceiling[$phase]}" | bc -l)" "${ratio[$phase]}"
done
echo "service peak RSS under load: $((rss / 1024)) MB"
