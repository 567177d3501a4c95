package ratelimit

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/dashgraph/dashgraph/auth"
)

// Limits are the configured limits. MFA and Upload are reserved for a
// second factor and for uploads, which the API does not have yet.
type Limits struct {
	API, Auth, Account, MFA, Upload Limit
}

// Request says what a request is counted as.
type Request struct {
	// Who is the signed-in user's id, or 0.
	Who int64
	// Client is the client's address (see ClientIP).
	Client string
	// SignIn is true for login and refreshToken.
	SignIn bool
	// Account is the email a login targets.
	Account string
}

// Checks lists a request's checks: every request against api, keyed by
// the signed-in user or else the client's address; sign-ins and refreshes
// also against auth by address; and a login also against account by the
// email it targets, so that one account cannot be tried from many
// addresses, answered the same whether the account exists or not.
func (l Limits) Checks(r Request) []Check {
	who := "ip:" + r.Client
	if r.Who != 0 {
		who = "user:" + strconv.FormatInt(r.Who, 10)
	}
	checks := []Check{{Kind: API, Limit: l.API, Key: who}}
	if r.SignIn {
		checks = append(checks, Check{Kind: Auth, Limit: l.Auth, Key: "ip:" + r.Client})
	}
	if r.Account != "" {
		checks = append(checks, Check{Kind: Account, Limit: l.Account, Key: auth.NormalizeEmail(r.Account)})
	}
	return checks
}

// Binding returns the decision a response reports: a denial if there is
// one, else the limit closest to running out.
func Binding(decisions []Decision) Decision {
	b := decisions[0]
	for _, d := range decisions[1:] {
		if !d.Allowed && b.Allowed || d.Allowed == b.Allowed && d.Remaining < b.Remaining {
			b = d
		}
	}
	return b
}

// WriteHeaders sets RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset (whole seconds) for a decision.
func WriteHeaders(h http.Header, d Decision) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(d.ResetAfter.Seconds()))))
}

// ClientIP is the address of the client: the connection's peer, or, when
// that is a trusted proxy, the nearest address in X-Forwarded-For that is
// not one.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
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
