#!/usr/bin/env bash
# Browser test of the web dashboard (examples/web) against a real dashgraph
# server with the demo data in a fresh Postgres database:
#
#   1. installs what it needs: Debian's Chromium when /usr/bin/chromium is
#      missing, and the page's npm packages (npm ci);
#   2. builds the page (npm run build: codegen, type check, vite);
#   3. builds dashgraph, creates a database with a random name, migrates and
#      seeds it, and serves it in dev mode with WEB_DIR=examples/web/dist,
#      so that the page is at /app/ and talks to /graphql on the same origin;
#   4. runs examples/web/tests/dashboard.test.mjs in headless Chromium
#      (playwright-core): sign in, open "Practice Overview" with exactly one
#      GraphQL request, check that all six charts are drawn, screenshot to
#      examples/web/test-artifacts/.
#
# The database is dropped and the server stopped on exit, whatever happened.
# Exits non-zero on any failure; nothing is skipped for a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WEB=$ROOT/examples/web
ARTIFACTS=$WEB/test-artifacts
CHROMIUM=/usr/bin/chromium
SECONDS=0

step() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
die() { echo "test-web: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
step "tools"
if [ ! -x "$CHROMIUM" ]; then
  echo "test-web: $CHROMIUM is missing: installing Debian's chromium" >&2
  if [ "$(id -u)" -ne 0 ]; then die "need root to apt-get install chromium"; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -x "$CHROMIUM" ] || die "$CHROMIUM is still missing after apt-get install chromium"
"$CHROMIUM" --version
command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"
echo "node $(node --version), npm $(npm --version)"
command -v psql >/dev/null || die "psql is not installed"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "test-web: PostgreSQL is not answering: starting it" >&2
  scripts/services.sh
fi
pg_isready -h 127.0.0.1 -p 5432 -q || die "PostgreSQL at 127.0.0.1:5432 is not answering"

# ---------------------------------------------------------------- page
step "npm ci"
(cd "$WEB" && npm ci --no-audit --no-fund)
step "npm run build"
(cd "$WEB" && npm run build)
[ -f "$WEB/dist/index.html" ] || die "npm run build wrote no dist/index.html"

# ---------------------------------------------------------------- server
step "go build"
go build -o bin/dashgraph .

DB="dashgraph_web_${RANDOM}${RANDOM}"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE_URL="http://127.0.0.1:$PORT"
LOG=$(mktemp -t dashgraph-web-server.XXXXXX.log)
SERVER_PID=

cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$LOG" ]; then
    echo "---- last lines of the dashgraph log ($LOG)" >&2
    tail -n 40 "$LOG" >&2
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null ||
    echo "test-web: could not drop database $DB" >&2
  [ "$rc" -eq 0 ] && rm -f "$LOG"
  echo "test-web: $([ "$rc" -eq 0 ] && echo PASS || echo "FAIL (exit $rc)") in ${SECONDS}s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
export JWT_SECRET="test-web-only-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DEV_MODE=true
export HTTP_ADDR="127.0.0.1:$PORT"
export BCRYPT_COST=4
export WEB_DIR=examples/web/dist
export LOG_FORMAT=text

step "database $DB: migrate, seed"
bin/dashgraph migrate >>"$LOG" 2>&1 || die "migrate failed"
bin/dashgraph seed >>"$LOG" 2>&1 || die "seed failed"

# A dashboard whose last chart fails on the server (a measure that does not
# exist), to see the page show that chart's error in its own tile.
BROKEN="Web test: one broken chart"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q <<SQL
WITH d AS (INSERT INTO dashboards (name, description) VALUES ('$BROKEN', 'Two good charts and one that fails.') RETURNING id),
     c AS (INSERT INTO chart_definitions (name, description, chart_type, config, data_source_id)
           VALUES ('Retired measure', 'Names a measure that no longer exists.', 'LINE',
                   '{"type":"LINE","series":[{"label":"Retired","measure":"retired_measure","aggregation":"SUM","axis":"LEFT","renderAs":"LINE"}],"frequency":"MONTHLY","dateRange":{"preset":"THIS_YEAR"},"groupBy":"NONE","comparison":"NONE","palette":"default","sort":"LABEL","limit":10}',
                   (SELECT min(id) FROM data_sources))
           RETURNING id)
INSERT INTO dashboard_charts (dashboard_id, position, chart_definition_id)
SELECT d.id, 0, cd.id FROM d, chart_definitions cd WHERE cd.name = 'Charges vs payments'
UNION ALL SELECT d.id, 1, cd.id FROM d, chart_definitions cd WHERE cd.name = 'Appointment outcomes'
UNION ALL SELECT d.id, 2, c.id FROM d, c;
SQL

step "serve on $BASE_URL"
bin/dashgraph serve >>"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "$BASE_URL/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || die "dashgraph serve exited"
  sleep 0.1
done
curl -sf "$BASE_URL/healthz" >/dev/null || die "dashgraph did not answer on $BASE_URL/healthz"

# The page is served at /app/ by dashgraph itself.
check() { # check NAME WANT_STATUS(regex) URL_PATH [grep pattern on headers]
  local got
  got=$(curl -s -o /dev/null -D - -w '%{http_code}' "$BASE_URL$3" | tr -d '\r')
  [[ $(tail -n1 <<<"$got") =~ ^($2)$ ]] || die "$1: GET $3 answered $(tail -n1 <<<"$got"), want $2 (is WEB_DIR wired into app/app.go? see app/web.go)"
  if [ -n "${4:-}" ]; then grep -qi "$4" <<<"$got" || die "$1: GET $3 lacks header /$4/"; fi
}
check "the page" 200 /app/ '^content-type: text/html'
check "/app without slash" '30[17]' /app '^location: /app/'
ASSET=$(grep -o 'assets/[^"]*\.js' "$WEB/dist/index.html" | head -n1)
check "an asset" 200 "/app/$ASSET" '^cache-control: .*immutable'
check "a client route" 200 /app/dashboards/1 '^content-type: text/html'
check "a missing asset" 404 /app/assets/missing.js
check "a directory" 404 /app/assets/
for p in /app/../go.mod /app/..%2f..%2fgo.mod /app/%2e%2e/%2e%2e/go.mod; do
  if curl -s --path-as-is "$BASE_URL$p" | grep -q '^module '; then die "GET $p served a file outside WEB_DIR"; fi
done
echo "dashgraph serves the page at $BASE_URL/app/"

# ---------------------------------------------------------------- browser
step "browser test"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
(cd "$WEB" && BASE_URL="$BASE_URL" CHROMIUM="$CHROMIUM" ARTIFACTS="$ARTIFACTS" BROKEN_DASHBOARD="$BROKEN" \
  node --test-reporter=spec tests/dashboard.test.mjs)

[ -s "$ARTIFACTS/practice-overview.png" ] || die "no screenshot at $ARTIFACTS/practice-overview.png"
node -e '
  const s = require(process.argv[1]);
  const p = s.dashboards["Practice Overview"];
  console.log(`Practice Overview: ${p.requestsToShow} HTTP request(s) to show it from the dashboard list ` +
    `(${p.dashboardQueries} GraphQL dashboard query), ${p.requestsOnReload} on a reload of its URL (${p.reload.join(", ")}); ` +
    `sign-in took ${s.signIn.requests} (${s.signIn.list.join(", ")})`);
  console.log(`extensions.cost of the dashboard request: ${JSON.stringify(p.cost)}`);
' "$ARTIFACTS/summary.json"
echo "screenshots: $(cd "$ARTIFACTS" && ls *.png | tr '\n' ' ')(in ${ARTIFACTS#"$ROOT"/})"
