package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/cost"
	"github.com/dashgraph/dashgraph/graph"
	"github.com/dashgraph/dashgraph/resolvers"
)

// Complexity weights. A dashboard is assumed to hold up to maxCharts charts
// and computing a chart's data weighs chartDataWeight fields, so one
// dashboard query with every chart's data weighs about 360: a 20-chart
// dashboard passes the default limit of 1000, while thousands of charts
// asked for through aliases do not.
const (
	maxCharts       = 20
	maxDashboards   = 5
	chartDataWeight = 10
	parserTokens    = 50000
)

func newGraphQL(cfg Config, log *slog.Logger, queries graphql.Cache[*ast.QueryDocument], r *resolvers.Resolver) http.Handler {
	c := graph.Config{Resolvers: r}
	c.Complexity.Dashboard.Charts = func(child int) int { return maxCharts * child }
	c.Complexity.Query.Dashboards = func(child int) int { return maxDashboards * child }
	c.Complexity.Chart.Data = func(child int) int { return chartDataWeight + child }
	c.Complexity.Query.ChartData = func(child int, _ analytics.ChartConfig) int { return chartDataWeight + child }

	srv := handler.New(graph.NewExecutableSchema(c))
	srv.AddTransport(postJSON{})
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(parserTokens)
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return errors.New("panic in resolver")
	})
	if cfg.DevMode {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	srv.Use(costExtension{})
	srv.Use(metricsExtension{})
	return srv
}

var graphqlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "dashgraph_graphql_operation_duration_seconds",
	Help:    "GraphQL operations, by type and first root field (dashboard, login, ...), and whether they had errors.",
	Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
}, []string{"type", "field", "errors"})

// metricsExtension times every GraphQL operation. It labels by the first
// root field, a name from the schema, not by the client-chosen operation
// name, so the number of series stays bounded.
type metricsExtension struct{}

func (metricsExtension) ExtensionName() string                          { return "Metrics" }
func (metricsExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

func (metricsExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	typ, field := "invalid", "invalid"
	if graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil {
			typ = string(op.Operation)
			if len(op.SelectionSet) > 0 {
				if f, ok := op.SelectionSet[0].(*ast.Field); ok {
					field = f.Name
				}
			}
		}
	}
	hadErrors := "false"
	if resp != nil && len(resp.Errors) > 0 {
		hadErrors = "true"
	}
	graphqlDuration.WithLabelValues(typ, field, hadErrors).Observe(time.Since(start).Seconds())
	return resp
}

// presentError gives every GraphQL error an extensions.code. Errors the
// application raised keep their message; gqlgen's parse and validation
// errors are BAD_USER_INPUT; anything else is logged and answered as
// INTERNAL with a fixed message.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			gqlErr.Message = e.Message
			gqlErr.Extensions = map[string]any{"code": e.Code}
			if e.RetryAfter > 0 {
				gqlErr.Extensions["retryAfter"] = int(e.RetryAfter.Seconds() + 0.999)
			}
			return gqlErr
		}
		if gqlErr.Err == nil {
			switch gqlErr.Extensions["code"] {
			case errcode.ParseFailed, errcode.ValidationFailed:
				gqlErr.Extensions["code"] = apperr.BadUserInput
				return gqlErr
			case string(apperr.ComplexityExceeded):
				return gqlErr
			}
		}
		log.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
		return &gqlerror.Error{
			Message:    apperr.InternalMessage,
			Path:       gqlErr.Path,
			Extensions: map[string]any{"code": apperr.Internal},
		}
	}
}

// costExtension adds extensions.cost to every GraphQL response: the
// Postgres queries, Redis round trips, cache hits and misses of the request.
type costExtension struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = costExtension{}

func (costExtension) ExtensionName() string                          { return "Cost" }
func (costExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

func (costExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost.From(ctx).Snapshot()
	return resp
}

// graphiQL serves the GraphiQL playground (dev mode only).
func graphiQL() http.Handler {
	return playground.Handler("dashgraph", "/graphql")
}
