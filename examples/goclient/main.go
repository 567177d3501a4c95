// Command goclient is an example dashgraph client built with genqlient: it
// signs in, finds a dashboard and prints its charts as text.
//
// The typed client in generated.go is generated from the server's
// schema.graphqls and the operations in operations.graphql; regenerate it
// with `go generate ./...` after changing either.
//
// Usage:
//
//	go run . -url http://127.0.0.1:8080/graphql -email analyst@dashgraph.test \
//	    -password demo-password -dashboard "Practice Overview"
//
// Every flag can also be set by an environment variable: DASHGRAPH_URL,
// DASHGRAPH_EMAIL, DASHGRAPH_PASSWORD, DASHGRAPH_DASHBOARD. Flags win.
package main

//go:generate go tool genqlient genqlient.yaml

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// config is what the program needs to know.
type config struct {
	// URL is the GraphQL endpoint; a URL without a path gets /graphql.
	URL string
	// Email and Password sign in.
	Email, Password string
	// Dashboard is a dashboard's id or name (names match in any case).
	Dashboard string
	// Values is how many values of each dataset to print.
	Values int
	// HTTPClient sends the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Getenv)
	if err != nil {
		os.Exit(2) // flag has printed the problem and the usage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

// parseFlags reads the configuration from the command line, with the
// environment supplying the defaults.
func parseFlags(args []string, getenv func(string) string) (config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var cfg config
	fs := flag.NewFlagSet("goclient", flag.ContinueOnError)
	fs.StringVar(&cfg.URL, "url", env("DASHGRAPH_URL", "http://127.0.0.1:8080/graphql"), "GraphQL endpoint (env DASHGRAPH_URL)")
	fs.StringVar(&cfg.Email, "email", env("DASHGRAPH_EMAIL", "analyst@dashgraph.test"), "email to sign in with (env DASHGRAPH_EMAIL)")
	fs.StringVar(&cfg.Password, "password", env("DASHGRAPH_PASSWORD", "demo-password"), "password (env DASHGRAPH_PASSWORD)")
	fs.StringVar(&cfg.Dashboard, "dashboard", env("DASHGRAPH_DASHBOARD", "Practice Overview"), "dashboard id or name (env DASHGRAPH_DASHBOARD)")
	fs.IntVar(&cfg.Values, "values", 4, "values of each dataset to print")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return config{}, errors.New("unexpected arguments")
	}
	return cfg, nil
}

// run signs in, finds the configured dashboard and prints its charts to out.
// Charts whose data failed are printed with their error, and run then
// returns an error too.
func run(ctx context.Context, out io.Writer, cfg config) error {
	endpoint, err := endpointURL(cfg.URL)
	if err != nil {
		return err
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	auth := &bearerDoer{next: httpClient}
	client := graphql.NewClient(endpoint, auth)

	login, _, err := Login(ctx, client, cfg.Email, cfg.Password)
	if err != nil {
		return fmt.Errorf("login as %s: %w", cfg.Email, describe(err))
	}
	auth.token = login.Login.AccessToken

	list, _, err := Dashboards(ctx, client)
	if err != nil {
		return fmt.Errorf("list dashboards: %w", describe(err))
	}
	id, err := findDashboard(list.Dashboards, cfg.Dashboard)
	if err != nil {
		return err
	}

	resp, ext, err := Dashboard(ctx, client, id)
	// A chart whose data fails comes back as null data plus an error, and
	// the other charts still come back: print what there is.
	if resp == nil || resp.Dashboard == nil {
		if err == nil {
			err = errors.New("no dashboard in the response")
		}
		return fmt.Errorf("load dashboard %s: %w", id, describe(err))
	}
	printDashboard(out, id, resp.Dashboard, cfg.Values)
	if c, ok := costOf(ext); ok {
		fmt.Fprintf(out, "request cost: %d Postgres queries, %d Redis round trips, %d cache hits, %d cache misses\n",
			c.DBQueries, c.RedisRoundTrips, c.CacheHits, c.CacheMisses)
	}
	if err != nil {
		return fmt.Errorf("load dashboard %s: %w", id, describe(err))
	}
	return nil
}

// endpointURL checks the URL and adds /graphql when it has no path.
func endpointURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q: want http(s)://host[:port][/graphql]", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/graphql"
	}
	return u.String(), nil
}

// bearerDoer sends every request with the access token, once there is one.
type bearerDoer struct {
	next  graphql.Doer
	token string
}

func (d *bearerDoer) Do(req *http.Request) (*http.Response, error) {
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	return d.next.Do(req)
}

