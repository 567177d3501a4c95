package postgres

import (
	"context"
	"fmt"
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
		events[i].OutboxID = ids[i]
	}
	return nil
}
