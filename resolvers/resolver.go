// Package resolvers holds the GraphQL resolvers: thin functions that check
// arguments, call the services and loaders, and return domain types that
// gqlgen marshals directly.
package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/graph/model"
	"github.com/dashgraph/dashgraph/loaders"
	"github.com/dashgraph/dashgraph/rbac"
)

// Resolver is the dependency-injection point of the GraphQL layer.
type Resolver struct {
	Auth      *auth.Service
	Analytics *analytics.Service
	Admin     *admin.Service
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
