#!/usr/bin/env bash
# The dashboard benchmark (issue #6): seeds a benchmark database once, then
# for each scenario starts dashgraph with real Postgres and Redis, drives it
# with bench/loadgen and reports views/s, p50/p95/p99, DB queries and Redis
# round trips per dashboard view and the server's largest RSS:
#
#   a  the plan's "before": caches and batching off; one dashboard request
#      plus one GET /api/charts/{id}/data per chart, in parallel
#   b  the one GraphQL dashboard query, caches off
#   c  the same, cold: Redis db flushed before every view (concurrency 1)
#   d  the same, warm
#   e  warm, with BENCH_USERS bench users spread over the organizations
#   f  bench/bare: net/http serving d's response body: this machine's ceiling
#
# Prints the table, the ratios d/a, d/f, c/a and the targets, and writes
# everything to bench-results/bench.json. Exits 1 when a scenario had errors
# (and, with BENCH_STRICT=1, when a target is missed).
#
# usage: scripts/bench.sh [--smoke] [--scale N] [--concurrency N] [--duration 20s]
#                         [--warmup 3s] [--users N] [--scenarios "a b c d e f"]
# The same settings as environment variables: BENCH_SMOKE=1, BENCH_SCALE,
# BENCH_CONCURRENCY, BENCH_DURATION, BENCH_WARMUP, BENCH_USERS,
# BENCH_SCENARIOS; also BENCH_DB (default dashgraph_bench at scale 10, else
# dashgraph_bench_s<scale>), BENCH_RESEED=1 (seed it again), BENCH_REDIS_DB
# (9: flushed freely!), BENCH_OUT (bench-results, or bench-results/smoke),
# BENCH_STRICT.
#
# --smoke is the CI run: scale 1, 1 s per scenario, about 10 s in all.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=${BENCH_SMOKE:-0}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --smoke) smoke=1 ;;
    --scale) BENCH_SCALE=${args[++i]} ;;
    --concurrency) BENCH_CONCURRENCY=${args[++i]} ;;
    --duration) BENCH_DURATION=${args[++i]} ;;
    --warmup) BENCH_WARMUP=${args[++i]} ;;
    --users) BENCH_USERS=${args[++i]} ;;
    --scenarios) BENCH_SCENARIOS=${args[++i]} ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument ${args[i]} (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$smoke" = 1 ]; then
  scale=${BENCH_SCALE:-1} duration=${BENCH_DURATION:-1s} warmup=${BENCH_WARMUP:-300ms}
  users=${BENCH_USERS:-50} out=${BENCH_OUT:-bench-results/smoke}
else
  scale=${BENCH_SCALE:-10} duration=${BENCH_DURATION:-20s} warmup=${BENCH_WARMUP:-3s}
  users=${BENCH_USERS:-1000} out=${BENCH_OUT:-bench-results}
fi
concurrency=${BENCH_CONCURRENCY:-8}
scenarios=${BENCH_SCENARIOS:-a b c d e f}
redis_db=${BENCH_REDIS_DB:-9}
[[ $users =~ ^[0-9]+$ ]] && ((users >= 1 && users <= 9999)) || { echo "bench: BENCH_USERS must be 1 to 9999" >&2; exit 2; }
if [ "$scale" = 10 ]; then db=${BENCH_DB:-dashgraph_bench}; else db=${BENCH_DB:-dashgraph_bench_s$scale}; fi
db_url="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
redis_url="redis://127.0.0.1:6379/$redis_db"

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Every process started here is stopped on the way out, by its pid.
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a: Postgres and Redis answer.
scripts/services.sh

# b: build the server and the bench tools.
go build -o bin/dashgraph .
go build -o bin/ ./bench/loadgen ./bench/bare ./bench/report

# c: the benchmark database, seeded once and reused across runs. Its
# comment records what it was seeded from: when the migrations, the seed
# code or the scale change, or the data is over a week old (charts read
# relative ranges such as the last 30 days), it is dropped and seeded again.
[[ $db =~ ^[a-z0-9_]+$ ]] || die "BENCH_DB $db: use lower-case letters, digits and _"
export BCRYPT_COST=4 # seed hashes the demo password with it; logins stay cheap
sql() { psql "$db_url" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
admin_sql() { psql "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fingerprint="dashgraph-bench scale=$scale source=$(cat postgres/migrations/*.sql seed/*.go | sha256sum | cut -c1-16)"
row=$(admin_sql -c "SELECT 'exists:' || coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$db'")
if [ -n "$row" ]; then
  comment=${row#exists:} reseed=""
  seeded=$(date -d "$(sed -n 's/.* seeded=//p' <<<"$comment")" +%s 2>/dev/null || echo 0)
  if [ "${comment% seeded=*}" != "$fingerprint" ]; then
    reseed="it was not seeded by this scale, migrations and seed code"
  elif (($(date +%s) - seeded > 7 * 86400)); then
    reseed="its data is over a week old"
  elif [ "${BENCH_RESEED:-0}" = 1 ]; then
    reseed="BENCH_RESEED=1"
  fi
  if [ -n "$reseed" ]; then
    [[ $db == dashgraph_bench* ]] || die "$db needs seeding again ($reseed), but bench.sh drops only dashgraph_bench* databases"
    log "dropping $db: $reseed"
    admin_sql -c "DROP DATABASE $db WITH (FORCE)"
  fi
fi
DATABASE_URL=$db_url LOG_LEVEL=warn bin/dashgraph migrate
if [ "$(sql -c 'SELECT EXISTS (SELECT 1 FROM users)')" != t ]; then
  log "seeding $db at scale $scale (scale 10: about a minute, once)"
  DATABASE_URL=$db_url LOG_FORMAT=text bin/dashgraph seed --scale "$scale"
  admin_sql -c "COMMENT ON DATABASE $db IS '$fingerprint seeded=$(date -u +%F)'"
fi

# d: bench users bench0001..benchNNNN, each an analyst in one organization
# that has practices (round-robin), with the analyst's password hash.
if [ "$(sql -c "SELECT count(*) FROM users WHERE email ~ '^bench[0-9]{4}@dashgraph\.test$'")" -lt "$users" ]; then
  log "creating $users bench users"
  sql -v n="$users" <<'SQL'
BEGIN;
INSERT INTO users (email, name, password_hash)
SELECT format('bench%s@dashgraph.test', lpad(g::text, 4, '0')), format('Bench User %s', g), a.password_hash
FROM generate_series(1, :n) g
CROSS JOIN (SELECT password_hash FROM users WHERE email = 'analyst@dashgraph.test') a
ON CONFLICT DO NOTHING;

INSERT INTO user_organizations (user_id, organization_id)
SELECT u.id, o.id
FROM users u
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n
      FROM organizations o
      WHERE EXISTS (SELECT 1 FROM practices p WHERE p.organization_id = o.id)) o
  ON o.i = (substring(u.email FROM 6 FOR 4)::int - 1) % o.n
WHERE u.email ~ '^bench[0-9]{4}@dashgraph\.test$'
ON CONFLICT DO NOTHING;

INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id
FROM users u, roles r
WHERE u.email ~ '^bench[0-9]{4}@dashgraph\.test$' AND r.name = 'analyst' AND r.organization_id IS NULL
ON CONFLICT DO NOTHING;
COMMIT;
SQL
fi

# Ports are taken below Linux's ephemeral range (32768 and up), where the
# source ports of outgoing connections (to Postgres, Redis, the servers)
# would collide with them unseen by the probe below.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 12000))
    if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port"
}

# wait_ready URL PID LOG: until URL answers 200, or the process exits.
wait_ready() {
  for _ in $(seq 150); do
    if curl -fs -o /dev/null --max-time 1 "$1"; then return 0; fi
    kill -0 "$2" 2>/dev/null || { tail -n 20 "$3" >&2; die "the server exited (log: $3)"; }
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "$1 did not answer in 15 s (log: $3)"
}

# start_server LABEL [VAR=value ...]: dashgraph on a free port, with the
# bench's settings and then the scenario's (so that nothing exported in the
# caller's environment changes a scenario); sets server_pid and server_url.
start_server() {
  local label=$1 port
  shift
  port=$(free_port)
  env DATABASE_URL="$db_url" HTTP_ADDR="127.0.0.1:$port" JWT_SECRET=bench-only-secret-0123456789abcdef0123 \
    BCRYPT_COST=4 LOG_LEVEL=warn ENABLE_RATE_LIMIT=false DEV_MODE=false REDIS_URL="$redis_url" ENABLE_BATCHING=true "$@" \
    bin/dashgraph serve >"$out/server-$label.log" 2>&1 &
  server_pid=$!
  server_url="http://127.0.0.1:$port"
  wait_ready "$server_url/readyz" "$server_pid" "$out/server-$label.log"
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

redis() { redis-cli -h 127.0.0.1 -p 6379 -n "$redis_db" "$@"; }

# redis_stats LABEL: the chart-data entries in the bench's Redis db, as JSON.
redis_stats() {
  local entries bytes keys used
  read -r entries bytes < <(redis --scan --pattern 'dg:v1:chart:*' | sed 's/^/MEMORY USAGE /' | redis |
    awk '{ n++; s += $1 } END { printf "%d %.0f\n", n, n ? s / n : 0 }')
  keys=$(redis dbsize)
  used=$(redis info memory | tr -d '\r' | sed -n 's/^used_memory://p')
  printf '{"after":"%s","keys":%d,"chartEntries":%d,"chartEntryBytesAvg":%s,"usedMemoryBytes":%d}\n' \
    "$1" "$keys" "$entries" "$bytes" "$used" >"$out/redis-$1.json"
}

# loadgen LABEL DESCRIPTION [flags...]: one measured run; flags given
# override the defaults (the last of a repeated Go flag wins). A run that
# cannot start (a failed login, say) is recorded, and the others still run.
failed=()
loadgen() {
  local label=$1 desc=$2
  shift 2
  bin/loadgen -label "$label" -desc "$desc" -concurrency "$concurrency" -duration "$duration" \
    -out "$out/$label.json" "$@" || failed+=("$label")
}

mkdir -p "$out"
rm -f "$out"/{a,b,c,d,e,f}.json "$out"/redis-*.json "$out"/server-*.log "$out/dashboard.json"
body=$out/dashboard.json
cache=(ENABLE_REDIS_CACHE=true)

log "$db (scale $scale); $concurrency workers, $duration per scenario after $warmup warmup; scenarios: $scenarios"
log "loadgen and the server share this machine's $(nproc) CPUs, Postgres and Redis"
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${loadavg%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  log "warning: load average $loadavg before the run: something else is busy, the numbers will be noisy"
fi

for s in $scenarios; do
  case $s in
    a)
      start_server a ENABLE_REDIS_CACHE=false ENABLE_BATCHING=false
      loadgen a "before: caches and batching off; 1 dashboard request + 1 GET /api/charts/{id}/data per chart" \
        -url "$server_url" -scenario before -warmup "$warmup" -rss-pid "$server_pid"
      stop_server ;;
    b)
      start_server b ENABLE_REDIS_CACHE=false
      loadgen b "one GraphQL dashboard query, caches off" \
        -url "$server_url" -scenario graphql -warmup "$warmup" -rss-pid "$server_pid" -save-body "$body"
      stop_server ;;
    c)
      redis flushdb >/dev/null
      start_server c "${cache[@]}"
      # Concurrency 1: with more workers, one worker's view would find what
      # another's just cached. So c's views/s is one client's.
      log "c: cold, Redis db $redis_db flushed before every view, at concurrency 1"
      loadgen c "one GraphQL query, cold: Redis db $redis_db flushed before every view (concurrency 1)" \
        -url "$server_url" -scenario graphql -rss-pid "$server_pid" -flush-redis "127.0.0.1:6379/$redis_db" -concurrency 1
      stop_server ;;
    d)
      redis flushdb >/dev/null
      start_server d "${cache[@]}"
      loadgen d "one GraphQL query, warm (after $warmup warmup)" \
        -url "$server_url" -scenario graphql -warmup "$warmup" -rss-pid "$server_pid" -save-body "$body"
      redis_stats d
      stop_server ;;
    e)
      redis flushdb >/dev/null
      start_server e "${cache[@]}"
      loadgen e "one GraphQL query, warm, $users users over the organizations" \
        -url "$server_url" -scenario graphql -warmup "$warmup" -rss-pid "$server_pid" -users "$users"
      redis_stats e
      stop_server ;;
    f)
      if [ ! -s "$body" ]; then
        # f serves a real dashboard response: take one from a short run.
        start_server f-capture "${cache[@]}"
        bin/loadgen -url "$server_url" -scenario graphql -concurrency 1 -duration 200ms -save-body "$body" >/dev/null || true
        stop_server
      fi
      if [ ! -s "$body" ]; then log "f: no dashboard response to serve"; failed+=(f); continue; fi
      port=$(free_port)
      bin/bare -addr "127.0.0.1:$port" -body "$body" >"$out/server-f.log" 2>&1 &
      server_pid=$!
      wait_ready "http://127.0.0.1:$port/" "$server_pid" "$out/server-f.log"
      loadgen f "bare net/http handler serving the dashboard response ($(wc -c <"$body") bytes): the ceiling" \
        -url "http://127.0.0.1:$port/" -scenario bare -warmup "$warmup" -rss-pid "$server_pid"
      stop_server ;;
    *) die "unknown scenario $s (want a b c d e f)" ;;
  esac
done
redis flushdb >/dev/null

strict=() status=0
[ "${BENCH_STRICT:-0}" = 1 ] && strict=(-strict)
echo
bin/report -dir "$out" "${strict[@]}" -meta scale="$scale" -meta database="$db" -meta concurrency="$concurrency" \
  -meta duration="$duration" -meta warmup="$warmup" -meta users="$users" -meta cpus="$(nproc)" \
  -meta smoke="$smoke" -meta loadavg_before="$loadavg" -meta commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -meta go="$(go env GOVERSION)" || status=1
if [ ${#failed[@]} -gt 0 ]; then
  log "scenarios that could not run: ${failed[*]} (see the loadgen errors above and $out/server-*.log)"
  status=1
fi
exit $status
