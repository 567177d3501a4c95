package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/seed"
)

// TestEveryFlagCombinationWorks runs the dashboard query and a logout on
// an instance for each combination of the cache flags and batching: every
// combination answers the same data, and a logged-out token is refused at once.
func TestEveryFlagCombinationWorks(t *testing.T) {
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM dashboards WHERE name = $1`, seed.PracticeOverview).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, email := newUser(t, "bend-north", "analyst")
	_, reference := dashboardOn(t, noCache, login(t, seed.AnalystEmail), id)
	want := canonicalCharts(reference)

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for combo := range 64 {
		on := func(bit int) bool { return combo&(1<<bit) != 0 }
		cfg := testConfig(dbURL)
		cfg.Cache.Enabled, cfg.Cache.Token, cfg.Cache.User, cfg.Cache.RBAC, cfg.Cache.Chart, cfg.Batching =
			on(0), on(1), on(2), on(3), on(4), on(5)
		name := fmt.Sprintf("cache=%v/token=%v/user=%v/rbac=%v/chart=%v/batching=%v", on(0), on(1), on(2), on(3), on(4), on(5))
		t.Run(name, func(t *testing.T) {
			a, err := app.New(t.Context(), cfg, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			srv := httptest.NewServer(a.Handler())
			defer srv.Close()
			token := signIn(t, email, testPassword).access
			for range 2 {
				if _, got := dashboardOn(t, srv, token, id); canonicalCharts(got) != want {
					t.Fatal("the dashboard differs from the one without caches")
				}
			}
			body, _ := json.Marshal(map[string]any{"query": `mutation { logout }`})
			postTo(t, srv, token, "application/json", body).mustData(t, &struct{}{})
			body, _ = json.Marshal(map[string]any{"query": `{ me { email } }`})
			if r := postTo(t, srv, token, "application/json", body); r.code() != "UNAUTHENTICATED" {
				t.Fatalf("the logged-out token: code %q", r.code())
			}
		})
	}
}

func canonicalCharts(charts []chartData) string {
	for i := range charts {
		charts[i].FromCache = false
	}
	b, _ := json.Marshal(charts)
	return string(b)
}