// findDashboard returns the id of the dashboard whose id or name is want.
func findDashboard(all []DashboardsDashboardsDashboard, want string) (string, error) {
	for _, d := range all {
		if d.Id == want {
			return d.Id, nil
		}
	}
	for _, d := range all {
		if strings.EqualFold(strings.TrimSpace(d.Name), strings.TrimSpace(want)) {
			return d.Id, nil
		}
	}
	names := make([]string, 0, len(all))
	for _, d := range all {
		names = append(names, fmt.Sprintf("%s (id %s)", d.Name, d.Id))
	}
	if len(names) == 0 {
		return "", fmt.Errorf("dashboard %q not found: this user may open no dashboard", want)
	}
	return "", fmt.Errorf("dashboard %q not found; this user may open: %s", want, strings.Join(names, ", "))
}

// printDashboard writes the dashboard's charts as text.
func printDashboard(out io.Writer, id string, d *DashboardDashboard, values int) {
	fmt.Fprintf(out, "Dashboard %q (id %s): %d charts\n", d.Name, id, len(d.Charts))
	for i, c := range d.Charts {
		if c.Data == nil {
			fmt.Fprintf(out, "%2d. %s [%s] (id %s): no data (see the error below)\n", i+1, c.Name, c.Type, c.Id)
			continue
		}
		data := c.Data
		cache := "computed"
		if data.FromCache {
			cache = "from cache"
		}
		fmt.Fprintf(out, "%2d. %s [%s] (id %s): %s%s, %s, %s\n",
			i+1, c.Name, c.Type, c.Id, count(len(data.Labels), "label"), labelRange(data.Labels),
			count(len(data.Datasets), "dataset"), cache)
		for _, ds := range data.Datasets {
			fmt.Fprintf(out, "      %s: %s\n", ds.Label, formatValues(ds.Data, values))
		}
	}
}

// count is "1 label" or "n labels".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// labelRange is " (first .. last)" for a few labels or more, else the labels.
func labelRange(labels []string) string {
	switch len(labels) {
	case 0:
		return ""
	case 1:
		return " (" + labels[0] + ")"
	case 2, 3:
		return " (" + strings.Join(labels, ", ") + ")"
	default:
		return " (" + labels[0] + " .. " + labels[len(labels)-1] + ")"
	}
}

// formatValues prints the first n values, and how many there are in all.
func formatValues(vs []*float64, n int) string {
	shown := vs
	if n >= 0 && len(vs) > n {
		shown = vs[:n]
	}
	parts := make([]string, 0, len(shown)+1)
	for _, v := range shown {
		parts = append(parts, formatValue(v))
	}
	if len(shown) < len(vs) {
		parts = append(parts, fmt.Sprintf("... (%d values)", len(vs)))
	}
	if len(parts) == 0 {
		return "(no values)"
	}
	return strings.Join(parts, ", ")
}

func formatValue(v *float64) string {
	switch {
	case v == nil:
		return "null"
	case *v == math.Trunc(*v) && math.Abs(*v) < 1e15:
		return strconv.FormatFloat(*v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(*v, 'f', 2, 64)
	}
}

// requestCost is dashgraph's extensions.cost: what one request cost the
// backing stores.
type requestCost struct {
	DBQueries       int64 `json:"dbQueries"`
	RedisRoundTrips int64 `json:"redisRoundTrips"`
	CacheHits       int64 `json:"cacheHits"`
	CacheMisses     int64 `json:"cacheMisses"`
}

// costOf reads extensions.cost from a response's extensions.
func costOf(ext map[string]any) (requestCost, bool) {
	raw, ok := ext["cost"]
	if !ok {
		return requestCost{}, false
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return requestCost{}, false
	}
	var c requestCost
	if err := json.Unmarshal(b, &c); err != nil {
		return requestCost{}, false
	}
	return c, true
}

// describe turns GraphQL errors into one error that names each error's
// extensions.code and path, for example "FORBIDDEN: ...".
func describe(err error) error {
	var list gqlerror.List
	var httpErr *graphql.HTTPError
	switch {
	case errors.As(err, &list):
	case errors.As(err, &httpErr) && len(httpErr.Response.Errors) > 0:
		list = httpErr.Response.Errors
	default:
		return err
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		msg := e.Message
		if code, ok := e.Extensions["code"].(string); ok && code != "" {
			msg = code + ": " + msg
		}
		if len(e.Path) > 0 {
			msg += " (at " + e.Path.String() + ")"
		}
		msgs = append(msgs, msg)
	}
	return errors.New(strings.Join(msgs, "; "))
}
