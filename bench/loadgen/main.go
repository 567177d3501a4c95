// Command loadgen drives closed-loop load at a dashgraph server (or at the
// bare baseline server) and reports, per dashboard view: throughput,
// latency percentiles, errors, and the Postgres queries and Redis round
// trips the server says the view cost.
//
// A view is what a dashboard frontend does to show one dashboard:
//
//	graphql  one POST /graphql asking for the dashboard with every chart's data
//	before   one POST /graphql for the dashboard's chart ids, then one
//	         GET /api/charts/{id}/data per chart, all in parallel (the seed plan's frontend)
//	bare     one GET of -url (the bench/bare server), decoded like graphql's response
//
// Each of -concurrency workers runs views back to back for -duration, after
// an unrecorded -warmup; every user logs in once before that.
//
//	go run ./bench/loadgen -url http://127.0.0.1:8080 -scenario graphql -duration 20s -out d.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dashgraph/dashgraph/bench/internal/result"
)

type options struct {
	url, mode, label, desc    string
	concurrency               int
	duration, warmup, timeout time.Duration
	users, password           string
	dashboard                 string
	flushRedis                string
	rssPID                    int
	saveBody, out             string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base `URL` (bare: the URL to GET)")
	flag.StringVar(&o.mode, "scenario", "graphql", "what a view is: before, graphql or bare")
	flag.StringVar(&o.label, "label", "", "the scenario's name in the results (default: -scenario)")
	flag.StringVar(&o.desc, "desc", "", "a description stored in the results")
	flag.IntVar(&o.concurrency, "concurrency", 8, "views in flight at once (workers)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 0, "how long to run views before measuring")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Second, "per-request timeout")
	flag.StringVar(&o.users, "users", "", "who to sign in as: empty for "+analystEmail+
		", a count N for bench0001..benchN@dashgraph.test, or a file of emails (one a line); workers take them round-robin")
	flag.StringVar(&o.password, "password", "demo-password", "the users' password")
	flag.StringVar(&o.dashboard, "dashboard", "Practice Overview", "the dashboard's `name`")
	flag.StringVar(&o.flushRedis, "flush-redis", "", "`host:port/db`: send FLUSHDB to this Redis db before every view (cold caches)")
	flag.IntVar(&o.rssPID, "rss-pid", 0, "sample this process's resident memory (VmRSS) during the run and report the largest")
	flag.StringVar(&o.saveBody, "save-body", "", "write the body of one successful graphql view to this `file`")
	flag.StringVar(&o.out, "out", "", "write the results as JSON to this `file`")
	flag.Parse()
	if o.label == "" {
		o.label = o.mode
	}

	res, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %.1f views/s  p50 %.1fms p95 %.1fms p99 %.1fms  db/view %.2f  redis/view %.2f  errors %d\n",
		res.Label, res.ViewsPerSecond, res.LatencyMs.P50, res.LatencyMs.P95, res.LatencyMs.P99,
		res.DBQueriesPerView, res.RedisRoundTripsPerView, res.Errors)
	for _, s := range res.ErrorSamples {
		fmt.Println("  error:", s)
	}
	if o.out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, o options) (*result.Result, error) {
	if o.concurrency < 1 || o.duration <= 0 {
		return nil, errors.New("-concurrency must be at least 1 and -duration positive")
	}
	// Enough idle connections that no request re-dials: a "before" view has
	// one request per chart in flight at once. (No proxy from the environment.)
	tr := &http.Transport{MaxIdleConnsPerHost: o.concurrency * 16, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	c := &client{http: &http.Client{Transport: tr, Timeout: o.timeout}, base: o.url, saveBody: o.saveBody}

	var rss *rssSampler
	if o.rssPID > 0 {
		rss = sampleRSS(o.rssPID, 100*time.Millisecond)
	}

	var view viewFunc
	users := 0
	switch o.mode {
	case "bare":
		view = c.bareView
	case "before", "graphql":
		emails, err := userEmails(o.users)
		if err != nil {
			return nil, err
		}
		users = len(emails)
		if err := c.login(ctx, emails, o.password, min(o.concurrency, 8)); err != nil {
			return nil, err
		}
		if err := c.findDashboard(ctx, o.dashboard); err != nil {
			return nil, err
		}
		view = c.beforeView
		if o.mode == "graphql" {
			view = c.graphqlView
		}
	default:
		return nil, fmt.Errorf("-scenario %q: want before, graphql or bare", o.mode)
	}

	workers := make([]*worker, o.concurrency)
	for i := range workers {
		workers[i] = &worker{id: i, n: o.concurrency, view: view}
		if o.flushRedis != "" {
			f, err := dialFlusher(o.flushRedis)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			workers[i].flush = f
		}
	}
	if o.warmup > 0 {
		runAll(ctx, workers, o.warmup)
		for _, w := range workers {
			w.reset()
		}
	}
	elapsed := runAll(ctx, workers, o.duration)

	res := summarize(workers, elapsed)
	res.Label, res.Description, res.Mode, res.URL = o.label, o.desc, o.mode, o.url
	res.Concurrency, res.Users, res.ColdEveryView = o.concurrency, users, o.flushRedis != ""
	res.WarmupSeconds = o.warmup.Seconds()
	if rss != nil {
		res.MaxRSSMiB = float64(rss.stop()) / 1024
	}
	if err := c.writeSavedBody(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err) // the results, errors and all, still count
	}
	return res, nil
}

