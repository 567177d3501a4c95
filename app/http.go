package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/cost"
	"github.com/dashgraph/dashgraph/loaders"
)

// maxBodyBytes bounds a request body: 1 MiB.
const maxBodyBytes = 1 << 20

var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

var httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "dashgraph_http_request_duration_seconds",
	Help:    "HTTP requests, by route pattern, method and status code.",
	Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
}, []string{"route", "method", "code"})

// requestContext gives every request an id (the client's X-Request-Id when
// it is sane, else a new one, echoed in the response), a cost counter, one
// access log line and its latency in dashgraph_http_request_duration_seconds.
func requestContext(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !clientRequestID.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		info := &requestInfo{id: id}
		ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
		ctx, counter := cost.WithCounter(ctx)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		req := r.WithContext(ctx)
		next.ServeHTTP(rec, req)
		route := info.route
		if route == "" {
			route = "unmatched"
		}
		httpDuration.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Observe(time.Since(start).Seconds())
		c := counter.Snapshot()
		log.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)), slog.Int64("db_queries", c.DBQueries),
			slog.Int64("redis_round_trips", c.RedisRoundTrips))
	})
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// recoverPanics turns a panic outside the GraphQL executor (which has its
// own recovery) into an INTERNAL error; the stack goes to the log only.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeError(w, r, http.StatusInternalServerError, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// graphQLRequest admits only JSON bodies of at most 1 MiB that hold a
// GraphQL request, and decodes that request once: the first round trip
// reads it from the context to see what the request will need, and the
// GraphQL transport runs it.
func graphQLRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" && mt != "application/graphql-response+json" {
			writeError(w, r, http.StatusUnsupportedMediaType,
				apperr.New(apperr.BadUserInput, "Send the GraphQL request as JSON (Content-Type: application/json)."))
			return
		}
		start := graphql.Now()
		var params graphql.RawParams
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		dec.UseNumber() // integers stay integers for the argument coercion
		err := dec.Decode(&params)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeError(w, r, http.StatusRequestEntityTooLarge,
				apperr.Errorf(apperr.BadUserInput, "The request body is larger than %d bytes.", maxBodyBytes))
			return
		case err != nil:
			writeError(w, r, http.StatusBadRequest, apperr.New(apperr.BadUserInput,
				`The request body is not a GraphQL request: send a JSON object with "query" and optionally "variables".`))
			return
		}
		params.Headers = r.Header
		params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), paramsKey{}, &params)))
	})
}

type paramsKey struct{}

// paramsFrom returns the GraphQL request graphQLRequest decoded, or nil.
func paramsFrom(ctx context.Context) *graphql.RawParams {
	p, _ := ctx.Value(paramsKey{}).(*graphql.RawParams)
	return p
}

// errorResponse is the GraphQL response shape, used for every error,
// including those answered before GraphQL runs.
type errorResponse struct {
	Errors     []errorBody    `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

type errorBody struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// writeError writes err as a GraphQL-shaped error response with its code
// and the request's cost. Errors without a code are INTERNAL, with a fixed
// message.
func writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	ext := map[string]any{"code": apperr.CodeOf(err)}
	if e, ok := apperr.As(err); ok && e.RetryAfter > 0 {
		secs := int((e.RetryAfter + time.Second - 1) / time.Second)
		ext["retryAfter"] = secs
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, errorResponse{
		Errors:     []errorBody{{Message: apperr.MessageOf(err), Extensions: ext}},
		Extensions: map[string]any{"cost": cost.From(r.Context()).Snapshot()},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(r *http.Request) error {
	return apperr.Errorf(apperr.NotFound, "There is nothing at %s %s.", r.Method, r.URL.Path)
}

// statusFor maps an error code to an HTTP status, for non-GraphQL routes.
func statusFor(err error) int {
	switch apperr.CodeOf(err) {
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.BadUserInput:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// chartData serves GET /api/charts/{id}/data: one chart's data as JSON, the
// same object the GraphQL field Chart.data returns. It is the seed plan's
// single-chart endpoint, kept for older clients and for the benchmark's
// "before" scenario. The request's cost is in the X-Cost header.
func (a *App) chartData(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	data, err := func() (any, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.Errorf(apperr.BadUserInput, "chart id %q is not valid: ids are positive integers", r.PathValue("id"))
		}
		u, err := loaders.Viewer(ctx)
		if err != nil {
			return nil, err
		}
		chart, err := a.analytics.Chart(ctx, u, id)
		if err != nil {
			return nil, err
		}
		return loaders.ChartData(ctx, chart)
	}()
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			a.log.ErrorContext(ctx, "chart data", "err", err)
		}
		writeError(w, r, statusFor(err), err)
		return
	}
	costJSON, _ := json.Marshal(cost.From(ctx).Snapshot())
	w.Header().Set("X-Cost", string(costJSON))
	writeJSON(w, http.StatusOK, data)
}

// route registers a handler and records, for the request's metrics, the
// pattern it matched: a route label of bounded cardinality, unlike the path.
func route(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, _ := r.Context().Value(requestInfoKey{}).(*requestInfo); info != nil {
			info.route = pattern
		}
		h.ServeHTTP(w, r)
	}))
}

// noteUser records the signed-in user's id in the request's log context.
func noteUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := auth.PrincipalFrom(r.Context()); ok {
			if info, _ := r.Context().Value(requestInfoKey{}).(*requestInfo); info != nil {
				info.userID.Store(p.UserID)
			}
		}
		next.ServeHTTP(w, r)
	})
}
