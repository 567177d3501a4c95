package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dashgraph/dashgraph/apperr"
)

var testSecret = []byte("test-secret-test-secret-test-secret-0123")

func newTestTokens(t testing.TB) *Tokens {
	t.Helper()
	tk, err := NewTokens(TokenConfig{Secret: testSecret, Issuer: "dashgraph", Audience: "dashgraph-api", TTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// validClaims returns valid claims for user 7, for tests to spoil one at a time.
func validClaims() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": "dashgraph", "aud": "dashgraph-api", "sub": "7", "jti": "token-1", "sid": "session-1",
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyAcceptsIssuedToken(t *testing.T) {
	tk := newTestTokens(t)
	raw, issued, err := tk.Issue(42, "family-1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tk.Verify(raw)
	if err != nil {
		t.Fatalf("verify issued token: %v", err)
	}
	if p.UserID != 42 || p.TokenID != issued.TokenID || p.TokenID == "" || p.SessionID != "family-1" {
		t.Fatalf("principal = %+v, want user 42 with token id %q", p, issued.TokenID)
	}
	if got := p.ExpiresAt.Sub(p.IssuedAt); got != 15*time.Minute {
		t.Fatalf("token lifetime = %v, want 15m", got)
	}
	// Sub-second issue times let tokens_valid_after tell apart tokens issued
	// in the same second; float64 seconds keep them to the microsecond.
	if d := p.IssuedAt.Sub(issued.IssuedAt).Abs(); d > time.Microsecond {
		t.Fatalf("issued at %v, verified as %v", issued.IssuedAt, p.IssuedAt)
	}
}

func TestVerifyRefusesBadTokens(t *testing.T) {
	tk := newTestTokens(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims()
		change(c)
		return c
	}
	good := sign(t, jwt.SigningMethodHS256, testSecret, validClaims())
	parts := strings.Split(good, ".")

	tests := []struct {
		name  string
		token string
	}{
		{"Expired", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) {
			c["iat"] = time.Now().Add(-time.Hour).Unix()
			c["exp"] = time.Now().Add(-time.Minute).Unix()
		}))},
		{"NoExpiry", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"NoIssuer", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "iss") }))},
		{"NoAudience", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "aud") }))},
		{"WrongIssuer", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["iss"] = "someone-else" }))},
		{"WrongAudience", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["aud"] = "other-api" }))},
		{"IssuedInFuture", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() }))},
		{"NoTokenID", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "jti") }))},
		{"NoSession", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { delete(c, "sid") }))},
		{"BadSubject", sign(t, jwt.SigningMethodHS256, testSecret, with(func(c jwt.MapClaims) { c["sub"] = "admin" }))},
		{"OtherKey", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-0123456"), validClaims())},
		{"OtherHMACAlgorithm", sign(t, jwt.SigningMethodHS512, testSecret, validClaims())},
		{"ECDSAAlgorithm", sign(t, jwt.SigningMethodES256, ecKey, validClaims())},
		{"AlgNone", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims())},
		{"TamperedPayload", parts[0] + "." + mustEncode(t, `{"iss":"dashgraph","aud":"dashgraph-api","sub":"1","jti":"x","iat":1,"exp":9999999999}`) + "." + parts[2]},
		{"TruncatedSignature", good[:len(good)-4]},
		{"Garbage", "not-a-jwt"},
		{"Empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tk.Verify(tt.token)
			if err == nil {
				t.Fatal("token accepted, want refused")
			}
			if code := apperr.CodeOf(err); code != apperr.Unauthenticated {
				t.Fatalf("code = %s, want UNAUTHENTICATED", code)
			}
		})
	}
}

func mustEncode(t *testing.T, s string) string {
	t.Helper()
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func TestNewTokensRefusesShortSecret(t *testing.T) {
	_, err := NewTokens(TokenConfig{Secret: []byte("short"), Issuer: "i", Audience: "a", TTL: time.Minute})
	if err == nil {
		t.Fatal("a 5-byte HS256 secret was accepted")
	}
}

func BenchmarkVerify(b *testing.B) {
	tk := newTestTokens(b)
	raw, _, err := tk.Issue(42, "family-1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tk.Verify(raw); err != nil {
			b.Fatal(err)
		}
	}
}
