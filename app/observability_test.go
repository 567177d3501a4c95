package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dashgraph/dashgraph/seed"
)

func TestMetricsAndRequestIDs(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	r := post(t, token, `{ dashboards { id } }`, nil)
	if id := r.Header.Get("X-Request-Id"); len(id) < 8 {
		t.Fatalf("response without a request id: %q", id)
	}
	req, _ := http.NewRequest(http.MethodPost, server.URL+"/graphql", strings.NewReader(`{"query":"{ me { email } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "client-chosen-id-42")
	if res := send(t, req); res.Header.Get("X-Request-Id") != "client-chosen-id-42" {
		t.Fatalf("the client's request id was not kept: %q", res.Header.Get("X-Request-Id"))
	}

	res, err := http.Get(server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`dashgraph_http_request_duration_seconds_count{code="200",method="POST",route="POST /graphql"}`,
		`dashgraph_graphql_operation_duration_seconds_count{errors="false",field="dashboards",type="query"}`,
		`dashgraph_db_query_duration_seconds_count{kind="query",result="ok"}`,
		`dashgraph_cache_hits_total{cache="user_context"}`,
		`dashgraph_cache_misses_total{cache="chart_data"}`,
		`dashgraph_redis_breaker_state`,
		`dashgraph_cache_trusted 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
}
