// Command dashgraph is the dashgraph server: a GraphQL analytics and
// identity API. Subcommands: serve (the default), migrate, seed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/dashgraph/dashgraph/app"
	"github.com/dashgraph/dashgraph/cache"
)

const usage = `usage: dashgraph [serve | migrate | seed [--scale N] [--if-empty]]

  serve    serve the API (the default)
  migrate  create the database if it is missing and bring its schema up to date
  seed     write the demo data into an empty database

Configuration comes from the environment; see README.md.
`

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dashgraph:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg, err := app.ConfigFromEnv(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := app.NewLogger(out, cfg)
	cache.SetRedisLogger(log)

	switch cmd {
	case "serve":
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		return a.Serve(ctx)
	case "migrate":
		return app.Migrate(ctx, cfg, log)
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		scale := fs.Int("scale", 1, "multiply the practices, providers and measure rows by `N`")
		ifEmpty := fs.Bool("if-empty", false, "do nothing when the database already has users")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return app.Seed(ctx, cfg, log, *scale, *ifEmpty)
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// tuneGC sets the garbage collector for a server whose live heap is small
// (tens of MiB) and whose requests allocate a lot: with Go's default, a
// warm dashboard query spent about a fifth of its CPU collecting. Unless
// GOGC or GOMEMLIMIT say otherwise, the heap may grow to five times the
// live heap between collections, within a soft limit of 200 MiB that keeps
// the process well under its 256 MiB budget.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(200 << 20)
	}
}