// runAll runs every worker for d and returns how long until the last one
// finished its last view.
func runAll(ctx context.Context, workers []*worker, d time.Duration) time.Duration {
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(ctx, deadline) })
	}
	wg.Wait()
	return time.Since(start)
}

// summarize merges the workers' measurements.
func summarize(workers []*worker, elapsed time.Duration) *result.Result {
	r := &result.Result{DurationSeconds: elapsed.Seconds()}
	var lat []time.Duration
	var sum viewStats
	seen := map[string]bool{}
	for _, w := range workers {
		lat = append(lat, w.latencies...)
		r.Errors += w.errors
		sum.add(w.sum)
		for _, e := range w.errorSamples {
			if !seen[e] && len(r.ErrorSamples) < 5 {
				seen[e] = true
				r.ErrorSamples = append(r.ErrorSamples, e)
			}
		}
	}
	r.Views = int64(len(lat))
	r.ViewsPerSecond = float64(r.Views) / elapsed.Seconds()
	if r.Views == 0 {
		return r
	}
	n := float64(r.Views)
	r.RequestsPerView = float64(sum.requests) / n
	r.BytesPerView = float64(sum.bytes) / n
	r.DBQueriesPerView = float64(sum.cost.DBQueries) / n
	r.RedisRoundTripsPerView = float64(sum.cost.RedisRoundTrips) / n
	r.CacheHitsPerView = float64(sum.cost.CacheHits) / n
	r.CacheMissesPerView = float64(sum.cost.CacheMisses) / n

	slices.Sort(lat)
	var total time.Duration
	for _, d := range lat {
		total += d
	}
	r.LatencyMs = result.Latency{
		P50: ms(percentile(lat, 0.50)), P95: ms(percentile(lat, 0.95)), P99: ms(percentile(lat, 0.99)),
		Max: ms(lat[len(lat)-1]), Mean: ms(total / time.Duration(len(lat))),
	}
	return r
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// worker runs views one after another. Worker i of n signs in as users
// i, i+n, i+2n, ... in turn, so that all users are used.
type worker struct {
	id, n int
	view  viewFunc
	flush *flusher
	next  int // views started, picks the next user

	latencies    []time.Duration // of successful views
	errors       int64
	errorSamples []string
	sum          viewStats
}

func (w *worker) reset() {
	w.latencies, w.errors, w.errorSamples, w.sum = nil, 0, nil, viewStats{}
}

func (w *worker) run(ctx context.Context, deadline time.Time) {
	for time.Now().Before(deadline) {
		user := w.id + w.next*w.n
		w.next++
		if w.flush != nil {
			// Not timed: the cache is emptied between views, not during one.
			if err := w.flush.flushDB(); err != nil {
				w.fail(fmt.Errorf("flush redis: %w", err))
				continue
			}
		}
		start := time.Now()
		st, err := w.view(ctx, user)
		elapsed := time.Since(start)
		if err != nil {
			w.fail(err)
			continue
		}
		w.latencies = append(w.latencies, elapsed)
		w.sum.add(st)
	}
}

func (w *worker) fail(err error) {
	w.errors++
	if len(w.errorSamples) < 5 {
		w.errorSamples = append(w.errorSamples, err.Error())
	}
}
