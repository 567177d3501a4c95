package cache

import (
	"context"
	"time"

	"github.com/dashgraph/dashgraph/invalidation"
)

// outbox is the Postgres side of durable invalidation.
type outbox interface {
	PendingInvalidations(ctx context.Context, limit int) ([]invalidation.Event, error)
	MarkApplied(ctx context.Context, ids []int64) error
	PruneOutbox(ctx context.Context) error
}

// Invalidate implements invalidation.Invalidator: it applies a committed
// write's invalidations before the write returns. When Redis cannot take
// them, this instance stops trusting the cache until the relay has applied
// them, and the relays of the other instances, woken by the write's
// NOTIFY, apply them too.
func (c *Cache) Invalidate(ctx context.Context, events []invalidation.Event) {
	if len(events) == 0 {
		return
	}
	if err := c.apply(ctx, events); err != nil {
		c.distrust()
		c.log.WarnContext(ctx, "invalidations left to the relay", "events", len(events), "err", err)
		return
	}
	if err := c.db.MarkApplied(context.WithoutCancel(ctx), outboxIDs(events)); err != nil {
		// Applied but not marked: the relay applies them again, harmlessly.
		c.log.WarnContext(ctx, "mark invalidations applied", "err", err)
	}
}

func outboxIDs(events []invalidation.Event) []int64 {
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.OutboxID
	}
	return ids
}

// invalidated maps each deleting kind of event to the keys it deletes, and
// says whether those entries are built from others (user contexts from role
// permissions; dashboards hold chart definitions and generations).
var invalidated = map[invalidation.Kind]struct {
	segment string
	derived bool
}{
	invalidation.UserRecord:      {segUser, false},
	invalidation.RolePermissions: {segRolePermissions, false},
	invalidation.RefreshSession:  {segSession, false},
	invalidation.Chart:           {segChartDefinition, false},
	invalidation.DataSource:      {segGeneration, false},
	invalidation.UserContext:     {segUserContext, true},
	invalidation.Dashboard:       {segDashboard, true},
}

// apply deletes the invalidated keys and writes revoked tokens through.
// Entries that others are built from go in a first round trip, the entries
// built from them in a second: on a Cluster one pipeline runs on several
// nodes at once, and a context rebuilt between the two deletes must not
// read the old role permissions.
func (c *Cache) apply(ctx context.Context, events []invalidation.Event) error {
	// An invalidation must land even when the write's request has just
	// been cancelled.
	ctx = context.WithoutCancel(ctx)
	var sources, derived []string
	var sets []entry
	for _, e := range events {
		c.metrics.invalidations.WithLabelValues(e.Reason).Inc()
		if e.Kind == invalidation.TokenRevoked {
			if ttl := time.Until(e.Until); ttl > 0 {
				sets = append(sets, entry{key{c.keyOf(segRevoked, e.Key), kindRevoked}, encodeFlag(true), ttl})
			}
			continue
		}
		k, ok := invalidated[e.Kind]
		switch {
		case !ok:
			c.log.ErrorContext(ctx, "invalidation of an unknown kind", "kind", e.Kind)
		case k.derived:
			derived = append(derived, c.keyOf(k.segment, e.Key))
		default:
			sources = append(sources, c.keyOf(k.segment, e.Key))
		}
	}
	if len(sources) > 0 && len(derived) > 0 {
		c.countTrips(ctx, 1)
		if err := c.store.apply(ctx, sources, sets); err != nil {
			return err
		}
		sources, sets = nil, nil
	}
	c.countTrips(ctx, 1)
	return c.store.apply(ctx, append(sources, derived...), sets)
}

// distrust stops serving from the cache until the relay has caught up.
func (c *Cache) distrust() {
	c.trusted.Store(false)
	c.metrics.trusted.Set(0)
	c.Wake()
}

// Wake asks the relay to run now.
func (c *Cache) Wake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Relay runs until ctx is done: it applies the invalidations left in the
// outbox (after a Redis failure, or a crash between commit and apply),
// when woken and every few seconds, and marks the cache trusted once none
// is left. It also prunes the outbox hourly.
func (c *Cache) Relay(ctx context.Context) {
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		interval := 5 * time.Second
		if err := c.drain(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			c.log.DebugContext(ctx, "invalidation relay", "err", err)
			interval = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-prune.C:
			if err := c.db.PruneOutbox(ctx); err != nil {
				c.log.WarnContext(ctx, "prune outbox", "err", err)
			}
		case <-time.After(interval):
		}
	}
}

// drain applies every pending invalidation. It checks that the store
// answers first, so that an instance trusts it again only when it can reach it.
func (c *Cache) drain(ctx context.Context) error {
	if err := c.store.ping(ctx); err != nil {
		c.distrust()
		return err
	}
	for {
		events, err := c.db.PendingInvalidations(ctx, 500)
		if err != nil {
			return err
		}
		c.metrics.pending.Set(float64(len(events)))
		if len(events) == 0 {
			break
		}
		if err := c.apply(ctx, events); err != nil {
			c.distrust()
			return err
		}
		if err := c.db.MarkApplied(ctx, outboxIDs(events)); err != nil {
			return err
		}
	}
	if !c.trusted.Swap(true) {
		c.log.InfoContext(ctx, "cache trusted: every invalidation is applied")
	}
	c.metrics.trusted.Set(1)
	return nil
}
