package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.95: 95 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if got := percentile(d[:1], 0.99); got != time.Millisecond {
		t.Errorf("percentile of one = %v", got)
	}
}

func TestUserEmails(t *testing.T) {
	got, err := userEmails("3")
	if err != nil || strings.Join(got, " ") != "bench0001@dashgraph.test bench0002@dashgraph.test bench0003@dashgraph.test" {
		t.Fatalf("userEmails(3) = %v, %v", got, err)
	}
	if got, _ := userEmails(""); len(got) != 1 || got[0] != analystEmail {
		t.Fatalf("userEmails(\"\") = %v", got)
	}
}

// fakeServer answers like dashgraph: GraphQL (login, dashboards, the
// dashboard with or without data) and the REST chart endpoint, each
// reporting a cost.
func fakeServer(t *testing.T, charts int) *httptest.Server {
	t.Helper()
	chartData := `{"labels":["a","b"],"datasets":[{"label":"x","data":[1,null]}]}`
	mux := http.NewServeMux()
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Query string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		var data string
		switch {
		case strings.Contains(req.Query, "login("):
			data = `{"login":{"accessToken":"tok"}}`
		case strings.Contains(req.Query, "dashboards"):
			data = `{"dashboards":[{"id":"7","name":"Other"},{"id":"1","name":"Practice Overview"}]}`
		default:
			if r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no token", http.StatusUnauthorized)
				return
			}
			var cs []string
			for i := range charts {
				if strings.Contains(req.Query, "data {") {
					cs = append(cs, fmt.Sprintf(`{"id":"%d","data":%s}`, i+1, chartData))
				} else {
					cs = append(cs, fmt.Sprintf(`{"id":"%d"}`, i+1))
				}
			}
			data = `{"dashboard":{"charts":[` + strings.Join(cs, ",") + `]}}`
		}
		fmt.Fprintf(w, `{"data":%s,"extensions":{"cost":{"dbQueries":2,"redisRoundTrips":1,"cacheHits":0,"cacheMisses":0}}}`, data)
	})
	mux.HandleFunc("GET /api/charts/{id}/data", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Cost", `{"dbQueries":3,"redisRoundTrips":0,"cacheHits":0,"cacheMisses":0}`)
		io.WriteString(w, chartData)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestViews(t *testing.T) {
	srv := fakeServer(t, 6)
	for _, tc := range []struct {
		mode         string
		requests, db float64
	}{
		{"graphql", 1, 2},
		{"before", 7, 2 + 6*3}, // the chart ids, then one request per chart
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res, err := run(context.Background(), options{
				url: srv.URL, mode: tc.mode, concurrency: 2, duration: 100 * time.Millisecond,
				timeout: time.Second, password: "pw", dashboard: "Practice Overview",
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Errors != 0 || res.Views == 0 {
				t.Fatalf("views %d, errors %d: %v", res.Views, res.Errors, res.ErrorSamples)
			}
			if res.RequestsPerView != tc.requests || res.DBQueriesPerView != tc.db {
				t.Errorf("requests/view %v, db/view %v; want %v, %v", res.RequestsPerView, res.DBQueriesPerView, tc.requests, tc.db)
			}
		})
	}
}

func TestViewErrorsAreCounted(t *testing.T) {
	srv := fakeServer(t, 0) // a dashboard without charts is an error
	res, err := run(context.Background(), options{
		url: srv.URL, mode: "graphql", concurrency: 1, duration: 50 * time.Millisecond,
		timeout: time.Second, dashboard: "Practice Overview",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || res.Views != 0 || len(res.ErrorSamples) == 0 {
		t.Fatalf("views %d, errors %d, samples %v", res.Views, res.Errors, res.ErrorSamples)
	}
}

// TestFlusher checks the RESP the flusher sends against a fake Redis.
func TestFlusher(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		var cmds []string
		for range 2 { // SELECT 9, FLUSHDB
			line, _ := r.ReadString('\n') // *<n>
			var n int
			fmt.Sscanf(line, "*%d", &n)
			var args []string
			for range n {
				r.ReadString('\n') // $<len>
				arg, _ := r.ReadString('\n')
				args = append(args, strings.TrimSpace(arg))
			}
			cmds = append(cmds, strings.Join(args, " "))
			io.WriteString(conn, "+OK\r\n")
		}
		got <- strings.Join(cmds, "; ")
	}()
	f, err := dialFlusher(ln.Addr().String() + "/9")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.flushDB(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "SELECT 9; FLUSHDB" {
		t.Fatalf("commands = %q", s)
	}
}
