-- The invalidation outbox. Every write records the cache invalidations it
-- causes here, in its own transaction; they are applied to the cache before
-- the write returns, and a relay retries any that could not be applied (a
-- Redis outage, a crash between commit and apply). Nothing is lost.
CREATE TABLE invalidation_outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL,
    key         text NOT NULL,
    until       timestamptz,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz
);
CREATE INDEX invalidation_outbox_pending_idx ON invalidation_outbox (id) WHERE applied_at IS NULL;
