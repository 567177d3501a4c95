// Package auth holds authentication: access tokens (JWT), passwords,
// refresh sessions, revocation, and the HTTP middleware that turns a bearer
// token into a Principal.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dashgraph/dashgraph/apperr"
)

func init() {
	// Token issue times are compared with users.tokens_valid_after, which is
	// set to the instant of a "log out everywhere". With whole seconds, a
	// token issued in the same second as that instant could not be told
	// apart; microseconds match Postgres' timestamp precision.
	jwt.TimePrecision = time.Microsecond
}

// signingMethod is the only algorithm accepted. Pinning it refuses "none"
// and algorithm-confusion tokens before any key is used.
var signingMethod = jwt.SigningMethodHS256

// Principal is who a verified access token speaks for. It carries no
// permissions: those come from the user context, which can change while the
// token lives.
type Principal struct {
	UserID int64
	// TokenID is the token's jti, what logout blacklists.
	TokenID string
	// SessionID is the refresh-session family the token was issued in.
	SessionID string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// claims are the access token's claims: the registered ones and the session.
type claims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// TokenConfig configures access tokens.
type TokenConfig struct {
	Secret   []byte
	Issuer   string
	Audience string
	TTL      time.Duration
}

// Tokens issues and verifies access tokens.
type Tokens struct {
	cfg    TokenConfig
	parser *jwt.Parser
	now    func() time.Time
}

// minSecretLen is the shortest HS256 key accepted: 256 bits.
const minSecretLen = 32

// NewTokens checks the configuration and returns a token issuer and verifier.
func NewTokens(cfg TokenConfig) (*Tokens, error) {
	if len(cfg.Secret) < minSecretLen {
		return nil, fmt.Errorf("JWT secret must be at least %d bytes", minSecretLen)
	}
	if cfg.Issuer == "" || cfg.Audience == "" || cfg.TTL <= 0 {
		return nil, errors.New("JWT issuer, audience and a positive TTL are required")
	}
	return &Tokens{
		cfg: cfg,
		now: time.Now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{signingMethod.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(5*time.Second),
		),
	}, nil
}

// Issue signs an access token for the user, in a refresh-session family.
func (t *Tokens) Issue(userID int64, sessionID string) (token string, p Principal, err error) {
	now := t.now()
	jti, err := randomID()
	if err != nil {
		return "", Principal{}, err
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.cfg.Issuer,
			Subject:   strconv.FormatInt(userID, 10),
			Audience:  jwt.ClaimStrings{t.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.cfg.TTL)),
			ID:        jti,
		},
		SessionID: sessionID,
	}
	signed, err := jwt.NewWithClaims(signingMethod, c).SignedString(t.cfg.Secret)
	if err != nil {
		return "", Principal{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, principal(userID, c), nil
}

func principal(userID int64, c claims) Principal {
	return Principal{UserID: userID, TokenID: c.ID, SessionID: c.SessionID, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}
}

// Verify checks an access token locally: signature with the pinned
// algorithm, expiry, issuer and audience, all required. It does no I/O;
// revocation is checked later, once per request, by the viewer loader.
func (t *Tokens) Verify(token string) (Principal, error) {
	var c claims
	_, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.cfg.Secret, nil })
	if err != nil {
		return Principal{}, unauthenticated(tokenErrorMessage(err))
	}
	userID, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || userID <= 0 || c.ID == "" || c.SessionID == "" || c.IssuedAt == nil {
		return Principal{}, unauthenticated("The access token is missing required claims.")
	}
	return principal(userID, c), nil
}

func tokenErrorMessage(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "The access token has expired; refresh it or sign in again."
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "The access token is missing required claims."
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "The access token was not issued for this API."
	}
	return "The access token is not valid."
}

func unauthenticated(msg string) error { return apperr.New(apperr.Unauthenticated, msg) }

// randomID returns 128 random bits, URL-safe encoded: token and session ids.
func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
