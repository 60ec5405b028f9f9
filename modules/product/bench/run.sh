#!/usr/bin/env bash
# make bench: loads 100,000 products in 100 categories, drives the running service with wrk at
# concurrency 32 (GET by id in French, list of 50 in French with categories embedded, create,
# PATCH of a price; the writes with their audit events), then runs the same SQL through pgbench
# at the same concurrency for the database-only ceiling, and prints requests/s, p50, p99,
# database round trips per request and each endpoint's fraction of its ceiling.
#
# In the same GET rounds it drives the yardstick (bench/yardstick: a minimal net/http + pgx
# handler of the same contract) and prints the service's throughput, p99 and CPU per request
# relative to it. Then the read-heavy run: a streaming replica of the cluster (pg_basebackup) and
# a second instance with database.replicas, GET and list with and without the replica, and the
# share of reads the replica served.
#
# This machine is shared and noisy, so each measurement is taken in BENCH_ROUNDS rounds (3) that
# alternate the runs being compared; the tables show the medians.
#
# Settings (environment): BENCH_DURATION (10s per run), BENCH_CONNECTIONS (32), BENCH_POOL
# (the service's pool size, 16), BENCH_PHASES ("get list create patch"), BENCH_REPLICA (1; 0
# skips the replica run), BENCH_PROFILE=1 (save CPU and allocation profiles of the service per
# phase in .devdb/bench/{cpu,allocs}-<phase>.pprof; read with go tool pprof),
# BENCH_DATABASE_URL (a server where the role may CREATE DATABASE; there is no replica run then;
# default: a throwaway cluster from the installed PostgreSQL binaries in .devdb/bench).
set -euo pipefail
cd "$(dirname "$0")/../../.."
here=modules/product/bench
duration=${BENCH_DURATION:-10s}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-32}
pool=${BENCH_POOL:-16}
phases=${BENCH_PHASES:-get list create patch}
dir=.devdb/bench
say() { echo "bench: $*" >&2; }

