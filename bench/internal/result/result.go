// Package result is the JSON a loadgen run writes and the report reads.
package result

// Result is one scenario's measurements.
type Result struct {
	Label       string `json:"label"`       // the scenario's letter in the report, e.g. "d"
	Description string `json:"description"` // what the scenario is, for the report
	Mode        string `json:"mode"`        // loadgen's -scenario: before, graphql or bare
	URL         string `json:"url"`
	Concurrency int    `json:"concurrency"`
	Users       int    `json:"users"`
	// ColdEveryView is set when a Redis db was flushed before every view.
	ColdEveryView bool `json:"coldEveryView"`

	WarmupSeconds   float64  `json:"warmupSeconds"`
	DurationSeconds float64  `json:"durationSeconds"` // measured, from start to the last view's end
	Views           int64    `json:"views"`           // views that succeeded
	Errors          int64    `json:"errors"`          // views that failed
	ErrorSamples    []string `json:"errorSamples,omitempty"`
	ViewsPerSecond  float64  `json:"viewsPerSecond"`
	RequestsPerView float64  `json:"requestsPerView"`
	BytesPerView    float64  `json:"bytesPerView"` // response body bytes

	LatencyMs Latency `json:"latencyMs"`

	// Costs per successful view: the sum of extensions.cost (or X-Cost) of
	// the view's requests.
	DBQueriesPerView       float64 `json:"dbQueriesPerView"`
	RedisRoundTripsPerView float64 `json:"redisRoundTripsPerView"`
	CacheHitsPerView       float64 `json:"cacheHitsPerView"`
	CacheMissesPerView     float64 `json:"cacheMissesPerView"`

	// MaxRSSMiB is the largest VmRSS of the -rss-pid process sampled during
	// the run (login, warmup and timed run); 0 when not sampled.
	MaxRSSMiB float64 `json:"maxRssMiB"`
}

// Latency is a view latency distribution, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}
