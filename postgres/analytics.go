package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/apperr"
)

// chartJSON is a chart definition as the dashboard query aggregates it.
type chartJSON struct {
	ID             int64           `json:"id"`
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Config         json.RawMessage `json:"config"`
	Version        int             `json:"version"`
	DataSourceID   int64           `json:"dataSourceId"`
	Generation     int64           `json:"generation"`
	OrganizationID *int64          `json:"organizationId"`
}

const chartJSONSQL = `json_build_object(
    'id', c.id, 'name', c.name, 'description', c.description, 'config', c.config,
    'version', c.version, 'dataSourceId', c.data_source_id, 'generation', ds.generation,
    'organizationId', c.organization_id)`

func (c chartJSON) chart() analytics.Chart {
	out := analytics.Chart{
		ID: c.ID, Name: c.Name, Description: c.Description, OrganizationID: c.OrganizationID,
		Source: analytics.Source{DataSourceID: c.DataSourceID, Generation: c.Generation, Version: c.Version},
	}
	// A stored configuration that does not decode is left empty: it fails
	// validation when the chart's data is planned, failing that chart alone.
	_ = json.Unmarshal(c.Config, &out.Config)
	return out
}

// dashboardsSQL selects dashboards with their charts (in position order)
// and each chart's data source generation; callers add the WHERE clause.
const dashboardsSQL = `
	SELECT d.id, d.name, d.description, d.organization_id,
	       coalesce(json_agg(` + chartJSONSQL + ` ORDER BY dc.position) FILTER (WHERE c.id IS NOT NULL), '[]')
	FROM dashboards d
	LEFT JOIN dashboard_charts dc ON dc.dashboard_id = d.id
	LEFT JOIN chart_definitions c ON c.id = dc.chart_definition_id
	LEFT JOIN data_sources ds ON ds.id = c.data_source_id
`

func scanDashboard(row pgx.Row) (analytics.Dashboard, error) {
	var d analytics.Dashboard
	var charts []chartJSON
	if err := row.Scan(&d.ID, &d.Name, &d.Description, &d.OrganizationID, &charts); err != nil {
		return d, err
	}
	d.Charts = make([]analytics.Chart, len(charts))
	for i, c := range charts {
		d.Charts[i] = c.chart()
	}
	return d, nil
}

// Dashboards implements analytics.Store: every dashboard with its charts,
// in one query.
func (db *DB) Dashboards(ctx context.Context) ([]analytics.Dashboard, error) {
	rows, err := db.Pool.Query(ctx, dashboardsSQL+`GROUP BY d.id ORDER BY d.name, d.id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (analytics.Dashboard, error) { return scanDashboard(row) })
}

// Dashboard implements analytics.Store: the dashboard and its charts in one query.
func (db *DB) Dashboard(ctx context.Context, id int64) (*analytics.Dashboard, error) {
	d, err := scanDashboard(db.Pool.QueryRow(ctx, dashboardsSQL+`WHERE d.id = $1 GROUP BY d.id`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.Errorf(apperr.NotFound, "dashboard %d does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Chart implements analytics.Store.
func (db *DB) Chart(ctx context.Context, id int64) (*analytics.Chart, error) {
	var c chartJSON
	err := db.Pool.QueryRow(ctx, `
		SELECT `+chartJSONSQL+`
		FROM chart_definitions c JOIN data_sources ds ON ds.id = c.data_source_id
		WHERE c.id = $1`, id,
	).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.Errorf(apperr.NotFound, "chart %d does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	chart := c.chart()
	return &chart, nil
}

// Generation implements analytics.Store.
func (db *DB) Generation(ctx context.Context, dataSourceID int64) (int64, error) {
	var g int64
	err := db.Pool.QueryRow(ctx, `SELECT generation FROM data_sources WHERE id = $1`, dataSourceID).Scan(&g)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.Errorf(apperr.NotFound, "data source %d does not exist", dataSourceID)
	}
	return g, err
}

// ChartRows implements analytics.Store with one pgx.Batch. A statement that
// fails aborts the rest of its batch on the server, so the statements after
// a failure are sent again in a new batch: one failing chart never fails
// another.
func (db *DB) ChartRows(ctx context.Context, queries []analytics.Query) ([][]analytics.Row, []error) {
	rows := make([][]analytics.Row, len(queries))
	errs := make([]error, len(queries))
	for start := 0; start < len(queries); {
		start = db.chartBatch(ctx, queries, start, rows, errs)
	}
	return rows, errs
}

// chartBatch runs queries[start:] as one batch and returns the index to
// resume from: len(queries) when all ran, else the one after the failure.
func (db *DB) chartBatch(ctx context.Context, queries []analytics.Query, start int, rows [][]analytics.Row, errs []error) int {
	batch := &pgx.Batch{}
	for _, q := range queries[start:] {
		batch.Queue(q.SQL, q.Args...)
	}
	results := db.Pool.SendBatch(ctx, batch)
	defer results.Close()
	for i := start; i < len(queries); i++ {
		r, err := results.Query()
		if err == nil {
			rows[i], err = pgx.CollectRows(r, scanChartRow)
		}
		if err != nil {
			errs[i] = fmt.Errorf("chart query: %w", err)
			if ctx.Err() != nil {
				for j := i + 1; j < len(queries); j++ {
					errs[j] = errs[i]
				}
				return len(queries)
			}
			return i + 1
		}
	}
	return len(queries)
}

func scanChartRow(row pgx.CollectableRow) (analytics.Row, error) {
	var r analytics.Row
	err := row.Scan(&r.MeasureID, &r.GroupKey, &r.GroupLabel, &r.Period, &r.Current, &r.Sum, &r.Count, &r.Min, &r.Max)
	return r, err
}

// AddDashboardViews adds view counts to dashboards.
func (db *DB) AddDashboardViews(ctx context.Context, views map[int64]int64) error {
	ids := make([]int64, 0, len(views))
	counts := make([]int64, 0, len(views))
	for id, n := range views {
		ids, counts = append(ids, id), append(counts, n)
	}
	_, err := db.Pool.Exec(ctx, `UPDATE dashboards d SET view_count = d.view_count + v.n
		FROM unnest($1::bigint[], $2::bigint[]) AS v(id, n) WHERE d.id = v.id`, ids, counts)
	return err
}

// MostViewedDashboards returns the ids of the n most viewed dashboards.
func (db *DB) MostViewedDashboards(ctx context.Context, n int) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id FROM dashboards ORDER BY view_count DESC, id LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
