// Command bare is the benchmark's ceiling: a net/http server that answers
// every GET with one fixed JSON body (the bench serves a captured warm
// dashboard response), so that loadgen can measure what this machine does
// with no application work at all.
//
//	go run ./bench/bare -addr 127.0.0.1:9090 -body dashboard.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "listen `address`")
	bodyFile := flag.String("body", "", "serve the contents of this `file`")
	body := flag.String("json", "", "serve this JSON (when -body is not given)")
	flag.Parse()

	b := []byte(*body)
	if *bodyFile != "" {
		var err error
		if b, err = os.ReadFile(*bodyFile); err != nil {
			log.Fatal(err)
		}
	}
	if !json.Valid(b) {
		log.Fatal("bare: the body is not valid JSON (give -body FILE or -json TEXT)")
	}
	length := strconv.Itoa(len(b))

	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet {
				http.Error(w, "GET only", http.StatusMethodNotAllowed)
				return
			}
			h := w.Header()
			h.Set("Content-Type", "application/json")
			h.Set("Content-Length", length)
			_, _ = w.Write(b)
		}),
		// The same limits as dashgraph's server.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(os.Stderr, "bare: serving %d bytes on %s\n", len(b), *addr)
	log.Fatal(srv.ListenAndServe())
}
