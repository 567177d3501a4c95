// Command report reads the results of one benchmark run (loadgen's JSON per
// scenario and scripts/bench.sh's Redis measurements), prints the table,
// the ratios and the targets, and writes everything as one JSON document.
// It exits 1 when a scenario had errors and, with -strict, when a target is
// missed.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dashgraph/dashgraph/bench/internal/result"
)

// scenarios are the run's scenarios in report order; each is <dir>/<label>.json.
var scenarios = []string{"a", "b", "c", "d", "e", "f"}

// RedisStats describes the chart-data entries in the bench's Redis db after
// a scenario (written by scripts/bench.sh as <dir>/redis-<label>.json).
type RedisStats struct {
	After              string  `json:"after"`
	Keys               int64   `json:"keys"`               // DBSIZE
	ChartEntries       int64   `json:"chartEntries"`       // dg:v1:chart:* keys
	ChartEntryBytesAvg float64 `json:"chartEntryBytesAvg"` // MEMORY USAGE: key, value and overhead
	UsedMemoryBytes    int64   `json:"usedMemoryBytes"`    // INFO memory used_memory
}

// Target is one of the goals.
type Target struct {
	Name string  `json:"name"`
	Got  float64 `json:"got"`
	Want string  `json:"want"`
	Met  bool    `json:"met"`
}

// Report is bench.json.
type Report struct {
	GeneratedAt time.Time          `json:"generatedAt"`
	Meta        map[string]string  `json:"meta"`
	Scenarios   []*result.Result   `json:"scenarios"`
	Redis       []RedisStats       `json:"redis"`
	Ratios      map[string]float64 `json:"ratios"` // throughput ratios, e.g. "d/a"
	Targets     []Target           `json:"targets"`
}

type metaFlag map[string]string

func (m metaFlag) String() string { return fmt.Sprint(map[string]string(m)) }
func (m metaFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("want key=value")
	}
	m[k] = v
	return nil
}

func main() {
	dir := flag.String("dir", "bench-results", "the `directory` holding the run's results")
	out := flag.String("out", "", "write the report as JSON to this `file` (default <dir>/bench.json)")
	strict := flag.Bool("strict", false, "exit 1 when a target is missed, too")
	meta := metaFlag{}
	flag.Var(meta, "meta", "`key=value` to record with the run (repeatable)")
	flag.Parse()
	if *out == "" {
		*out = filepath.Join(*dir, "bench.json")
	}

	r, err := load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	r.GeneratedAt, r.Meta = time.Now().UTC(), meta
	r.evaluate()
	r.print()

	b, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	fmt.Println("\nresults:", *out)

	failed := false
	for _, s := range r.Scenarios {
		if s.Errors > 0 {
			fmt.Fprintf(os.Stderr, "report: scenario %s had %d errors\n", s.Label, s.Errors)
			failed = true
		}
	}
	for _, t := range r.Targets {
		failed = failed || (*strict && !t.Met)
	}
	if failed {
		os.Exit(1)
	}
}

