#!/usr/bin/env bash
# Makes sure the Postgres and Redis that tests and `make run` use are up:
# starts each one that does not answer, and fails loudly when it still
# does not. Tests never skip for a missing service.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

wait_for() {
  local name=$1 check=$2
  for _ in $(seq 1 50); do
    if $check; then return 0; fi
    sleep 0.2
  done
  echo "services: $name is not answering and could not be started" >&2
  exit 1
}

if ! pg_up; then
  echo "services: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_for PostgreSQL pg_up
fi

if ! redis_up; then
  echo "services: starting Redis" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for Redis redis_up
fi
