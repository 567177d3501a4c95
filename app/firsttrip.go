package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql/handler/lru"
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
		shape := inspect(r)
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

// parsedQueries keeps parsed query documents by their text: a dashboard
// sends the same query every time.
var parsedQueries = lru.New[*ast.QueryDocument](1000)

// inspect reads a GraphQL request's body (bounded by jsonBody before) and
// leaves it for the handler. Anything it cannot read is left to the
// handler, which answers it properly.
func inspect(r *http.Request) requestShape {
	if r.Method != http.MethodPost || r.Body == nil {
		return requestShape{}
	}
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if err != nil || json.Unmarshal(body, &req) != nil {
		return requestShape{}
	}
	ctx := context.Background()
	doc, ok := parsedQueries.Get(ctx, req.Query)
	if !ok {
		if doc, err = parser.ParseQuery(&ast.Source{Input: req.Query}); err != nil {
			return requestShape{}
		}
		parsedQueries.Add(ctx, req.Query, doc)
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
	case float64:
		return strconv.FormatInt(int64(v), 10)
	}
	return ""
}
