package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/invalidation"
)

// write runs fn in a transaction and records the invalidation events it
// returns in the outbox, in the same transaction: if the write commits, so
// do its invalidations. It returns the events with their outbox ids.
func (db *DB) write(ctx context.Context, reason string, fn func(tx pgx.Tx) ([]invalidation.Event, error)) ([]invalidation.Event, error) {
	var events []invalidation.Event
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		if events, err = fn(tx); err != nil {
			return err
		}
		return recordEvents(ctx, tx, reason, events)
	})
	if err != nil {
		return nil, inputError(err)
	}
	return events, nil
}

// recordEvents inserts events into the outbox with one statement and sets
// their OutboxID.
func recordEvents(ctx context.Context, tx pgx.Tx, reason string, events []invalidation.Event) error {
	if len(events) == 0 {
		return nil
	}
	kinds := make([]string, len(events))
	keys := make([]string, len(events))
	until := make([]*time.Time, len(events))
	for i, e := range events {
		kinds[i], keys[i] = string(e.Kind), e.Key
		if !e.Until.IsZero() {
			until[i] = &events[i].Until
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO invalidation_outbox (kind, key, until, reason)
		SELECT k, key, u, $4 FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS t(k, key, u, n)
		ORDER BY n
		RETURNING id`, kinds, keys, until, reason)
	if err != nil {
		return fmt.Errorf("record invalidations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("record invalidations: %w", err)
	}
	// Identities are assigned in insertion order; RETURNING's order is not
	// promised, so sort.
	slices.Sort(ids)
	for i := range events {
		events[i].OutboxID, events[i].Reason = ids[i], reason
	}
	// Wake every instance's relay: if the writer cannot apply these, the
	// others do at once rather than at their next tick.
	_, err = tx.Exec(ctx, `SELECT pg_notify($1, '')`, invalidationChannel)
	return err
}

// invalidationChannel is the LISTEN/NOTIFY channel of new outbox rows.
const invalidationChannel = "dashgraph_invalidations"

// PendingInvalidations returns the oldest outbox events not yet applied.
func (db *DB) PendingInvalidations(ctx context.Context, limit int) ([]invalidation.Event, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, kind, key, until, reason FROM invalidation_outbox
		WHERE applied_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (invalidation.Event, error) {
		var e invalidation.Event
		var until *time.Time
		err := r.Scan(&e.OutboxID, &e.Kind, &e.Key, &until, &e.Reason)
		if until != nil {
			e.Until = *until
		}
		return e, err
	})
}

// MarkApplied records that outbox events reached the cache.
func (db *DB) MarkApplied(ctx context.Context, ids []int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE invalidation_outbox SET applied_at = now() WHERE id = ANY($1) AND applied_at IS NULL`, ids)
	return err
}

// PruneOutbox deletes applied events after a day, and events left unapplied
// for longer than any cache entry lives (a day, plus margin), whose entries
// have expired on their own.
func (db *DB) PruneOutbox(ctx context.Context) error {
	_, err := db.Pool.Exec(ctx, `DELETE FROM invalidation_outbox WHERE created_at < now() - interval '25 hours'`)
	return err
}

// ListenInvalidations calls wake whenever a write records invalidations,
// on any instance, until ctx is done. It reconnects after errors.
func (db *DB) ListenInvalidations(ctx context.Context, wake func()) {
	for ctx.Err() == nil {
		err := db.listen(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		slog.WarnContext(ctx, "listen for invalidations", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (db *DB) listen(ctx context.Context, wake func()) error {
	pooled, err := db.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection is taken out of the pool for LISTEN and closed after,
	// never returned to the pool with a subscription on it.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+invalidationChannel); err != nil {
		return err
	}
	wake() // anything recorded before LISTEN took effect
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
