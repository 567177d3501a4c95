package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/rbac"
)

// Credentials are what a login checks.
type Credentials struct {
	UserID       int64
	PasswordHash string
	IsActive     bool
}

// UserRecord is the part of a user a token check needs.
type UserRecord struct {
	ID               int64     `json:"id"`
	Email            string    `json:"email"`
	Name             string    `json:"name"`
	IsActive         bool      `json:"active"`
	TokensValidAfter time.Time `json:"validAfter"`
}

// ViewerState is everything a token check reads about the token's user.
// Context is nil when the user is missing, inactive or the token revoked.
type ViewerState struct {
	User         *UserRecord
	TokenRevoked bool
	Context      *rbac.UserContext
}

// RefreshSession is a stored refresh token (its hash, never the token).
type RefreshSession struct {
	UserID    int64
	FamilyID  string
	TokenHash []byte
	ExpiresAt time.Time
}

// Store is the storage authentication needs.
type Store interface {
	// Credentials returns the credentials for an email, or nil when no user
	// has it.
	Credentials(ctx context.Context, email string) (*Credentials, error)
	// Viewer returns what a token check needs about the user and token in
	// one call, so that a cache in front of it can answer in one round trip.
	Viewer(ctx context.Context, userID int64, tokenID string) (ViewerState, error)
	// CreateRefreshSession stores a new refresh session.
	CreateRefreshSession(ctx context.Context, s RefreshSession) error
}

// Session is what a successful login returns.
type Session struct {
	AccessToken      string
	RefreshToken     string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
	UserID           int64
}

// Service signs users in and checks their tokens.
type Service struct {
	store      Store
	tokens     *Tokens
	passwords  *Passwords
	refreshTTL time.Duration
	audit      *slog.Logger
	now        func() time.Time
}

// NewService returns the authentication service.
func NewService(store Store, tokens *Tokens, passwords *Passwords, refreshTTL time.Duration, audit *slog.Logger) *Service {
	return &Service{store: store, tokens: tokens, passwords: passwords, refreshTTL: refreshTTL, audit: audit, now: time.Now}
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "The email or password is incorrect.")

// Login checks an email and password and opens a session. An unknown email,
// a wrong password and an inactive account get the same error in about the
// same time, so a login cannot tell which emails have accounts.
func (s *Service) Login(ctx context.Context, email, password string) (*Session, error) {
	email = NormalizeEmail(email)
	creds, err := s.store.Credentials(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("load credentials: %w", err)
	}
	hash := ""
	if creds != nil {
		hash = creds.PasswordHash
	}
	if !s.passwords.Matches(hash, password) || !creds.IsActive {
		s.audit.InfoContext(ctx, "audit", "action", "login", "target", email, "result", "denied")
		return nil, errBadCredentials
	}
	sess, err := s.openSession(ctx, creds.UserID)
	if err != nil {
		return nil, err
	}
	s.audit.InfoContext(ctx, "audit", "action", "login", "actor", creds.UserID, "target", creds.UserID, "result", "ok")
	return sess, nil
}

func (s *Service) openSession(ctx context.Context, userID int64) (*Session, error) {
	access, claims, err := s.tokens.Issue(userID)
	if err != nil {
		return nil, err
	}
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return nil, err
	}
	family, err := randomUUID()
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(s.refreshTTL)
	if err := s.store.CreateRefreshSession(ctx, RefreshSession{UserID: userID, FamilyID: family, TokenHash: hash, ExpiresAt: expires}); err != nil {
		return nil, fmt.Errorf("create refresh session: %w", err)
	}
	return &Session{AccessToken: access, RefreshToken: refresh, AccessExpiresAt: claims.ExpiresAt, RefreshExpiresAt: expires, UserID: userID}, nil
}

// Authenticate checks that a verified token still speaks for an active user
// (not revoked, not issued before the user's tokens_valid_after) and returns
// the user's context.
func (s *Service) Authenticate(ctx context.Context, p Principal) (*rbac.UserContext, error) {
	st, err := s.store.Viewer(ctx, p.UserID, p.TokenID)
	if err != nil {
		return nil, fmt.Errorf("load viewer: %w", err)
	}
	switch {
	case st.TokenRevoked:
		return nil, unauthenticated("The access token has been revoked; sign in again.")
	case st.User == nil || !st.User.IsActive || st.Context == nil:
		return nil, unauthenticated("The account is not active.")
	case p.IssuedAt.Before(st.User.TokensValidAfter):
		return nil, unauthenticated("The access token has been revoked; sign in again.")
	}
	return st.Context, nil
}

// NormalizeEmail trims and lowercases an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// newRefreshToken returns an opaque refresh token (256 random bits) and the
// SHA-256 hash under which it is stored.
func newRefreshToken() (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("read random bytes: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken is the stored form of a refresh token.
func HashRefreshToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

func randomUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}
