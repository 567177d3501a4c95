package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/ratelimit"
)

// firstTrip makes a request's first Redis round trip before its handler
// runs: the request's rate limit checks and, in the same pipeline, the keys
// it reads first (its token check's and, for a dashboard query, the
// dashboard's). Limiting thus costs no round trip of its own, and a warm
// dashboard query makes two in all. A request over a limit ends here with
// 429; every response carries the RateLimit headers.
func (a *App) firstTrip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		shape := inspect(a.queries, paramsFrom(ctx))
		p, signedIn := auth.PrincipalFrom(ctx)
		var keys []string
		if signedIn {
			keys = a.cache.PrefetchKeys(ctx, p, shape.dashboardID)
		}
		if !a.cfg.RateLimit {
			a.cache.Prefetch(ctx, keys, nil)
			next.ServeHTTP(w, r)
			return
		}
		req := ratelimit.Request{Client: ratelimit.ClientIP(r, a.cfg.TrustedProxies), SignIn: shape.signIn, Account: shape.account}
		if signedIn {
			req.Who = p.UserID
		}
		decisions := a.limiter.Decide(ctx, a.cfg.RateLimits.Checks(req), func(queue func(redis.Pipeliner)) bool {
			return a.cache.Prefetch(ctx, keys, queue)
		})
		d := ratelimit.Binding(decisions)
		ratelimit.WriteHeaders(w.Header(), d)
		if !d.Allowed {
			writeError(w, r, http.StatusTooManyRequests, &apperr.Error{
				Code:       apperr.RateLimited,
				Message:    "Too many requests; retry after the time in extensions.retryAfter (seconds).",
				RetryAfter: d.RetryAfter,
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestShape is what the first round trip needs to know of a GraphQL
// request before it runs.
type requestShape struct {
	// signIn: a login or refreshToken mutation.
	signIn bool
	// account is the email a login targets.
	account string
	// dashboardID is the id of a dashboard(id:) query, or 0.
	dashboardID int64
}

// inspect reads what the first round trip needs of a GraphQL request, nil
// for other requests. It parses the query unless the handler has already
// parsed and validated it; it never adds to queries, which hold only
// validated documents. Anything it cannot read is left to the handler,
// which answers it properly.
func inspect(queries graphql.Cache[*ast.QueryDocument], req *graphql.RawParams) requestShape {
	if req == nil {
		return requestShape{}
	}
	doc, ok := queries.Get(context.Background(), req.Query)
	if !ok {
		var err error
		if doc, err = parser.ParseQueryWithTokenLimit(&ast.Source{Input: req.Query}, parserTokens); err != nil {
			return requestShape{}
		}
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil && len(doc.Operations) == 1 {
		op = doc.Operations[0]
	}
	var shape requestShape
	if op == nil {
		return shape
	}
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		switch {
		case op.Operation == ast.Mutation && f.Name == "refreshToken":
			shape.signIn = true
		case op.Operation == ast.Mutation && f.Name == "login":
			shape.signIn = true
			shape.account = argument(f, "email", req.Variables)
		case op.Operation == ast.Query && f.Name == "dashboard" && shape.dashboardID == 0:
			shape.dashboardID, _ = strconv.ParseInt(argument(f, "id", req.Variables), 10, 64)
		}
	}
	return shape
}

// argument is a field's argument as text: a literal, or a variable's value.
func argument(f *ast.Field, name string, vars map[string]any) string {
	a := f.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return ""
	}
	if a.Value.Kind != ast.Variable {
		return a.Value.Raw
	}
	switch v := vars[a.Value.Raw].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}
