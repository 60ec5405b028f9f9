#!/bin/sh
# Writes PgBouncer's configuration from the environment and runs it: transaction pooling for
# the application role (erp_app) in front of the db service. The service keeps no session state
# outside transactions and runs in query_exec_mode exec behind it; its notification listener and
# the owner's jobs connect to db directly.
set -eu
dir=/tmp/pgbouncer
mkdir -p "$dir"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
erp = host=${PGBOUNCER_DB_HOST:-db} port=${PGBOUNCER_DB_PORT:-5432} dbname=erp
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
server_reset_query =
ignore_startup_parameters = extra_float_digits,statement_timeout,timezone
INI
printf '"erp_app" "%s"\n' "${ERP_DB_APP_PASSWORD:?ERP_DB_APP_PASSWORD is required}" >"$dir/userlist.txt"
chmod 600 "$dir/userlist.txt"
exec pgbouncer "$dir/pgbouncer.ini"
