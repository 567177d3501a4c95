package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
)

const analystEmail = "analyst@dashgraph.test"

// dashboardQuery is the one query a dashboard frontend sends: the dashboard
// with everything needed to draw every chart.
const dashboardQuery = `query Dashboard($id: ID!) {
  dashboard(id: $id) {
    id name
    charts {
      id name type
      data { labels datasets { label data color colors renderAs axis } start end fromCache }
    }
  }
}`

// chartIDsQuery is the "before" frontend's first request: which charts to fetch.
const chartIDsQuery = `query DashboardCharts($id: ID!) { dashboard(id: $id) { charts { id } } }`

// cost is extensions.cost (GraphQL) or the X-Cost header (REST).
type cost struct {
	DBQueries       int64 `json:"dbQueries"`
	RedisRoundTrips int64 `json:"redisRoundTrips"`
	CacheHits       int64 `json:"cacheHits"`
	CacheMisses     int64 `json:"cacheMisses"`
}

// viewStats is what one view (or a sum of views) cost.
type viewStats struct {
	requests int64
	bytes    int64
	cost     cost
}

func (s *viewStats) add(o viewStats) {
	s.requests += o.requests
	s.bytes += o.bytes
	s.cost.DBQueries += o.cost.DBQueries
	s.cost.RedisRoundTrips += o.cost.RedisRoundTrips
	s.cost.CacheHits += o.cost.CacheHits
	s.cost.CacheMisses += o.cost.CacheMisses
}

// viewFunc shows the dashboard once as the user-th user (modulo the users).
type viewFunc func(ctx context.Context, user int) (viewStats, error)

// client talks to one server as a set of signed-in users.
type client struct {
	http        *http.Client
	base        string
	tokens      []string
	dashboardID string

	saveBody  string // where to save one graphql response body, if anywhere
	saveOnce  sync.Once
	savedBody []byte
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// gqlResponse is a GraphQL response whose data decodes into D.
type gqlResponse[D any] struct {
	Data       D          `json:"data"`
	Errors     []gqlError `json:"errors"`
	Extensions struct {
		Cost cost `json:"cost"`
	} `json:"extensions"`
}

func (r *gqlResponse[D]) err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	e := r.Errors[0]
	return fmt.Errorf("graphql error %s: %s (%d errors)", e.Extensions.Code, e.Message, len(r.Errors))
}

// chartData is the part of a chart's data a frontend draws. Decoding it
// fully, in every scenario, keeps the client's work per view the same.
type chartData struct {
	Labels   []string `json:"labels"`
	Datasets []struct {
		Label string     `json:"label"`
		Data  []*float64 `json:"data"`
	} `json:"datasets"`
}

type dashboardData struct {
	Dashboard *struct {
		Charts []struct {
			ID   string     `json:"id"`
			Data *chartData `json:"data"`
		} `json:"charts"`
	} `json:"dashboard"`
}

// do sends a request and reads the whole response; a non-2xx status is an error.
func (c *client) do(req *http.Request, token string) (*http.Response, []byte, error) {
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, nil, fmt.Errorf("%s %s: HTTP %d: %.200s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	return resp, body, nil
}

// graphql posts a query and decodes the response into out.
func (c *client) graphql(ctx context.Context, token, query string, vars map[string]any, out any) ([]byte, error) {
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/graphql", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	_, body, err := c.do(req, token)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("POST /graphql: decode response: %w", err)
	}
	return body, nil
}

func (c *client) token(user int) string { return c.tokens[user%len(c.tokens)] }

