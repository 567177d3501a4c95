package cache

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/rbac"
)

// Analytics is analytics.Store with dashboards (with their chart
// definitions), chart definitions and data source generations cached.
type Analytics struct {
	analytics.Store
	c *Cache
}

// Dashboard implements analytics.Store.
func (a *Analytics) Dashboard(ctx context.Context, id int64) (*analytics.Dashboard, error) {
	return loadOne(ctx, a.c, kindDashboard, a.c.keyID(segDashboard, id), dashboardTTL, func() (*analytics.Dashboard, error) {
		return a.Store.Dashboard(ctx, id)
	})
}

// Chart implements analytics.Store.
func (a *Analytics) Chart(ctx context.Context, id int64) (*analytics.Chart, error) {
	return loadOne(ctx, a.c, kindChartDefinition, a.c.keyID(segChartDefinition, id), dashboardTTL, func() (*analytics.Chart, error) {
		return a.Store.Chart(ctx, id)
	})
}

// Generation implements analytics.Store.
func (a *Analytics) Generation(ctx context.Context, dataSourceID int64) (int64, error) {
	return loadOne(ctx, a.c, kindGeneration, a.c.keyID(segGeneration, dataSourceID), dashboardTTL, func() (int64, error) {
		return a.Store.Generation(ctx, dataSourceID)
	})
}

// chartPlanner is the analytics service: it plans charts and computes
// the data of plans in one batch.
type chartPlanner interface {
	Plan(u *rbac.UserContext, c *analytics.Chart) (*analytics.Plan, error)
	Run(ctx context.Context, plans []*analytics.Plan) ([]*analytics.ChartData, []error)
}

// Charts computes chart data through the chart-data cache: every chart of
// a batch is looked up in one round trip, the misses computed in one
// Postgres batch, and the leased ones filled in one more round trip, each
// with the TTL of its date range's freshness.
type Charts struct {
	chartPlanner
	c *Cache
}

// Run computes the data of plans, by index.
func (ch *Charts) Run(ctx context.Context, plans []*analytics.Plan) ([]*analytics.ChartData, []error) {
	if !ch.c.on(ctx, kindChartData) {
		return ch.chartPlanner.Run(ctx, plans)
	}
	names := make([]string, len(plans))
	for i, p := range plans {
		names[i] = ch.c.keyOf(segChartData, p.Key())
	}
	res := load(ctx, ch.c, kindChartData, names, chartCodec,
		func(i int, _ *analytics.ChartData) time.Duration { return plans[i].TTL() },
		func(missing []int) ([]*analytics.ChartData, []error) {
			want := make([]*analytics.Plan, len(missing))
			for j, i := range missing {
				want[j] = plans[i]
			}
			return ch.chartPlanner.Run(ctx, want)
		}, true)
	out := make([]*analytics.ChartData, len(plans))
	errs := make([]error, len(plans))
	for i, r := range res {
		out[i], errs[i] = r.value, r.err
		if r.fromCache && r.value != nil {
			// The decoded value may be shared by concurrent requests:
			// mark a copy.
			d := *r.value
			d.FromCache = true
			out[i] = &d
		}
	}
	return out, errs
}

// chartEntry is chart data as cached: short field names, no response-only
// fields. Redis memory is what the plan pays for.
type chartEntry struct {
	Labels   []string       `json:"l"`
	Datasets []datasetEntry `json:"d"`
	Start    string         `json:"s"`
	End      string         `json:"e"`
}

type datasetEntry struct {
	Label    string              `json:"l"`
	Data     []*float64          `json:"v"`
	Color    string              `json:"c"`
	Colors   []string            `json:"cs,omitempty"`
	RenderAs analytics.ChartType `json:"r"`
	Axis     analytics.Axis      `json:"a"`
}

var chartCodec = codec[*analytics.ChartData]{
	encode: func(d *analytics.ChartData) ([]byte, error) {
		e := chartEntry{Labels: d.Labels, Start: d.Start, End: d.End, Datasets: make([]datasetEntry, len(d.Datasets))}
		for i, ds := range d.Datasets {
			e.Datasets[i] = datasetEntry(ds)
		}
		return json.Marshal(e)
	},
	decode: func(b []byte) (*analytics.ChartData, error) {
		var e chartEntry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, err
		}
		d := &analytics.ChartData{Labels: e.Labels, Start: e.Start, End: e.End, Datasets: make([]analytics.Dataset, len(e.Datasets))}
		for i, ds := range e.Datasets {
			d.Datasets[i] = analytics.Dataset(ds)
		}
		if d.Labels == nil {
			d.Labels = []string{}
		}
		return d, nil
	},
}
