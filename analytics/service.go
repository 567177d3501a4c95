// Package analytics turns chart configurations into chart data: it resolves
// date presets, builds parameterized SQL limited to the caller's data scope,
// and shapes the rows into labels and datasets. It also holds dashboards and
// chart definitions.
package analytics

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/rbac"
)

// Dashboard is a named, ordered set of charts.
type Dashboard struct {
	ID             int64
	Name           string
	Description    string
	OrganizationID *int64
	Charts         []Chart
}

// Chart is a chart definition: a name and a configuration.
type Chart struct {
	ID             int64
	Name           string
	Description    string
	Config         ChartConfig
	OrganizationID *int64
	Source         Source
}

// DefaultDataSourceID is the data source of ad hoc charts.
const DefaultDataSourceID = 1

// Store is the storage analytics reads.
type Store interface {
	// Dashboards lists every dashboard with its charts, in one query.
	Dashboards(ctx context.Context) ([]Dashboard, error)
	// Dashboard returns a dashboard with its charts in position order, in
	// one query. NOT_FOUND when there is none.
	Dashboard(ctx context.Context, id int64) (*Dashboard, error)
	// Chart returns one chart definition. NOT_FOUND when there is none.
	Chart(ctx context.Context, id int64) (*Chart, error)
	// Generation returns a data source's generation. NOT_FOUND when there is none.
	Generation(ctx context.Context, dataSourceID int64) (int64, error)
	// ChartRows runs the queries in one batch and returns each one's rows
	// or error, by index.
	ChartRows(ctx context.Context, queries []Query) ([][]Row, []error)
	// AddDashboardViews adds to dashboards' view counts.
	AddDashboardViews(ctx context.Context, views map[int64]int64) error
}

// Service answers dashboard and chart questions for a user.
type Service struct {
	store Store
	loc   *time.Location
	now   func() time.Time
	// views counts dashboard views in memory; RecordViews adds them to
	// Postgres in batches, off the request path.
	viewsMu sync.Mutex
	views   map[int64]int64
}

// NewService returns the analytics service. Date presets are resolved in loc.
func NewService(store Store, loc *time.Location) *Service {
	return &Service{store: store, loc: loc, now: time.Now, views: map[int64]int64{}}
}

// RecordViews adds the counted dashboard views to Postgres every interval
// until ctx is done, and once more at the end.
func (s *Service) RecordViews(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flushViews(context.WithoutCancel(ctx), log)
			return
		case <-t.C:
			s.flushViews(ctx, log)
		}
	}
}

func (s *Service) flushViews(ctx context.Context, log *slog.Logger) {
	s.viewsMu.Lock()
	views := s.views
	s.views = map[int64]int64{}
	s.viewsMu.Unlock()
	if len(views) == 0 {
		return
	}
	if err := s.store.AddDashboardViews(ctx, views); err != nil {
		log.WarnContext(ctx, "record dashboard views", "err", err)
	}
}

// visible reports whether a dashboard or chart owned by orgID is shared
// with the user: unowned ones are shared with every analytics reader.
func visible(u *rbac.UserContext, orgID *int64) bool {
	if orgID == nil || u.Has(rbac.AnalyticsReadAll) {
		return true
	}
	return u.CanAccessOrganization(rbac.AnalyticsReadOrganization, *orgID)
}

// Dashboards lists the dashboards the user may open.
func (s *Service) Dashboards(ctx context.Context, u *rbac.UserContext) ([]Dashboard, error) {
	if err := u.RequireAnalytics(); err != nil {
		return nil, err
	}
	all, err := s.store.Dashboards(ctx)
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	return slices.DeleteFunc(all, func(d Dashboard) bool { return !visible(u, d.OrganizationID) }), nil
}

// Dashboard returns a dashboard and its charts. A dashboard the user may not
// see is NOT_FOUND, as if it did not exist.
func (s *Service) Dashboard(ctx context.Context, u *rbac.UserContext, id int64) (*Dashboard, error) {
	if err := u.RequireAnalytics(); err != nil {
		return nil, err
	}
	d, err := s.store.Dashboard(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(u, d.OrganizationID) {
		return nil, apperr.Errorf(apperr.NotFound, "dashboard %d does not exist", id)
	}
	s.viewsMu.Lock()
	s.views[id]++
	s.viewsMu.Unlock()
	return d, nil
}

// Chart returns a chart definition the user may see.
func (s *Service) Chart(ctx context.Context, u *rbac.UserContext, id int64) (*Chart, error) {
	if err := u.RequireAnalytics(); err != nil {
		return nil, err
	}
	c, err := s.store.Chart(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(u, c.OrganizationID) {
		return nil, apperr.Errorf(apperr.NotFound, "chart %d does not exist", id)
	}
	return c, nil
}

// Plan resolves a chart for the user, today. A stored configuration that no
// longer validates fails this chart alone.
func (s *Service) Plan(u *rbac.UserContext, c *Chart) (*Plan, error) {
	if err := u.RequireAnalytics(); err != nil {
		return nil, err
	}
	cfg, err := c.Config.Normalize()
	if err != nil {
		return nil, fmt.Errorf("chart %d has a configuration that is no longer valid: %w", c.ID, err)
	}
	return NewPlan(cfg, u.AnalyticsScope(), c.Source, Today(s.now(), s.loc))
}

// PlanAdHoc resolves a configuration that is not stored, for the user, today.
func (s *Service) PlanAdHoc(ctx context.Context, u *rbac.UserContext, cfg ChartConfig) (*Plan, error) {
	if err := u.RequireAnalytics(); err != nil {
		return nil, err
	}
	cfg, err := cfg.Normalize()
	if err != nil {
		return nil, err
	}
	gen, err := s.store.Generation(ctx, DefaultDataSourceID)
	if err != nil {
		return nil, err
	}
	src := Source{DataSourceID: DefaultDataSourceID, Generation: gen}
	return NewPlan(cfg, u.AnalyticsScope(), src, Today(s.now(), s.loc))
}

// Run computes the data of several plans with one batch of queries. Plans
// with the same key are computed once. Results and errors are by index.
func (s *Service) Run(ctx context.Context, plans []*Plan) ([]*ChartData, []error) {
	out := make([]*ChartData, len(plans))
	errs := make([]error, len(plans))
	var queries []Query
	seen := make(map[string]int, len(plans))
	for _, p := range plans {
		if _, ok := seen[p.Key()]; ok {
			continue
		}
		seen[p.Key()] = -1
		// A caller whose scope holds no practice sees empty charts; there
		// is nothing to ask the database.
		if !p.Scope.All && len(p.Scope.Practices) == 0 {
			continue
		}
		seen[p.Key()] = len(queries)
		queries = append(queries, p.Query())
	}
	var rows [][]Row
	var rowErrs []error
	if len(queries) > 0 {
		rows, rowErrs = s.store.ChartRows(ctx, queries)
	}
	computed := make(map[string]*ChartData, len(seen))
	for i, p := range plans {
		key := p.Key()
		if d, ok := computed[key]; ok {
			out[i] = d
			continue
		}
		q := seen[key]
		switch {
		case q < 0:
			out[i] = p.Transform(nil)
		case rowErrs[q] != nil:
			errs[i] = fmt.Errorf("chart query: %w", rowErrs[q])
			continue
		default:
			out[i] = p.Transform(rows[q])
		}
		computed[key] = out[i]
	}
	return out, errs
}

// Type is how the chart is drawn.
func (c Chart) Type() ChartType { return c.Config.Type }

// Version is the chart definition's version.
func (c Chart) Version() int { return c.Source.Version }
