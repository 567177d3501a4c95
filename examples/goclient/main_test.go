package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/generate"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/postgres/pgtest"
	"github.com/dashgraph/dashgraph/seed"
)

const testBcryptCost = 4

// startServer starts the real dashgraph server in-process, on a fresh,
// migrated and seeded Postgres database of its own (127.0.0.1:5432 or
// TEST_DATABASE_URL). A Postgres that does not answer fails the test: it
// never skips.
func startServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	dbURL, db := pgtest.NewDB(t)
	if err := pgtest.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	cfg, err := app.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = dbURL
	cfg.JWTSecret = "goclient-test-secret-goclient-test-0123"
	cfg.BcryptCost = testBcryptCost
	cfg.DBMaxConns = 4
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start dashgraph: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	// Cleanups run last-in first-out: the server stops before the app
	// closes its pool, and both before pgtest drops the database.
	t.Cleanup(a.Close)
	t.Cleanup(srv.Close)
	return srv
}

// chartLine matches the line printDashboard writes for a chart with data.
var chartLine = regexp.MustCompile(`(?m)^\s*\d+\. (.+) \[([A-Z_]+)\] \(id (\S+)\): (\d+) labels?.*, (\d+) datasets?, (computed|from cache)$`)

type printedChart struct {
	name, typ, id    string
	labels, datasets int
}

func parseCharts(t *testing.T, out string) []printedChart {
	t.Helper()
	var charts []printedChart
	for _, m := range chartLine.FindAllStringSubmatch(out, -1) {
		labels, _ := strconv.Atoi(m[4])
		datasets, _ := strconv.Atoi(m[5])
		charts = append(charts, printedChart{name: m[1], typ: m[2], id: m[3], labels: labels, datasets: datasets})
	}
	return charts
}

func TestAgainstRealServer(t *testing.T) {
	srv := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := config{
		URL:        srv.URL + "/graphql",
		Email:      "analyst@dashgraph.test",
		Password:   seed.DemoPassword,
		Dashboard:  "Practice Overview",
		Values:     4,
		HTTPClient: srv.Client(),
	}

	var dashboardID string
	t.Run("practice overview by name", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(ctx, &out, base); err != nil {
			t.Fatalf("run: %v\noutput:\n%s", err, out.String())
		}
		text := out.String()
		t.Logf("output:\n%s", text)
		header := regexp.MustCompile(`(?m)^Dashboard "Practice Overview" \(id (\S+)\): 6 charts$`).FindStringSubmatch(text)
		if header == nil {
			t.Fatalf("no Practice Overview header with 6 charts:\n%s", text)
		}
		dashboardID = header[1]
		charts := parseCharts(t, text)
		if len(charts) != 6 {
			t.Fatalf("printed %d charts with data, want 6:\n%s", len(charts), text)
		}
		types := map[string]bool{}
		for _, c := range charts {
			if c.labels == 0 || c.datasets == 0 {
				t.Errorf("chart %q (%s) has %d labels and %d datasets, want data", c.name, c.typ, c.labels, c.datasets)
			}
			types[c.typ] = true
		}
		if len(types) != 6 {
			t.Errorf("chart types %v, want six different ones", types)
		}
		if strings.Contains(text, "no data") {
			t.Errorf("a chart has no data:\n%s", text)
		}
		// Every dataset line shows at least one value.
		datasetLine := regexp.MustCompile(`(?m)^ {6}.+: (-?\d|null)`)
		if n := len(datasetLine.FindAllString(text, -1)); n < 6 {
			t.Errorf("%d dataset lines with values, want at least one per chart:\n%s", n, text)
		}
		if !regexp.MustCompile(`(?m)^request cost: \d+ Postgres queries, \d+ Redis round trips, \d+ cache hits, \d+ cache misses$`).MatchString(text) {
			t.Errorf("no request cost line (extensions.cost):\n%s", text)
		}
	})

	t.Run("by id, base URL without path", func(t *testing.T) {
		if dashboardID == "" {
			t.Skip("the first subtest found no dashboard id") // the failure is reported there
		}
		cfg := base
		cfg.URL = srv.URL
		cfg.Dashboard = dashboardID
		var out bytes.Buffer
		if err := run(ctx, &out, cfg); err != nil {
			t.Fatalf("run: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), `Dashboard "Practice Overview" (id `+dashboardID+`): 6 charts`) {
			t.Errorf("dashboard %s by id:\n%s", dashboardID, out.String())
		}
	})

	failures := []struct {
		name, email, password, dashboard, want string
	}{
		{"wrong password", "analyst@dashgraph.test", "not-the-password", "Practice Overview", "UNAUTHENTICATED"},
		{"viewer without analytics", "viewer@dashgraph.test", seed.DemoPassword, "Practice Overview", "FORBIDDEN"},
		{"unknown dashboard", "analyst@dashgraph.test", seed.DemoPassword, "No Such Dashboard", `dashboard "No Such Dashboard" not found`},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			cfg := base
			cfg.Email, cfg.Password, cfg.Dashboard = f.email, f.password, f.dashboard
			var out bytes.Buffer
			err := run(ctx, &out, cfg)
			if err == nil || !strings.Contains(err.Error(), f.want) {
				t.Fatalf("run: error %v, want one containing %q\noutput:\n%s", err, f.want, out.String())
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	env := map[string]string{
		"DASHGRAPH_URL":       "http://env:1/graphql",
		"DASHGRAPH_EMAIL":     "env@example.test",
		"DASHGRAPH_PASSWORD":  "env-password",
		"DASHGRAPH_DASHBOARD": "7",
	}
	cfg, err := parseFlags([]string{"-email", "flag@example.test"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := config{URL: "http://env:1/graphql", Email: "flag@example.test", Password: "env-password", Dashboard: "7", Values: 4}
	if cfg != want {
		t.Errorf("config %+v, want %+v", cfg, want)
	}
	cfg, err = parseFlags(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != "http://127.0.0.1:8080/graphql" || cfg.Email != "analyst@dashgraph.test" || cfg.Dashboard != "Practice Overview" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestEndpointURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080/graphql",
		"http://127.0.0.1:8080/":         "http://127.0.0.1:8080/graphql",
		"https://api.example/v1/graphql": "https://api.example/v1/graphql",
	} {
		got, err := endpointURL(in)
		if err != nil || got != want {
			t.Errorf("endpointURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:8080", "ftp://x/graphql", "http:///graphql"} {
		if _, err := endpointURL(bad); err == nil {
			t.Errorf("endpointURL(%q) accepted", bad)
		}
	}
}

func TestFormatValues(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	got := formatValues([]*float64{f(1200), nil, f(3.14159), f(4), f(5)}, 3)
	if want := "1200, null, 3.14, ... (5 values)"; got != want {
		t.Errorf("formatValues = %q, want %q", got, want)
	}
}

// TestGeneratedIsCurrent fails when generated.go is not what genqlient
// generates from ../../schema.graphqls and operations.graphql now: run
// `go generate ./...` here and commit the result.
func TestGeneratedIsCurrent(t *testing.T) {
	cfg, err := generate.ReadAndValidateConfig("genqlient.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate.Generate(cfg)
	if err != nil {
		t.Fatalf("genqlient: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("genqlient generated no file")
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go generate ./...` in examples/goclient and commit it", name)
		}
	}
}
