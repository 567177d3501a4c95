package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/cost"
	"github.com/dashgraph/dashgraph/postgres/pgtest"
	"github.com/dashgraph/dashgraph/seed"
)

// The package's tests share one seeded database and one server, started by
// TestMain. Tests that change data create their own rows.
var (
	// server has every cache on, in process memory.
	server *httptest.Server
	// noCache is a second instance on the same database with every cache off.
	noCache *httptest.Server
	pool    *pgxpool.Pool
	dbURL   string
)

const testBcryptCost = 4

func testConfig(url string) app.Config {
	cfg, err := app.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	cfg.DatabaseURL = url
	cfg.JWTSecret = "e2e-secret-e2e-secret-e2e-secret-0123"
	cfg.BcryptCost = testBcryptCost
	// The tests sign in far more often than real users; the rate limit
	// tests run instances of their own with limiting on.
	cfg.RateLimit = false
	return cfg
}

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	ctx := context.Background()
	url, db, done, err := pgtest.Open(ctx, 4)
	if err != nil {
		return 0, err
	}
	defer done()
	dbURL = url
	pool = db.Pool
	if err := pgtest.Seed(ctx, db); err != nil {
		return 0, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, testConfig(url), quiet)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	server = httptest.NewServer(a.Handler())
	defer server.Close()
	off := testConfig(url)
	off.Cache.Enabled = false
	b, err := app.New(ctx, off, quiet)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	noCache = httptest.NewServer(b.Handler())
	defer noCache.Close()
	return m.Run(), nil
}

// response is a GraphQL response as a client sees it.
type response struct {
	Status int             `json:"-"`
	Header http.Header     `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions struct {
		Cost *cost.Cost `json:"cost"`
	} `json:"extensions"`
}

// code returns the code of the first error, or "".
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends a GraphQL request and decodes the response. Every response,
// error or not, must carry extensions.cost.
func post(t *testing.T, token, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return postRaw(t, token, "application/json", body)
}

func postRaw(t *testing.T, token, contentType string, body []byte) response {
	t.Helper()
	return postTo(t, server, token, contentType, body)
}

// postTo sends a GraphQL request to one of the test instances.
func postTo(t *testing.T, srv *httptest.Server, token, contentType string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (%d): %s", res.StatusCode, raw)
	}
	r.Status, r.Header = res.StatusCode, res.Header
	if r.Extensions.Cost == nil {
		t.Fatalf("response has no extensions.cost: %s", raw)
	}
	for _, e := range r.Errors {
		if e.Extensions["code"] == nil {
			t.Fatalf("error without extensions.code: %s", raw)
		}
	}
	return r
}

// mustData fails the test on any error and decodes data into v.
func (r response) mustData(t *testing.T, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data: %v: %s", err, r.Data)
	}
}

// login signs a demo user in and returns the access token.
func login(t *testing.T, email string) string {
	t.Helper()
	r := post(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
		map[string]any{"e": email, "p": seed.DemoPassword})
	var d struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	r.mustData(t, &d)
	if d.Login.AccessToken == "" || d.Login.RefreshToken == "" {
		t.Fatalf("login of %s returned no tokens", email)
	}
	return d.Login.AccessToken
}

// chartData is the data of a chart as the API returns it.
type chartData struct {
	Labels   []string `json:"labels"`
	Datasets []struct {
		Label string     `json:"label"`
		Data  []*float64 `json:"data"`
		Color string     `json:"color"`
		Axis  string     `json:"axis"`
	} `json:"datasets"`
	FromCache bool `json:"fromCache"`
}

const chartDataFields = `labels datasets { label data color axis } fromCache`

// adHoc computes an ad hoc chart for the token's user.
func adHoc(t *testing.T, token string, config map[string]any) chartData {
	t.Helper()
	r := post(t, token, `query($c: ChartConfigInput!) { chartData(config: $c) { `+chartDataFields+` } }`,
		map[string]any{"c": config})
	var d struct{ ChartData chartData }
	r.mustData(t, &d)
	return d.ChartData
}

// sqlFloat runs a query returning one number, for expected values computed
// independently of the engine.
func sqlFloat(t *testing.T, query string, args ...any) float64 {
	t.Helper()
	var v *float64
	if err := pool.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	if v == nil {
		return 0
	}
	return *v
}

func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 0.011 || d <= 1e-9*max(a, b)
}

func value(t *testing.T, p *float64) float64 {
	t.Helper()
	if p == nil {
		t.Fatal("value is null")
	}
	return *p
}
