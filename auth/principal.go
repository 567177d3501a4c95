package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/dashgraph/dashgraph/apperr"
)

type principalKey struct{}

// WithPrincipal returns a context carrying the verified principal.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of a request with a verified token.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ErrNoToken is returned for an operation that needs a signed-in user when
// the request carries no access token.
var ErrNoToken = apperr.New(apperr.Unauthenticated, "Sign in first: this needs an access token (Authorization: Bearer <token>).")

// Middleware verifies the request's access token, if it has one, and puts
// the principal in the context. A request without a token passes through
// unauthenticated (login needs none); a request with a bad token is refused
// with onError, so a client never mistakes a broken token for signing out.
func Middleware(tokens *Tokens, onError func(http.ResponseWriter, *http.Request, int, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, present := bearerToken(r)
			if !present {
				next.ServeHTTP(w, r)
				return
			}
			p, err := tokens.Verify(raw)
			if err != nil {
				onError(w, r, http.StatusUnauthorized, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// bearerToken returns the token of an "Authorization: Bearer" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(token), true
}
