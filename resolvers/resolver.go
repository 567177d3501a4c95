// Package resolvers holds the GraphQL resolvers: thin functions that check
// arguments, call the services and loaders, and return domain types that
// gqlgen marshals directly.
package resolvers

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/cache"
	"github.com/dashgraph/dashgraph/graph/model"
	"github.com/dashgraph/dashgraph/loaders"
	"github.com/dashgraph/dashgraph/rbac"
)

// Resolver is the dependency-injection point of the GraphQL layer.
type Resolver struct {
	Auth      *auth.Service
	Analytics *analytics.Service
	Admin     *admin.Service
	Cache     *cache.Cache
}

// as runs fn for the signed-in user, after their token has been checked
// against revocation.
func as[T any](ctx context.Context, fn func(u *rbac.UserContext) (T, error)) (T, error) {
	u, err := loaders.Viewer(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(u)
}

// signedIn returns the principal of a request whose token is still good.
func signedIn(ctx context.Context) (auth.Principal, error) {
	if _, err := loaders.Viewer(ctx); err != nil {
		return auth.Principal{}, err
	}
	p, _ := auth.PrincipalFrom(ctx)
	return p, nil
}

// done is the result of a mutation that answers true when it succeeded.
func done(err error) (bool, error) { return err == nil, err }

func ptr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func payload(s *auth.Session) *model.AuthPayload {
	return &model.AuthPayload{
		AccessToken:           s.AccessToken,
		AccessTokenExpiresAt:  s.AccessExpiresAt,
		RefreshToken:          s.RefreshToken,
		RefreshTokenExpiresAt: s.RefreshExpiresAt,
		TokenType:             "Bearer",
	}
}

func payloadOf(s *auth.Session, err error) (*model.AuthPayload, error) {
	if err != nil {
		return nil, err
	}
	return payload(s), nil
}

// selects reports whether the current field's selection asks for a field.
func selects(ctx context.Context, field string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == field {
			return true
		}
	}
	return false
}

// cacheStats maps the cache layer's counters to the API's.
func cacheStats(ctx context.Context, c *cache.Cache) *model.CacheStats {
	out := &model.CacheStats{Trusted: c.Trusted()}
	if n, err := c.UsedMemory(ctx); err == nil {
		m := int(n)
		out.UsedMemoryBytes = &m
	}
	for _, k := range c.Stats() {
		s := model.CacheKindStats{
			Cache: model.CacheName(strings.ToUpper(k.Cache)), Hits: int(k.Hits), Misses: int(k.Misses),
			LeaseWaits: int(k.LeaseWaits), Errors: int(k.Errors), Fills: int(k.Fills),
		}
		if k.Fills > 0 {
			s.MeanEntryBytes = int(k.FillBytes / k.Fills)
		}
		if total := k.Hits + k.Misses; total > 0 {
			s.HitRate = float64(k.Hits) / float64(total)
		}
		out.Caches = append(out.Caches, s)
	}
	return out
}
