package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dashgraph/dashgraph/seed"
)

// newDashboard stores a dashboard of the given charts (by name, seeded) and
// returns its id. Extra raw configs are stored as additional charts.
func newDashboard(t *testing.T, name string, chartNames []string, rawConfigs ...string) int64 {
	t.Helper()
	ctx := t.Context()
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO dashboards (name) VALUES ($1) RETURNING id`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	pos := 0
	for _, c := range chartNames {
		if _, err := pool.Exec(ctx, `INSERT INTO dashboard_charts (dashboard_id, position, chart_definition_id)
			SELECT $1, $2, id FROM chart_definitions WHERE name = $3`, id, pos, c); err != nil {
			t.Fatal(err)
		}
		pos++
	}
	for _, raw := range rawConfigs {
		var chartID int64
		if err := pool.QueryRow(ctx, `INSERT INTO chart_definitions (name, chart_type, config, data_source_id)
			VALUES ('raw chart', 'line', $1, 1) RETURNING id`, raw).Scan(&chartID); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO dashboard_charts (dashboard_id, position, chart_definition_id) VALUES ($1, $2, $3)`,
			id, pos, chartID); err != nil {
			t.Fatal(err)
		}
		pos++
	}
	return id
}

func seededChartNames(t *testing.T, n int) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT name FROM chart_definitions WHERE name <> 'raw chart' ORDER BY id LIMIT $1`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	if len(names) != n {
		t.Fatalf("only %d seeded charts", len(names))
	}
	return names
}

const dashboardQuery = `query($id: ID!) { dashboard(id: $id) { name charts { id name type data { ` + chartDataFields + ` } } } }`

// dashboardOn queries a dashboard on one instance and returns the
// response, failing on any error or chart without data.
func dashboardOn(t *testing.T, srv *httptest.Server, token string, id int64) (response, []chartData) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": dashboardQuery, "variables": map[string]any{"id": id}})
	r := postTo(t, srv, token, "application/json", body)
	var d struct {
		Dashboard struct{ Charts []struct{ Data *chartData } }
	}
	r.mustData(t, &d)
	var out []chartData
	for i, c := range d.Dashboard.Charts {
		if c.Data == nil {
			t.Fatalf("chart %d has no data", i)
		}
		out = append(out, *c.Data)
	}
	return r, out
}

func TestDashboardCostDoesNotGrowWithCharts(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	two := newDashboard(t, "two charts", seededChartNames(t, 2))
	twelve := newDashboard(t, "twelve charts", seededChartNames(t, 12))
	c2, _ := dashboardOn(t, noCache, token, two)
	c12, _ := dashboardOn(t, noCache, token, twelve)
	// Token check, user context, dashboard with charts, one batch for all data.
	if c2.Extensions.Cost.DBQueries != 4 || c12.Extensions.Cost.DBQueries != 4 {
		t.Fatalf("without the cache, 2 charts cost %d DB queries and 12 charts %d, want 4 and 4",
			c2.Extensions.Cost.DBQueries, c12.Extensions.Cost.DBQueries)
	}
}

func TestWarmDashboardIsServedFromTheCache(t *testing.T) {
	_, email := newUser(t, "bend-north", "analyst")
	token := signIn(t, email, testPassword).access
	id := newDashboard(t, "warm twelve", seededChartNames(t, 12))
	var flushed struct{ InvalidateCache int }
	post(t, login(t, seed.AdminEmail), `mutation { invalidateCache(cache: CHART_DATA) }`, nil).mustData(t, &flushed)
	cold, coldData := dashboardOn(t, server, token, id)
	warm, warmData := dashboardOn(t, server, token, id)
	t.Logf("cold %+v, warm %+v", *cold.Extensions.Cost, *warm.Extensions.Cost)
	if c := warm.Extensions.Cost; c.DBQueries != 0 || c.RedisRoundTrips > 2 || c.CacheMisses != 0 {
		t.Fatalf("warm dashboard cost %+v, want 0 DB queries, at most 2 round trips, no misses", *c)
	}
	for i := range warmData {
		if !warmData[i].FromCache || coldData[i].FromCache {
			t.Fatalf("chart %d: cold fromCache %v, warm %v", i, coldData[i].FromCache, warmData[i].FromCache)
		}
		coldData[i].FromCache = true
		a, _ := json.Marshal(coldData[i])
		b, _ := json.Marshal(warmData[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("chart %d differs from the cache:\n%s\n%s", i, a, b)
		}
	}
	if cold.Extensions.Cost.DBQueries == 0 {
		t.Fatal("the cold dashboard cost no DB query: the cache was not cold")
	}
}

func TestOneFailingChartDoesNotFailTheDashboard(t *testing.T) {
	// A stored configuration that no longer validates (a measure that was
	// removed) fails its own chart only.
	broken := `{"type":"LINE","measures":["retired_measure"],"frequency":"MONTHLY","dateRange":{"preset":"THIS_YEAR"}}`
	id := newDashboard(t, "one broken chart", seededChartNames(t, 2), broken)
	r := post(t, login(t, seed.AnalystEmail), dashboardQuery, map[string]any{"id": id})
	var d struct {
		Dashboard struct{ Charts []struct{ Data *chartData } }
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Dashboard.Charts) != 3 || d.Dashboard.Charts[0].Data == nil || d.Dashboard.Charts[1].Data == nil {
		t.Fatalf("the good charts did not return: %s", r.Data)
	}
	if d.Dashboard.Charts[2].Data != nil {
		t.Fatalf("the broken chart has data")
	}
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v, want one", r.Errors)
	}
	path := fmt.Sprint(r.Errors[0].Path)
	if path != "[dashboard charts 2 data]" || r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "retired_measure") {
		t.Fatalf("error path %s code %s message %q", path, r.code(), r.Errors[0].Message)
	}
}

func TestBadInput(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	cases := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"NonNumericID", `{ dashboard(id: "abc") { name } }`, nil, "BAD_USER_INPUT"},
		{"NegativeID", `{ dashboard(id: -4) { name } }`, nil, "BAD_USER_INPUT"},
		{"UnknownID", `{ dashboard(id: 99999999) { name } }`, nil, "NOT_FOUND"},
		{"UnknownMeasure", `{ chartData(config: {type: LINE, measures: ["revenue"], frequency: DAILY, dateRange: {preset: TODAY}}) { labels } }`, nil, "BAD_USER_INPUT"},
		{"UnknownFilterField", `{ chartData(config: {type: LINE, measures: ["charges"], frequency: DAILY, dateRange: {preset: TODAY},
			filters: [{field: PASSWORD, operator: EQ, values: ["x"]}]}) { labels } }`, nil, "BAD_USER_INPUT"},
		{"UnknownFilterFieldInVariables", `query($c: ChartConfigInput!) { chartData(config: $c) { labels } }`,
			map[string]any{"c": map[string]any{"type": "LINE", "measures": []string{"charges"}, "frequency": "DAILY",
				"dateRange": map[string]any{"preset": "TODAY"}, "filters": []map[string]any{{"field": "users.email", "operator": "EQ", "values": []string{"x"}}}}},
			"BAD_USER_INPUT"},
		{"InvertedDates", `{ chartData(config: {type: LINE, measures: ["charges"], frequency: DAILY,
			dateRange: {preset: CUSTOM, start: "2026-03-01", end: "2026-02-01"}}) { labels } }`, nil, "BAD_USER_INPUT"},
		{"SyntaxError", `{ dashboard(id: 1) { name `, nil, "BAD_USER_INPUT"},
		{"UnknownField", `{ dashboard(id: 1) { secrets } }`, nil, "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, token, c.query, c.vars)
			if r.code() != c.want {
				t.Fatalf("code %q (%+v), want %s", r.code(), r.Errors, c.want)
			}
			if msg := r.Errors[0].Message; msg == "" || strings.Contains(msg, "pgx") || strings.Contains(msg, "SQLSTATE") {
				t.Fatalf("message %q", msg)
			}
		})
	}
	t.Run("MalformedJSON", func(t *testing.T) {
		r := postRaw(t, token, "application/json", []byte(`{"query": "{ me { email } }"`))
		if r.Status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
	t.Run("JSONButNotARequest", func(t *testing.T) {
		for _, body := range []string{`[]`, `"query"`, `{"query": 42}`} {
			r := postRaw(t, token, "application/json", []byte(body))
			if r.Status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" {
				t.Fatalf("%s: status %d code %q", body, r.Status, r.code())
			}
		}
	})
	t.Run("NotJSON", func(t *testing.T) {
		r := postRaw(t, token, "application/x-www-form-urlencoded", []byte(`query=me`))
		if r.Status != http.StatusUnsupportedMediaType || r.code() != "BAD_USER_INPUT" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
	t.Run("BodyOverOneMiB", func(t *testing.T) {
		body := []byte(`{"query": "{ me { email } }", "variables": {"pad": "` + strings.Repeat("x", 1<<20) + `"}}`)
		r := postRaw(t, token, "application/json", body)
		if r.Status != http.StatusRequestEntityTooLarge || r.code() != "BAD_USER_INPUT" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
}

func TestComplexityLimit(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	names := seededChartNames(t, 12)
	twenty := newDashboard(t, "twenty charts", append(names, names[:8]...))
	r := post(t, token, dashboardQuery, map[string]any{"id": twenty})
	var d struct {
		Dashboard struct{ Charts []struct{ Data *chartData } }
	}
	r.mustData(t, &d)
	if len(d.Dashboard.Charts) != 20 {
		t.Fatalf("%d charts", len(d.Dashboard.Charts))
	}
	var q bytes.Buffer
	q.WriteString("{")
	for i := range 2000 {
		fmt.Fprintf(&q, " c%d: chart(id: 1) { data { labels } }", i)
	}
	q.WriteString(" }")
	r = post(t, token, q.String(), nil)
	if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Fatalf("2000 aliased charts: code %q", r.code())
	}
}

func TestIntrospectionIsOffOutsideDevMode(t *testing.T) {
	r := post(t, login(t, seed.AnalystEmail), `{ __schema { types { name } } }`, nil)
	if len(r.Errors) == 0 {
		t.Fatal("introspection answered outside dev mode")
	}
}

func TestRESTChartDataMatchesGraphQL(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	var chartID int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM chart_definitions WHERE name = 'Charges vs payments'`).Scan(&chartID); err != nil {
		t.Fatal(err)
	}
	var gql struct{ Chart struct{ Data chartData } }
	post(t, token, `query($id: ID!) { chart(id: $id) { data { `+chartDataFields+` } } }`, map[string]any{"id": chartID}).mustData(t, &gql)

	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/charts/%d/data", server.URL, chartID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rest chartData
	if err := json.NewDecoder(res.Body).Decode(&rest); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(gql.Chart.Data)
	b, _ := json.Marshal(rest)
	if res.StatusCode != http.StatusOK || !bytes.Equal(a, b) {
		t.Fatalf("REST (%d) %s\nGraphQL %s", res.StatusCode, b, a)
	}
	if res.Header.Get("X-Cost") == "" {
		t.Fatal("no X-Cost header")
	}
}

func TestUnknownRouteIsNotFound(t *testing.T) {
	req, _ := http.NewRequest(http.MethodGet, server.URL+"/nothing-here", nil)
	if r := send(t, req); r.Status != http.StatusNotFound || r.code() != "NOT_FOUND" {
		t.Fatalf("status %d code %q", r.Status, r.code())
	}
}