# free_port: a TCP port nothing listens on now (this machine may be shared)
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
port=$(free_port)

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
  local bin pg_port
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $bin/initdb ]] || { say "set BENCH_DATABASE_URL or install PostgreSQL server binaries"; exit 1; }
  local as=()
  [[ $(id -u) != 0 ]] || as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  mkdir -p "$dir"
  [[ ${#as[@]} == 0 ]] || chown -R postgres:postgres .devdb
  [[ -s $dir/data/PG_VERSION ]] || "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 ||
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -o \
      "-p ${pg_port:=$(free_port)} -k /tmp -c listen_addresses=localhost -c max_connections=300 -c shared_buffers=512MB" start >&2
  cluster_bin=$bin
  cluster_as=("${as[@]}")
  admin_url="postgres://postgres@localhost:$pg_port/postgres?sslmode=disable"
}

# metric PORT NAME [TEXT]: the sum of a metric's samples (all label sets, or those containing
# TEXT) on the service at PORT
metric() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk -v m="$2" -v t="${3:-}" '{n = $1; sub(/\{.*/, "", n)} n == m && index($1, t) {s += $2} END {print s + 0}'
}

# cpu_ticks PID: the process's user + system CPU so far, in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk NAME SCRIPT [PORT [PID]]: one load phase against the service (or the server on PORT
# whose process is PID); prints "rps p50 p99 round-trips/req cpu-ms/req"
run_wrk() {
  local before after out requests target=${3:-$port} proc=${4:-$pid} cpu0 cpu1
  before=$(metric "$target" erp_db_round_trips_total)
  cpu0=$(cpu_ticks "$proc")
  if [[ -n ${BENCH_PROFILE:-} && $target == "$port" ]]; then
    curl -s "http://127.0.0.1:$pprof_port/debug/pprof/profile?seconds=8" -o "$dir/cpu-$1.pprof" &
    curl -s "http://127.0.0.1:$pprof_port/debug/pprof/allocs?seconds=8" -o "$dir/allocs-$1.pprof" &
  fi
  out=$(BENCH_RUN=${run}r${round:-0} BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d"$duration" --latency -s "$here/$2" "http://127.0.0.1:$target")
  after=$(metric "$target" erp_db_round_trips_total)
  cpu1=$(cpu_ticks "$proc")
  echo "$out" >"$dir/wrk-$1.txt"
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  local errors
  errors=$(echo "$out" | awk '/Non-2xx or 3xx responses/ {print $NF}')
  if [[ -n $errors ]]; then
    say "$1: $errors responses were not 2xx (see $dir/wrk-$1.txt); the numbers would be meaningless"
    exit 1
  fi
  echo "$out" | awk -v b="$before" -v a="$after" -v n="$requests" -v cpu="$((cpu1 - cpu0))" -v hz="$(getconf CLK_TCK)" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ {rps=$2}
    $1 == "50%" {p50=ms($2)}
    $1 == "99%" {p99=ms($2)}
    END {printf "%s %.2fms %.2fms %.2f %.4f\n", rps, p50, p99, (a-b)/n, cpu * 1000 / hz / n}'
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
replica_started=""
# start_replica: a streaming replica of the throwaway cluster (pg_basebackup -R), on its own port
start_replica() {
  local rp
  rp=$(free_port)
  say "making a streaming replica with pg_basebackup"
  rm -rf "$dir/replica"
  "${cluster_as[@]}" "$cluster_bin/pg_basebackup" -D "$dir/replica" -R -X stream -c fast -d "$admin_url"
  "${cluster_as[@]}" "$cluster_bin/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -o "-p $rp -k /tmp -c listen_addresses=localhost -c max_connections=300 -c shared_buffers=512MB" start >&2
  replica_started=1
  replica_url=$(echo "$app_url" | sed -E "s#@localhost:[0-9]+/#@localhost:$rp/#")
}
stop_replica() {
  [[ -z $replica_started ]] || "${cluster_as[@]}" "$cluster_bin/pg_ctl" -D "$dir/replica" -m fast stop >/dev/null 2>&1 || true
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
# As in production, requests run as a role that only reads and writes rows (erp db grant); the
# superuser is the owner.
app_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
app_url=$(echo "$bench_url" | sed -E "s#//[^@/]*@#//erp_bench_app:$app_password@#")
ERP_DATABASE_URL=$app_url ERP_DATABASE_OWNER_URL=$bench_url ./bin/erp db grant >/dev/null

# Production mode refuses published secrets: these are made for this run.
random() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n'; }
admin_password=$(random)
jwt_secret=$(random)
cursor_secret=$(random)
pprof_port=$(free_port)

# start_service PORT LOG [ENV=VALUE...]: an instance of the service on PORT (pool $pool, log level
# warn, production mode), sharing the signing keys so one token works on every instance; sets
# started_pid and waits until it is ready
start_service() {
  local on=$1 log=$2
  shift 2
  env ERP_ENV=production ERP_PAGINATION_CURSOR_SECRET="$cursor_secret" ERP_DATABASE_URL="$app_url" \
    ERP_DATABASE_OWNER_URL="$bench_url" \
    ERP_HTTP_ADDR="127.0.0.1:$on" ERP_LOG_LEVEL=warn ERP_DATABASE_POOL_SIZE="$pool" ERP_DATABASE_MAX_OVERFLOW=0 \
    ERP_HTTP_MAX_IN_FLIGHT=1024 ERP_AUTH_JWT_SECRET="$jwt_secret" ERP_BOOTSTRAP_ADMIN_EMAIL=bench@example.com \
    ERP_BOOTSTRAP_ADMIN_PASSWORD="$admin_password" "$@" ./bin/erp serve >"$log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$on/readyz" >/dev/null && return; sleep 0.2; done
  say "the service on port $on did not get ready (see $log)"
  exit 1
}

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; stop_replica; stop_cluster' EXIT
say "starting the service (pool $pool, log level warn)"
start_service "$port" "$dir/service.log" ${BENCH_PROFILE:+ERP_HTTP_PPROF_ADDR=127.0.0.1:$pprof_port}
pid=$started_pid
pids+=("$pid")
say "starting the yardstick (a minimal net/http + pgx handler of GET /products/{id}, modules/product/bench/yardstick)"
go build -o bin/yardstick ./modules/product/bench/yardstick
yport=$(free_port)
BENCH_YARDSTICK_ADDR=127.0.0.1:$yport BENCH_DATABASE_URL=$app_url BENCH_JWT_SECRET=$jwt_secret BENCH_POOL=$pool \
  ./bin/yardstick >"$dir/yardstick.log" 2>&1 &
ypid=$!
pids+=("$ypid")
# Every request carries a bearer token, as real clients' do: its verification is part of the cost.
BENCH_TOKEN=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"'"$admin_password"'"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
[[ -n $BENCH_TOKEN ]] || { say "could not sign in"; exit 1; }
export BENCH_TOKEN
(while kill -0 $pid 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$pid/status; sleep 0.2; done) >"$dir/rss.txt" &
pids+=($!)

say "warming up"
BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/get.lua" "http://127.0.0.1:$port" >/dev/null
BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/list.lua" "http://127.0.0.1:$port" >/dev/null
BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/get.lua" "http://127.0.0.1:$yport" >/dev/null

declare -A result ceiling ratio
yrows=()
for phase in $phases; do
  rows=()
  for round in $(seq 1 "$rounds"); do
    say "$phase round $round/$rounds: wrk then pgbench, $duration each at concurrency $conns"
    r=$(run_wrk $phase $phase.lua)
    if [[ $phase == get ]]; then # the same load on the minimal handler, in the same round
      y=$(run_wrk yardstick get.lua "$yport" "$ypid")
      read -r srps _ sp99 _ scpu <<<"$r"
      read -r yrps _ yp99 _ ycpu <<<"$y"
      yrows+=("$(echo "$srps / $yrps" | bc -l) $(echo "${sp99%ms} / ${yp99%ms}" | bc -l) $(echo "$scpu / $ycpu" | bc -l) $yrps $yp99 $ycpu")
    fi
    tps=$(run_pgbench $phase.sql)
    rows+=("$r $tps $(echo "${r%% *} / $tps" | bc -l)")
  done
  # the round with the median ratio represents the phase
  median=$(printf '%s\n' "${rows[@]}" | sort -g -k7 | sed -n "$(((rounds + 1) / 2))p")
  read -r rps p50 p99 spr _ tps frac <<<"$median"
  result[$phase]="$rps $p50 $p99 $spr"
  ceiling[$phase]=$tps
  ratio[$phase]=$(printf '%s\n' "${rows[@]}" | awk '{printf "%s%.2f", (NR > 1 ? " " : ""), $7}')
done
rss=$(sort -n "$dir/rss.txt" | tail -n1)
label() {
  case $1 in get) echo "GET /products/{id}?lang=fr" ;; list) echo "GET /products?limit=50&lang=fr" ;;
    create) echo "POST /products (+ audit)" ;; patch) echo "PATCH /products/{id} (+ audit)" ;; esac
}