// login signs every user in, parallel at most n at a time.
func (c *client) login(ctx context.Context, emails []string, password string, n int) error {
	const q = `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`
	c.tokens = make([]string, len(emails))
	errs := make([]error, len(emails))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, email := range emails {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var r gqlResponse[struct {
				Login struct{ AccessToken string } `json:"login"`
			}]
			_, err := c.graphql(ctx, "", q, map[string]any{"email": email, "password": password}, &r)
			if err == nil {
				err = r.err()
			}
			if err == nil && r.Data.Login.AccessToken == "" {
				err = errors.New("no access token")
			}
			if err != nil {
				errs[i] = fmt.Errorf("login %s: %w", email, err)
			}
			c.tokens[i] = r.Data.Login.AccessToken
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// findDashboard looks the dashboard's id up by name.
func (c *client) findDashboard(ctx context.Context, name string) error {
	var r gqlResponse[struct {
		Dashboards []struct{ ID, Name string } `json:"dashboards"`
	}]
	if _, err := c.graphql(ctx, c.tokens[0], `{ dashboards { id name } }`, nil, &r); err != nil {
		return err
	}
	if err := r.err(); err != nil {
		return err
	}
	for _, d := range r.Data.Dashboards {
		if d.Name == name {
			c.dashboardID = d.ID
			return nil
		}
	}
	return fmt.Errorf("no dashboard named %q", name)
}

// graphqlView is the one-query dashboard.
func (c *client) graphqlView(ctx context.Context, user int) (viewStats, error) {
	var r gqlResponse[dashboardData]
	body, err := c.graphql(ctx, c.token(user), dashboardQuery, map[string]any{"id": c.dashboardID}, &r)
	if err != nil {
		return viewStats{}, err
	}
	if err := checkDashboard(&r); err != nil {
		return viewStats{}, err
	}
	if c.saveBody != "" {
		c.saveOnce.Do(func() { c.savedBody = body })
	}
	return viewStats{requests: 1, bytes: int64(len(body)), cost: r.Extensions.Cost}, nil
}

// checkDashboard fails a response with errors, without the dashboard, or
// with a chart without data.
func checkDashboard(r *gqlResponse[dashboardData]) error {
	if err := r.err(); err != nil {
		return err
	}
	d := r.Data.Dashboard
	if d == nil || len(d.Charts) == 0 {
		return errors.New("graphql: no dashboard or no charts")
	}
	for _, ch := range d.Charts {
		if ch.Data == nil {
			return fmt.Errorf("graphql: chart %s has no data", ch.ID)
		}
	}
	return nil
}

// beforeView is the seed plan's frontend: the chart ids, then every chart's
// data from the REST endpoint, in parallel.
func (c *client) beforeView(ctx context.Context, user int) (viewStats, error) {
	token := c.token(user)
	var r gqlResponse[struct {
		Dashboard *struct {
			Charts []struct{ ID string } `json:"charts"`
		} `json:"dashboard"`
	}]
	body, err := c.graphql(ctx, token, chartIDsQuery, map[string]any{"id": c.dashboardID}, &r)
	if err != nil {
		return viewStats{}, err
	}
	if err := r.err(); err != nil {
		return viewStats{}, err
	}
	if r.Data.Dashboard == nil || len(r.Data.Dashboard.Charts) == 0 {
		return viewStats{}, errors.New("graphql: no dashboard or no charts")
	}
	st := viewStats{requests: 1, bytes: int64(len(body)), cost: r.Extensions.Cost}

	charts := r.Data.Dashboard.Charts
	stats := make([]viewStats, len(charts))
	errs := make([]error, len(charts))
	var wg sync.WaitGroup
	for i, ch := range charts {
		wg.Go(func() { stats[i], errs[i] = c.chart(ctx, token, ch.ID) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return viewStats{}, err
	}
	for _, s := range stats {
		st.add(s)
	}
	return st, nil
}

// chart is one GET /api/charts/{id}/data; its cost is in X-Cost.
func (c *client) chart(ctx context.Context, token, id string) (viewStats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/charts/"+id+"/data", nil)
	if err != nil {
		return viewStats{}, err
	}
	resp, body, err := c.do(req, token)
	if err != nil {
		return viewStats{}, err
	}
	var data chartData
	if err := json.Unmarshal(body, &data); err != nil {
		return viewStats{}, fmt.Errorf("chart %s: decode: %w", id, err)
	}
	st := viewStats{requests: 1, bytes: int64(len(body))}
	if h := resp.Header.Get("X-Cost"); h != "" {
		if err := json.Unmarshal([]byte(h), &st.cost); err != nil {
			return viewStats{}, fmt.Errorf("chart %s: X-Cost %q: %w", id, h, err)
		}
	}
	return st, nil
}

// bareView GETs the bare server's fixed body and decodes it exactly as
// graphqlView does; its cost is not the server's and is ignored.
func (c *client) bareView(ctx context.Context, _ int) (viewStats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base, nil)
	if err != nil {
		return viewStats{}, err
	}
	_, body, err := c.do(req, "")
	if err != nil {
		return viewStats{}, err
	}
	var r gqlResponse[dashboardData]
	if err := json.Unmarshal(body, &r); err != nil {
		return viewStats{}, fmt.Errorf("decode: %w", err)
	}
	if err := checkDashboard(&r); err != nil {
		return viewStats{}, err
	}
	return viewStats{requests: 1, bytes: int64(len(body))}, nil
}

func (c *client) writeSavedBody() error {
	if c.saveBody == "" {
		return nil
	}
	if c.savedBody == nil {
		return fmt.Errorf("-save-body: no successful graphql view to save")
	}
	return os.WriteFile(c.saveBody, c.savedBody, 0o644)
}

// userEmails turns -users into the emails to sign in as.
func userEmails(users string) ([]string, error) {
	if users == "" {
		return []string{analystEmail}, nil
	}
	if n, err := strconv.Atoi(users); err == nil {
		if n < 1 || n > 9999 {
			return nil, fmt.Errorf("-users %d: want 1 to 9999 bench users", n)
		}
		emails := make([]string, n)
		for i := range emails {
			emails[i] = fmt.Sprintf("bench%04d@dashgraph.test", i+1)
		}
		return emails, nil
	}
	f, err := os.Open(users)
	if err != nil {
		return nil, fmt.Errorf("-users: %w", err)
	}
	defer f.Close()
	var emails []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			emails = append(emails, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(emails) == 0 {
		return nil, fmt.Errorf("-users %s: no emails", users)
	}
	return emails, nil
}
