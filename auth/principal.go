package auth

import (
	"context"
	"mime"
	"net/http"
	"strings"
	"time"

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

// CookieName is the cookie an access token travels in when a client asks
// for cookie transport.
const CookieName = "access_token"

// Middleware verifies the request's access token, from the Authorization
// header or else the access_token cookie, and puts the principal in the
// context. A request without a token passes through unauthenticated (login
// needs none); a request with a bad token is refused with onError, so a
// client never mistakes a broken token for signing out.
//
// A browser sends cookies on cross-site requests too, so a request
// authenticated by the cookie that could change something must prove it
// is not a cross-site form: JSON (which a form cannot send without a CORS
// preflight) or an X-CSRF-Token header (which a form cannot set).
func Middleware(tokens *Tokens, secureCookies bool, onError func(http.ResponseWriter, *http.Request, int, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), cookieKey{}, &cookieJar{w: w, secure: secureCookies})
			raw, fromCookie := bearerToken(r)
			if raw == "" && !fromCookie {
				next.ServeHTTP(w, r.WithContext(ctx))
				return
			}
			if fromCookie && !safeMethod(r.Method) && !sameSiteProof(r) {
				onError(w, r, http.StatusForbidden, apperr.New(apperr.Forbidden,
					"A request authenticated by cookie must be sent as application/json or with an X-CSRF-Token header."))
				return
			}
			p, err := tokens.Verify(raw)
			if err != nil {
				onError(w, r, http.StatusUnauthorized, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, p)))
		})
	}
}

// bearerToken returns the request's token and whether it came from the
// cookie. A malformed Authorization header yields a token that will not verify.
func bearerToken(r *http.Request) (token string, fromCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "-", false
		}
		return strings.TrimSpace(token), false
	}
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func sameSiteProof(r *http.Request) bool {
	if r.Header.Get("X-CSRF-Token") != "" {
		return true
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

type cookieKey struct{}

type cookieJar struct {
	w      http.ResponseWriter
	secure bool
}

// SetTokenCookie sets the access token cookie on the response being built
// for ctx's request. The GraphQL handler writes headers only after the
// resolvers return, so a resolver can call it.
func SetTokenCookie(ctx context.Context, token string, expires time.Time) {
	setCookie(ctx, &http.Cookie{Value: token, Expires: expires})
}

// ClearTokenCookie removes the access token cookie.
func ClearTokenCookie(ctx context.Context) {
	setCookie(ctx, &http.Cookie{MaxAge: -1})
}

// setCookie sets the access token cookie c, with the attributes every
// token cookie has.
func setCookie(ctx context.Context, c *http.Cookie) {
	if jar, ok := ctx.Value(cookieKey{}).(*cookieJar); ok {
		c.Name, c.Path, c.HttpOnly, c.Secure, c.SameSite = CookieName, "/", true, jar.secure, http.SameSiteStrictMode
		http.SetCookie(jar.w, c)
	}
}
