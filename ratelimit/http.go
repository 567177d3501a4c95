package ratelimit

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/auth"
)

// Limits are the configured limits. MFA and Upload are reserved for a
// second factor and for uploads, which the API does not have yet.
type Limits struct {
	API, Auth, Account, MFA, Upload Limit
}

// Config configures the HTTP middleware.
type Config struct {
	Limits Limits
	// TrustedProxies are the addresses whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// Middleware counts every request against the api limit, keyed by the
// signed-in user or else the client's address; sign-ins and token refreshes
// also against the auth limit by address; and a sign-in also against the
// account limit by the email it targets, so that one account cannot be
// tried from many addresses. A request over a limit gets onError with HTTP
// 429; every response carries RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset for the limit closest to running out.
func Middleware(l *Limiter, cfg Config, onError func(http.ResponseWriter, *http.Request, int, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			client := "ip:" + clientIP(r, cfg.TrustedProxies)
			who := client
			if p, ok := auth.PrincipalFrom(ctx); ok {
				who = "user:" + strconv.FormatInt(p.UserID, 10)
			}
			op := classify(r)
			decisions := []Decision{l.Allow(ctx, API, cfg.Limits.API, who)}
			if op.auth {
				decisions = append(decisions, l.Allow(ctx, Auth, cfg.Limits.Auth, client))
			}
			if op.account != "" {
				decisions = append(decisions, l.Allow(ctx, Account, cfg.Limits.Account, auth.NormalizeEmail(op.account)))
			}
			binding := decisions[0]
			for _, d := range decisions[1:] {
				if !d.Allowed && binding.Allowed || d.Allowed == binding.Allowed && d.Remaining < binding.Remaining {
					binding = d
				}
			}
			h := w.Header()
			h.Set("RateLimit-Limit", strconv.Itoa(binding.Limit))
			h.Set("RateLimit-Remaining", strconv.Itoa(binding.Remaining))
			h.Set("RateLimit-Reset", strconv.Itoa(seconds(binding.ResetAfter)))
			if !binding.Allowed {
				onError(w, r, http.StatusTooManyRequests, &apperr.Error{
					Code:       apperr.RateLimited,
					Message:    "Too many requests; retry after the time in extensions.retryAfter (seconds).",
					RetryAfter: binding.RetryAfter,
				})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// seconds rounds up to whole seconds.
func seconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// operation is what limits a request is counted against besides api.
type operation struct {
	auth    bool
	account string
}

// classify reads a GraphQL request body (bounded by the JSON middleware
// before this one) for a login or a token refresh. Other requests, and
// every request that is not a GraphQL POST, count against api only.
func classify(r *http.Request) operation {
	if r.Method != http.MethodPost || r.Body == nil {
		return operation{}
	}
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || !bytes.Contains(body, []byte("login")) && !bytes.Contains(body, []byte("refreshToken")) {
		return operation{}
	}
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if json.Unmarshal(body, &req) != nil {
		return operation{}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		return operation{}
	}
	var out operation
	for _, op := range doc.Operations {
		if op.Operation != ast.Mutation || req.OperationName != "" && op.Name != req.OperationName {
			continue
		}
		for _, sel := range op.SelectionSet {
			f, ok := sel.(*ast.Field)
			if !ok {
				continue
			}
			switch f.Name {
			case "refreshToken":
				out.auth = true
			case "login":
				out.auth = true
				if a := f.Arguments.ForName("email"); a != nil && a.Value != nil {
					out.account = argumentString(a.Value, req.Variables)
				}
			}
		}
	}
	return out
}

func argumentString(v *ast.Value, vars map[string]any) string {
	if v.Kind == ast.Variable {
		s, _ := vars[v.Raw].(string)
		return s
	}
	return v.Raw
}

// clientIP is the address of the client: the connection's peer, or, when
// that is a trusted proxy, the nearest address in X-Forwarded-For that is
// not one.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !isTrusted(a, trusted) {
			return a.Unmap().String()
		}
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