echo
echo "make bench: $(nproc) cores, concurrency $conns, $rounds rounds of $duration, service pool $pool; wrk, the service and PostgreSQL share the cores"
printf "%-32s %9s %9s %9s %10s %12s %9s  %s\n" endpoint "req/s" p50 p99 "trips/req" "pgbench tps" fraction "(each round)"
for phase in $phases; do
  read -r rps p50 p99 spr <<<"${result[$phase]}"
  label=$(label "$phase")
  printf "%-32s %9.0f %9s %9s %10s %12.0f %9.2f  %s\n" "$label" "$rps" "$p50" "$p99" "$spr" "${ceiling[$phase]}" \
    "$(echo "$rps / ${ceiling[$phase]}" | bc -l)" "${ratio[$phase]}"
done
echo "service peak RSS under load: $((rss / 1024)) MB"
if ((${#yrows[@]})); then
  ymedian=$(printf '%s\n' "${yrows[@]}" | sort -g -k1 | sed -n "$(((rounds + 1) / 2))p")
  read -r yr yp99r ycpur yrps yp99 _ <<<"$ymedian"
  echo
  echo "GET /products/{id}?lang=fr against a minimal net/http + pgx handler (bench/yardstick), same rounds, median:"
  printf "  yardstick %.0f req/s, p99 %s; service/yardstick: throughput %.2f, p99 %.2fx, CPU per request %.2fx\n" \
    "$yrps" "$yp99" "$yr" "$yp99r" "$ycpur"
  printf '%s\n' "${yrows[@]}" | awk '{printf "  round %d: throughput %.2f, p99 %.2fx, CPU per request %.2fx\n", NR, $1, $2, $3}'
fi

# The read-heavy run with one streaming replica: a second instance of the service reads from a
# replica made with pg_basebackup (only with the throwaway cluster; BENCH_REPLICA=0 skips it).
replica_rows=()
if [[ -n $cluster_bin && ${BENCH_REPLICA:-1} != 0 ]]; then
  start_replica
  rport=$(free_port)
  say "starting a second instance that reads from the replica (database.replicas)"
  start_service "$rport" "$dir/service-replica.log" ERP_DATABASE_REPLICAS="$replica_url"
  rpid=$started_pid
  pids+=("$rpid")
  BENCH_FIRST_CATEGORY=$first_category wrk -t2 -c"$conns" -d3s -s "$here/get.lua" "http://127.0.0.1:$rport" >/dev/null
  for phase in get list; do
    for round in $(seq 1 "$rounds"); do
      say "$phase with a replica, round $round/$rounds: without, then with, $duration each"
      without=$(run_wrk "$phase-primary" $phase.lua)
      # the share: reads the replica served per request the service counted (not wrk, which
      # leaves out those still in flight when it stops)
      reads0=$(metric "$rport" erp_db_replica_reads_total)
      served0=$(metric "$rport" erp_http_requests_total 'route="/api/v1/products')
      with=$(run_wrk "$phase-replica" $phase.lua "$rport" "$rpid")
      reads1=$(metric "$rport" erp_db_replica_reads_total)
      served1=$(metric "$rport" erp_http_requests_total 'route="/api/v1/products')
      replica_rows+=("$phase ${without%% *} ${with%% *} $(echo "${with%% *} / ${without%% *}" | bc -l) $(echo "($reads1 - $reads0) / ($served1 - $served0)" | bc -l) $(echo "$with" | awk '{print $4}')")
    done
  done
fi
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true

if ((${#replica_rows[@]})); then
  echo
  echo "read-heavy run with one streaming replica (a second PostgreSQL on the same cores), median of rounds:"
  printf "%-32s %14s %14s %9s %15s %14s\n" endpoint "primary req/s" "replica req/s" ratio "replica share" "trips/req"
  for phase in get list; do
    printf '%s\n' "${replica_rows[@]}" | awk -v p="$phase" '$1 == p' | sort -g -k4 | sed -n "$(((rounds + 1) / 2))p" |
      while read -r _ a b r share trips; do
        printf "%-32s %14.0f %14.0f %9.2f %14.0f%% %14s\n" "$(label "$phase")" "$a" "$b" "$r" "$(echo "$share * 100" | bc -l)" "$trips"
      done
  done
fi
