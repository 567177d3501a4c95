package cache

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// stats counts what each cache did on this instance. They are read both by
// the cacheStats query and, as Prometheus metrics, by /metrics.
type stats struct {
	kinds [kindCount]kindCounters
}

type kindCounters struct {
	hits, misses, busy, errs, fills, fillBytes atomic.Int64
}

// KindStats are one cache's counters.
type KindStats struct {
	Cache string
	Hits  int64
	// Misses includes lease waits: a miss whose key another reader was
	// filling, read through without filling.
	Misses     int64
	LeaseWaits int64
	Errors     int64
	Fills      int64
	// FillBytes is the size of everything filled, so FillBytes/Fills is
	// the mean entry size.
	FillBytes int64
}

func (s *stats) lookup(k kind, st slotState) {
	c := &s.kinds[k]
	switch st {
	case hit:
		c.hits.Add(1)
	case busy:
		c.busy.Add(1)
		c.misses.Add(1)
	default:
		c.misses.Add(1)
	}
}

func (s *stats) errors(k kind) { s.kinds[k].errs.Add(1) }

func (s *stats) fill(k kind, size int) {
	s.kinds[k].fills.Add(1)
	s.kinds[k].fillBytes.Add(int64(size))
}

func (s *stats) snapshot() []KindStats {
	out := make([]KindStats, kindCount)
	for k := range kindCount {
		c := &s.kinds[k]
		out[k] = KindStats{Cache: k.String(), Hits: c.hits.Load(), Misses: c.misses.Load(), LeaseWaits: c.busy.Load(),
			Errors: c.errs.Load(), Fills: c.fills.Load(), FillBytes: c.fillBytes.Load()}
	}
	return out
}

var (
	hitsDesc   = prometheus.NewDesc("dashgraph_cache_hits_total", "Cache lookups answered from the cache.", []string{"cache"}, nil)
	missesDesc = prometheus.NewDesc("dashgraph_cache_misses_total", "Cache lookups read through to Postgres.", []string{"cache"}, nil)
	busyDesc   = prometheus.NewDesc("dashgraph_cache_lease_waits_total", "Misses whose key another reader was filling.", []string{"cache"}, nil)
	errorsDesc = prometheus.NewDesc("dashgraph_cache_errors_total", "Cache operations that failed.", []string{"cache"}, nil)
	fillsDesc  = prometheus.NewDesc("dashgraph_cache_fills_total", "Entries filled.", []string{"cache"}, nil)
	bytesDesc  = prometheus.NewDesc("dashgraph_cache_fill_bytes_total", "Bytes of entries filled.", []string{"cache"}, nil)
)

// Describe implements prometheus.Collector.
func (s *stats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{hitsDesc, missesDesc, busyDesc, errorsDesc, fillsDesc, bytesDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *stats) Collect(ch chan<- prometheus.Metric) {
	for _, k := range s.snapshot() {
		for d, v := range map[*prometheus.Desc]int64{hitsDesc: k.Hits, missesDesc: k.Misses, busyDesc: k.LeaseWaits,
			errorsDesc: k.Errors, fillsDesc: k.Fills, bytesDesc: k.FillBytes} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), k.Cache)
		}
	}
}

// metrics are the cache layer's other Prometheus metrics.
type metrics struct {
	redisLatency  *prometheus.HistogramVec
	redisErrors   *prometheus.CounterVec
	invalidations *prometheus.CounterVec
	breakerState  prometheus.Gauge
	trusted       prometheus.Gauge
	pending       prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, s *stats) *metrics {
	m := &metrics{
		redisLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dashgraph_redis_round_trip_seconds", Help: "Redis round trips (a pipeline is one), by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}, []string{"op"}),
		redisErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dashgraph_redis_errors_total", Help: "Redis round trips that failed, by operation (an open breaker counts).",
		}, []string{"op"}),
		invalidations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dashgraph_cache_invalidations_total", Help: "Cache entries invalidated, by the write that caused it.",
		}, []string{"reason"}),
		breakerState: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dashgraph_redis_breaker_state", Help: "The Redis circuit breaker: 0 closed, 1 half-open, 2 open.",
		}),
		trusted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dashgraph_cache_trusted", Help: "1 when this instance serves from the cache; 0 while it reads through.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dashgraph_cache_outbox_pending", Help: "Invalidations the last relay run found not yet applied.",
		}),
	}
	reg.MustRegister(s, m.redisLatency, m.redisErrors, m.invalidations, m.breakerState, m.trusted, m.pending)
	return m
}
