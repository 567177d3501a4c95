package cache_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/rbac"
)

// TestStaleFillLosesToInvalidation drives the race leases exist for, step
// by step: a reader reads a user context, then the user's role is removed
// and the removal's invalidation returns, and only then does the reader try
// to fill. Its fill must not land.
func TestStaleFillLosesToInvalidation(t *testing.T) {
	e := newEnv(t, sharedRedis)
	uid, _ := e.newUser(t, "bend-north")
	contexts := e.c.Contexts()
	ctxKey := e.c.Prefix() + "uctx:" + strconv.FormatInt(uid, 10)

	read, resume := make(chan struct{}), make(chan struct{})
	e.c.SetBeforeFill(func(keys []string) {
		if slices.Contains(keys, ctxKey) {
			close(read)
			<-resume
		}
	})
	var racing *rbac.UserContext
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, _ := request()
		m, _ := contexts.UserContexts(ctx, []int64{uid})
		racing = m[uid]
	}()
	<-read // the reader has read the context and is about to fill it
	e.c.SetBeforeFill(nil)
	if _, err := e.admin.RemoveRole(t.Context(), e.actor, uid, roleID(t, "analyst"), nil); err != nil {
		t.Fatal(err)
	}
	close(resume)
	<-done

	if racing == nil || !racing.Has(rbac.AnalyticsReadOrganization) {
		t.Fatal("setup: the racing read did not see the role it read before the removal")
	}
	if n, err := e.redis.Exists(t.Context(), ctxKey).Result(); err != nil || n != 0 {
		t.Fatalf("the fill that read before the invalidation landed (exists=%d, %v)", n, err)
	}
	ctx, _ := request()
	m, err := contexts.UserContexts(ctx, []int64{uid})
	if err != nil {
		t.Fatal(err)
	}
	if m[uid].Has(rbac.AnalyticsReadOrganization) {
		t.Fatal("the next read after the removal still has the analytics permission")
	}
}

// TestRandomFillInvalidateRounds races readers against a writer, 1,000
// times with random timings: no read that starts after an invalidation has
// returned may see the value from before the write.
func TestRandomFillInvalidateRounds(t *testing.T) {
	e := newEnv(t, sharedRedis)
	store := e.c.Analytics(db)
	var id int64
	if err := db.Pool.QueryRow(t.Context(), `INSERT INTO dashboards (name) VALUES ('0') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	type read struct {
		start time.Time
		name  string
	}
	const rounds, readers = 1000, 4
	stale := 0
	for round := 1; round <= rounds; round++ {
		reads := make([]read, readers)
		var returned time.Time
		var wg sync.WaitGroup
		for r := range readers {
			wg.Go(func() {
				time.Sleep(time.Duration(rand.IntN(400)) * time.Microsecond)
				ctx, _ := request()
				start := time.Now()
				d, err := store.Dashboard(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				reads[r] = read{start, d.Name}
			})
		}
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(400)) * time.Microsecond)
			if _, err := db.Pool.Exec(context.Background(), `UPDATE dashboards SET name = $2 WHERE id = $1`, id, strconv.Itoa(round)); err != nil {
				t.Error(err)
				return
			}
			e.c.Invalidate(context.Background(), []invalidation.Event{invalidation.ID(invalidation.Dashboard, id)})
			returned = time.Now()
		})
		wg.Wait()
		for _, r := range reads {
			if r.start.After(returned) && r.name != strconv.Itoa(round) {
				stale++
				t.Errorf("round %d: a read that started after the invalidation returned saw %q", round, r.name)
			}
		}
	}
	if stale > 0 {
		t.Fatalf("%d stale reads in %d rounds", stale, rounds)
	}
}

// TestConcurrentMissesShareOneQuery: 100 concurrent requests for the data
// of one chart that is not cached make one Postgres query between them.
func TestConcurrentMissesShareOneQuery(t *testing.T) {
	e := newEnv(t, sharedRedis)
	uid, _ := e.newUser(t, "bend-north")
	m, err := db.UserContexts(t.Context(), []int64{uid})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := analytics.ChartConfig{Type: analytics.ChartLine, Measures: []string{"visits", "payments"},
		Frequency: analytics.Weekly, DateRange: analytics.DateRange{Preset: analytics.PresetLast90Days}}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := analytics.NewPlan(cfg, m[uid].AnalyticsScope(), analytics.Source{DataSourceID: 1, Generation: 1, Version: 1},
		analytics.Today(time.Now(), time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	start := make(chan struct{})
	queries := make([]int64, 100)
	var wg sync.WaitGroup
	for i := range queries {
		wg.Go(func() {
			ctx, counter := request()
			<-start
			data, errs := e.charts.Run(ctx, []*analytics.Plan{plan})
			if errs[0] != nil || len(data[0].Labels) == 0 {
				t.Errorf("request %d: %v", i, errs[0])
			}
			queries[i] = counter.Snapshot().DBQueries
		})
	}
	close(start)
	wg.Wait()
	var total int64
	for _, q := range queries {
		total += q
	}
	if total != 1 {
		t.Fatalf("100 concurrent misses made %d Postgres queries, want 1", total)
	}
}
