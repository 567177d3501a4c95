// Package resolvers holds the GraphQL resolvers: thin functions that check
// arguments, call the services and loaders, and return domain types that
// gqlgen marshals directly.
package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
)

// Resolver is the dependency-injection point of the GraphQL layer.
type Resolver struct {
	Auth      *auth.Service
	Analytics *analytics.Service
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
