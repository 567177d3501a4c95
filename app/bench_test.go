package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/dashgraph/dashgraph/seed"
)

// benchmarkDashboard serves the demo dashboard query through an instance's
// handler, without the network: the server's own cost of one view.
func benchmarkDashboard(b *testing.B, srv *httptest.Server) {
	t := &testing.T{}
	token := login(t, seed.AnalystEmail)
	var id int64
	if err := pool.QueryRow(b.Context(), `SELECT id FROM dashboards WHERE name = $1`, seed.PracticeOverview).Scan(&id); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": dashboardQuery, "variables": map[string]any{"id": id}})
	h := srv.Config.Handler
	do := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do(); rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		b.Fatalf("dashboard query: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if rec := do(); rec.Code != http.StatusOK {
			b.Fatalf("dashboard query: %d", rec.Code)
		}
	}
}

// BenchmarkDashboardQueryWarm: the one dashboard query with every cache
// warm (in-process store): no Postgres, two cache round trips.
func BenchmarkDashboardQueryWarm(b *testing.B) { benchmarkDashboard(b, server) }

// BenchmarkDashboardQueryNoCache: the same query with every cache off.
func BenchmarkDashboardQueryNoCache(b *testing.B) { benchmarkDashboard(b, noCache) }