// load reads every scenario and Redis result present in dir.
func load(dir string) (*Report, error) {
	r := &Report{}
	for _, label := range scenarios {
		var res result.Result
		if err := readJSON(filepath.Join(dir, label+".json"), &res); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		r.Scenarios = append(r.Scenarios, &res)
		var rs RedisStats
		if err := readJSON(filepath.Join(dir, "redis-"+label+".json"), &rs); err == nil {
			r.Redis = append(r.Redis, rs)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if len(r.Scenarios) == 0 {
		return nil, fmt.Errorf("no scenario results in %s", dir)
	}
	return r, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (r *Report) scenario(label string) *result.Result {
	for _, s := range r.Scenarios {
		if s.Label == label {
			return s
		}
	}
	return nil
}

// evaluate computes the ratios and checks the targets, for the
// scenarios that ran.
func (r *Report) evaluate() {
	r.Ratios = map[string]float64{}
	for _, pair := range [][2]string{{"d", "a"}, {"d", "f"}, {"c", "a"}} {
		x, y := r.scenario(pair[0]), r.scenario(pair[1])
		if x != nil && y != nil && y.ViewsPerSecond > 0 {
			r.Ratios[pair[0]+"/"+pair[1]] = x.ViewsPerSecond / y.ViewsPerSecond
		}
	}
	if v, ok := r.Ratios["d/a"]; ok {
		r.Targets = append(r.Targets, Target{"warm throughput vs before (d/a)", v, ">= 20", v >= 20})
	}
	if v, ok := r.Ratios["d/f"]; ok {
		r.Targets = append(r.Targets, Target{"warm throughput vs bare net/http (d/f)", v, ">= 0.20", v >= 0.20})
	}
	if d := r.scenario("d"); d != nil {
		r.Targets = append(r.Targets, Target{"DB queries per warm view (d)", d.DBQueriesPerView, "0", d.DBQueriesPerView == 0})
	}
	var rss float64
	for _, s := range r.Scenarios {
		if s.Mode != "bare" {
			rss = max(rss, s.MaxRSSMiB)
		}
	}
	if rss > 0 {
		r.Targets = append(r.Targets, Target{"server max RSS MiB (all dashgraph scenarios)", rss, "< 256", rss < 256})
	}
}

func (r *Report) print() {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tconc\tviews/s\tp50 ms\tp95 ms\tp99 ms\tDB q/view\tRedis RT/view\tmax RSS MiB\terrors\t")
	for _, s := range r.Scenarios {
		errs := fmt.Sprint(s.Errors)
		if s.Errors > 0 {
			errs += " !"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%s\t\n", s.Label, s.Concurrency, s.ViewsPerSecond,
			s.LatencyMs.P50, s.LatencyMs.P95, s.LatencyMs.P99, s.DBQueriesPerView, s.RedisRoundTripsPerView, s.MaxRSSMiB, errs)
	}
	tw.Flush()

	fmt.Println()
	for _, s := range r.Scenarios {
		fmt.Printf("  %s  %s\n", s.Label, s.Description)
		for _, e := range s.ErrorSamples {
			fmt.Printf("       error: %s\n", e)
		}
	}
	if len(r.Redis) > 0 {
		fmt.Println("\nRedis (the bench's db):")
	}
	for _, rs := range r.Redis {
		if rs.ChartEntries == 0 {
			fmt.Printf("  after %s: no chart entries (dg:v1:chart:*) and %d keys: is the chart cache on?\n", rs.After, rs.Keys)
			continue
		}
		fmt.Printf("  after %s: %d chart entries, %.0f bytes per chart entry (MEMORY USAGE), %d keys; instance used_memory %.1f MiB\n",
			rs.After, rs.ChartEntries, rs.ChartEntryBytesAvg, rs.Keys, float64(rs.UsedMemoryBytes)/(1<<20))
	}

	fmt.Println("\nthroughput ratios:")
	for _, k := range []string{"d/a", "d/f", "c/a"} {
		if v, ok := r.Ratios[k]; ok {
			fmt.Printf("  %s = %.2f\n", k, v)
		}
	}
	if c := r.scenario("c"); c != nil && c.Concurrency != r.firstConcurrency() {
		fmt.Printf("  (c ran at concurrency %d so that every view is cold; c/a compares it with a at %d)\n",
			c.Concurrency, r.firstConcurrency())
	}

	fmt.Println("\ntargets:")
	for _, t := range r.Targets {
		mark := "MET   "
		if !t.Met {
			mark = "MISSED"
		}
		fmt.Printf("  %s %s: %.2f (want %s)\n", mark, t.Name, t.Got, t.Want)
	}
}

// firstConcurrency is the concurrency of scenario a (or the first scenario).
func (r *Report) firstConcurrency() int {
	if a := r.scenario("a"); a != nil {
		return a.Concurrency
	}
	return r.Scenarios[0].Concurrency
}
