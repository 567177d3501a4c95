// Package loaders holds the request-scoped dataloaders. Middleware builds a
// fresh set for every request, so nothing loaded for one caller is ever
// seen by another; within the request, the viewer (token check and user
// context) is resolved once however many fields need it, and the data of all
// charts asked for together is computed in one batch.
package loaders

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/rbac"
)

// Authenticator checks a verified token and returns its user's context.
type Authenticator interface {
	Authenticate(ctx context.Context, p auth.Principal) (*rbac.UserContext, error)
}

// Charts plans charts for a user and computes the data of several plans at once.
type Charts interface {
	Plan(u *rbac.UserContext, c *analytics.Chart) (*analytics.Plan, error)
	Run(ctx context.Context, plans []*analytics.Plan) ([]*analytics.ChartData, []error)
}

// UserContexts builds the contexts of several users at once.
type UserContexts interface {
	UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error)
}

// Dashboards returns a dashboard the user may see.
type Dashboards interface {
	Dashboard(ctx context.Context, u *rbac.UserContext, id int64) (*analytics.Dashboard, error)
}

// Config holds what the loaders are built from.
type Config struct {
	Auth       Authenticator
	Charts     Charts
	Contexts   UserContexts
	Dashboards Dashboards
	// Batching, when false, computes every chart on its own (the plan's
	// ENABLE_BATCHING flag, for comparisons).
	Batching bool
}

// Loaders are one request's loaders.
type Loaders struct {
	cfg       Config
	viewer    func() (*rbac.UserContext, error)
	contexts  *dataloader.Loader[int64, *rbac.UserContext]
	chartData *dataloader.Loader[string, *analytics.ChartData]
	// plans maps chart keys to their plans, for the batch function.
	plans sync.Map
	// chartPlans memoizes the viewer's plan of each chart id: the dashboard
	// resolver and each chart's data resolver plan the same chart.
	chartPlans sync.Map
}

type ctxKey struct{}

const (
	// inputCapacity is how many loads a batch takes before a load waits
	// for the batcher to drain them: more than a dashboard's charts.
	inputCapacity = 32
	// batchWait is how long a batch waits for more keys when it is not
	// flushed at once (the dashboard's charts are): a few aliased chart
	// fields, say.
	batchWait = 2 * time.Millisecond
)

// Middleware puts a fresh set of loaders in every request's context. It
// must run after the auth middleware, which provides the principal.
func Middleware(cfg Config) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), ctxKey{}, New(r.Context(), cfg))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// New builds one request's loaders.
func New(ctx context.Context, cfg Config) *Loaders {
	l := &Loaders{cfg: cfg}
	l.viewer = sync.OnceValues(func() (*rbac.UserContext, error) {
		p, ok := auth.PrincipalFrom(ctx)
		if !ok {
			return nil, auth.ErrNoToken
		}
		return cfg.Auth.Authenticate(ctx, p)
	})
	// A batcher's input channel has room for inputCapacity loads; the
	// default, 1,000, allocates 8 KB per batch, per request.
	opts := []dataloader.Option[string, *analytics.ChartData]{
		dataloader.WithWait[string, *analytics.ChartData](batchWait),
		dataloader.WithInputCapacity[string, *analytics.ChartData](inputCapacity),
	}
	if !cfg.Batching {
		opts = append(opts, dataloader.WithBatchCapacity[string, *analytics.ChartData](1))
	}
	l.chartData = dataloader.NewBatchedLoader(l.runCharts, opts...)
	l.contexts = dataloader.NewBatchedLoader(contextsBatch(cfg.Contexts),
		dataloader.WithWait[int64, *rbac.UserContext](batchWait),
		dataloader.WithInputCapacity[int64, *rbac.UserContext](inputCapacity))
	return l
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	return ctx.Value(ctxKey{}).(*Loaders)
}

// Viewer returns the signed-in user's context, checking the token against
// revocation once per request. UNAUTHENTICATED without a valid token.
func Viewer(ctx context.Context) (*rbac.UserContext, error) {
	return For(ctx).viewer()
}

