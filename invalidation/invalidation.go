// Package invalidation names the cached facts a write makes stale. Every
// write of the identity, RBAC and analytics stores returns the events it
// causes; they are recorded in the Postgres outbox in the write's own
// transaction and applied to the cache before the write returns.
package invalidation

import (
	"context"
	"strconv"
	"time"
)

// Kind is a kind of cached fact.
type Kind string

// The cached facts writes invalidate.
const (
	// UserRecord is a user's record (active flag, tokens_valid_after).
	UserRecord Kind = "user"
	// UserContext is a user's roles, permissions, organizations and scope.
	UserContext Kind = "user_context"
	// RolePermissions is the permission list of a role.
	RolePermissions Kind = "role_permissions"
	// TokenRevoked marks an access token revoked until it expires: the
	// one invalidation that writes ("revoked") instead of deleting.
	TokenRevoked Kind = "token_revoked"
	// RefreshSession is whether a refresh-session family is still live, by
	// family id: access tokens of a revoked family are refused.
	RefreshSession Kind = "refresh_session"
	// Dashboard is a dashboard with its chart definitions.
	Dashboard Kind = "dashboard"
	// Chart is a chart definition.
	Chart Kind = "chart"
	// DataSource is a data source's generation.
	DataSource Kind = "data_source"
)

// Event is one cached fact made stale by a write.
type Event struct {
	Kind Kind
	// Key identifies the fact: a user, role, dashboard, chart or data source
	// id, a token id, or a refresh token hash.
	Key string
	// Until is when a revoked token expires (TokenRevoked only).
	Until time.Time
	// OutboxID is the event's row in the outbox, once recorded.
	OutboxID int64
	// Reason is the write that caused the event, once recorded.
	Reason string
}

// ID returns an event about the fact with a numeric id.
func ID(kind Kind, id int64) Event { return Event{Kind: kind, Key: strconv.FormatInt(id, 10)} }

// Revoked returns the event of an access token revoked until it expires.
func Revoked(tokenID string, until time.Time) Event {
	return Event{Kind: TokenRevoked, Key: tokenID, Until: until}
}

// Invalidator applies recorded events to the cache. Invalidate returns once
// the events are applied or, when the cache cannot be reached, left to the
// outbox relay; it never fails a write that has committed.
type Invalidator interface {
	Invalidate(ctx context.Context, events []Event)
}
