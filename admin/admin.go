// Package admin holds the administrative writes: users, role grants,
// memberships, roles, organizations, dashboards, chart definitions and data
// loads. Every write is checked against the actor's permissions, validated,
// run in one transaction that records the cache invalidations it causes,
// audited, and has its invalidations applied before it returns.
package admin

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/rbac"
)

// User is a user account.
type User struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	IsActive  bool      `json:"isActive"`
	CreatedAt time.Time `json:"createdAt"`
}

// Role is a named set of permissions.
type Role struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	OrganizationID *int64   `json:"organizationId"`
	IsSystem       bool     `json:"isSystem"`
	Permissions    []string `json:"permissions"`
}

// Permission is resource:action:scope.
type Permission struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// DataSource is a loaded data set.
type DataSource struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Generation int64     `json:"generation"`
	LoadedAt   time.Time `json:"loadedAt"`
}

// Page is one page of a keyset-paginated list, ordered by id.
type Page[T any] struct {
	Nodes    []T      `json:"nodes"`
	PageInfo PageInfo `json:"pageInfo"`
}

// The pages of each list, as named types for the GraphQL binding.
type (
	UserPage         Page[User]
	RolePage         Page[Role]
	PermissionPage   Page[Permission]
	OrganizationPage Page[rbac.Organization]
)

// PageInfo says where a page ends.
type PageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// Service performs administrative writes for an actor.
type Service struct {
	store Store
	inv   invalidation.Invalidator
	log   *slog.Logger
	now   func() time.Time
	// hash hashes a new user's password.
	hash func(string) (string, error)
}

// NewService returns the admin service.
func NewService(store Store, inv invalidation.Invalidator, hash func(string) (string, error), audit *slog.Logger) *Service {
	return &Service{store: store, inv: inv, log: audit, now: time.Now, hash: hash}
}

// write is the one path every administrative write takes: run it in the
// store's transaction, which records its invalidations in the outbox, and
// apply its invalidations before returning.
func (s *Service) write(ctx context.Context, fn func() ([]invalidation.Event, error)) error {
	events, err := fn()
	if err != nil {
		return err
	}
	s.inv.Invalidate(ctx, events)
	return nil
}

// audit logs the one audit line of an administrative action, denied and
// failed ones included; every write method defers it with its error.
func (s *Service) audit(ctx context.Context, actor *rbac.UserContext, action, target string, err *error) {
	result := "ok"
	if *err != nil {
		result = string(apperr.CodeOf(*err))
	}
	s.log.InfoContext(ctx, "audit", "actor", actor.UserID, "action", action, "target", target, "result", result)
}

// reach is how far an actor's manage permission goes: everywhere, or the
// organizations an organization-scoped grant reaches.
type reach struct {
	all  bool
	orgs map[int64]bool
}

func (r reach) has(orgID int64) bool { return r.all || r.orgs[orgID] }

// hasOptional is has for an owner that may be null: null (shared with
// everyone, or system-owned) is reached only by the all scope.
func (r reach) hasOptional(orgID *int64) bool {
	if orgID == nil {
		return r.all
	}
	return r.has(*orgID)
}

// reachOf returns how far the actor may manage a resource, or FORBIDDEN.
func reachOf(actor *rbac.UserContext, resource string) (reach, error) {
	allPerm, orgPerm := resource+":manage:all", resource+":manage:organization"
	if actor.Has(allPerm) {
		return reach{all: true}, nil
	}
	if actor.Has(orgPerm) {
		r := reach{orgs: map[int64]bool{}}
		for _, id := range actor.OrganizationsFor(orgPerm) {
			r.orgs[id] = true
		}
		return r, nil
	}
	return reach{}, apperr.Errorf(apperr.Forbidden, "this needs %s or %s", orgPerm, allPerm)
}

// asInput turns a lookup's NOT_FOUND into BAD_USER_INPUT: an unknown id in
// a write's input is bad input.
func asInput(err error) error {
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.New(apperr.BadUserInput, apperr.MessageOf(err))
	}
	return err
}

func forbidden(format string, args ...any) error {
	return apperr.Errorf(apperr.Forbidden, format, args...)
}

func badInput(format string, args ...any) error {
	return apperr.Errorf(apperr.BadUserInput, format, args...)
}

const (
	defaultPageSize = 50
	maxPageSize     = 100
)

// pageArgs checks pagination arguments and decodes the cursor.
func pageArgs(first *int, after *string) (limit int, afterID int64, err error) {
	limit = defaultPageSize
	if first != nil {
		limit = *first
	}
	if limit < 1 || limit > maxPageSize {
		return 0, 0, badInput("first must be between 1 and %d", maxPageSize)
	}
	if after != nil && *after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*after)
		if err == nil {
			afterID, err = strconv.ParseInt(string(raw), 10, 64)
		}
		if err != nil || afterID < 0 {
			return 0, 0, badInput("cursor %q is not one this API gave out", *after)
		}
	}
	return limit, afterID, nil
}

// page cuts a list fetched with limit+1 rows into a page.
func page[T any](items []T, limit int, id func(T) int64) Page[T] {
	p := Page[T]{Nodes: items}
	if len(items) > limit {
		p.Nodes, p.PageInfo.HasNextPage = items[:limit], true
	}
	if p.Nodes == nil {
		p.Nodes = []T{}
	}
	if n := len(p.Nodes); n > 0 {
		c := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id(p.Nodes[n-1]), 10)))
		p.PageInfo.EndCursor = &c
	}
	return p
}

// validChart normalizes a chart configuration for storage.
func validChart(cfg analytics.ChartConfig) (analytics.ChartConfig, error) {
	n, err := cfg.Normalize()
	if err != nil {
		return cfg, fmt.Errorf("chart configuration: %w", err)
	}
	return n, nil
}