// Dashboard returns a dashboard for the viewer.
func Dashboard(ctx context.Context, id int64) (*analytics.Dashboard, error) {
	l := For(ctx)
	u, err := l.viewer()
	if err != nil {
		return nil, err
	}
	return l.cfg.Dashboards.Dashboard(ctx, u, id)
}

// UserContext returns any user's context, batched with the other users'
// of the request (a page of users and their roles is one query).
func UserContext(ctx context.Context, userID int64) (*rbac.UserContext, error) {
	return For(ctx).contexts.Load(ctx, userID)()
}

func contextsBatch(store UserContexts) dataloader.BatchFunc[int64, *rbac.UserContext] {
	return func(ctx context.Context, ids []int64) []*dataloader.Result[*rbac.UserContext] {
		out := make([]*dataloader.Result[*rbac.UserContext], len(ids))
		contexts, err := store.UserContexts(ctx, ids)
		for i, id := range ids {
			switch {
			case err != nil:
				out[i] = &dataloader.Result[*rbac.UserContext]{Error: err}
			case contexts[id] == nil:
				out[i] = &dataloader.Result[*rbac.UserContext]{Error: fmt.Errorf("user %d has no context", id)}
			default:
				out[i] = &dataloader.Result[*rbac.UserContext]{Data: contexts[id]}
			}
		}
		return out
	}
}

func (l *Loaders) runCharts(ctx context.Context, keys []string) []*dataloader.Result[*analytics.ChartData] {
	plans := make([]*analytics.Plan, len(keys))
	for i, k := range keys {
		p, _ := l.plans.Load(k)
		plans[i] = p.(*analytics.Plan)
	}
	data, errs := l.cfg.Charts.Run(ctx, plans)
	out := make([]*dataloader.Result[*analytics.ChartData], len(keys))
	for i := range keys {
		out[i] = &dataloader.Result[*analytics.ChartData]{Data: data[i], Error: errs[i]}
	}
	return out
}

// plan returns the viewer's plan of a chart, made once per request.
func (l *Loaders) plan(c *analytics.Chart) (*analytics.Plan, error) {
	if p, ok := l.chartPlans.Load(c.ID); ok {
		return p.(*analytics.Plan), nil
	}
	u, err := l.viewer()
	if err != nil {
		return nil, err
	}
	p, err := l.cfg.Charts.Plan(u, c)
	if err != nil {
		return nil, err
	}
	l.chartPlans.Store(c.ID, p)
	return p, nil
}

func (l *Loaders) load(ctx context.Context, p *analytics.Plan) dataloader.Thunk[*analytics.ChartData] {
	l.plans.LoadOrStore(p.Key(), p)
	return l.chartData.Load(ctx, p.Key())
}

// PrefetchCharts queues the data of charts and starts their batch at once.
// The dashboard resolver calls it with all its charts, so their data is one
// batch that never waits for a timer; each chart's data resolver then finds
// its result already on the way. A chart that cannot be planned is skipped
// here and reports its error from its own data resolver.
func PrefetchCharts(ctx context.Context, charts []analytics.Chart) {
	l := For(ctx)
	for i := range charts {
		if p, err := l.plan(&charts[i]); err == nil {
			l.load(ctx, p)
		}
	}
	l.chartData.Flush()
}

// ChartData returns a chart's data for the viewer, computed in a batch with
// the other charts of the request. Identical plans share one computation.
func ChartData(ctx context.Context, c *analytics.Chart) (*analytics.ChartData, error) {
	l := For(ctx)
	p, err := l.plan(c)
	if err != nil {
		return nil, err
	}
	return l.load(ctx, p)()
}

// PlannedChartData returns the data of a plan made outside the loaders (an
// ad hoc chart), batched with the request's other charts.
func PlannedChartData(ctx context.Context, p *analytics.Plan) (*analytics.ChartData, error) {
	return For(ctx).load(ctx, p)()
}
