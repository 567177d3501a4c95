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
	"github.com/dashgraph/dashgraph/invalidation"
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
// Context is nil when the user is missing or inactive or the token revoked.
type ViewerState struct {
	User           *UserRecord
	TokenRevoked   bool
	SessionRevoked bool
	Context        *rbac.UserContext
}

// RefreshSession is a stored refresh token (its hash, never the token).
type RefreshSession struct {
	UserID    int64
	FamilyID  string
	TokenHash []byte
	ExpiresAt time.Time
}

// Rotation is the outcome of presenting a refresh token.
type Rotation int

// Rotation outcomes.
const (
	// Rotated: the token was good; it is spent and its successor stored.
	Rotated Rotation = iota
	// Reused: the token was already spent; its whole family is now revoked.
	Reused
	// Refused: unknown, expired, revoked, or the user is inactive or was
	// logged out everywhere after the token was issued.
	Refused
)

// Store is the storage authentication needs. Writes record the cache
// invalidations they cause in the outbox and return them.
type Store interface {
	// Credentials returns the credentials for an email, or nil when no user
	// has it.
	Credentials(ctx context.Context, email string) (*Credentials, error)
	// CredentialsByID returns a user's credentials, or nil.
	CredentialsByID(ctx context.Context, userID int64) (*Credentials, error)
	// Viewer returns what a token check needs about the user, token and
	// session in one call, so that a cache in front of it can answer in one
	// round trip.
	Viewer(ctx context.Context, p Principal) (ViewerState, error)
	// CreateRefreshSession stores the first refresh session of a family.
	CreateRefreshSession(ctx context.Context, s RefreshSession) error
	// RotateRefreshSession spends the refresh token with the given hash and
	// stores next in its family. next.UserID and next.FamilyID are filled in
	// from the spent session.
	RotateRefreshSession(ctx context.Context, hash []byte, next *RefreshSession, now time.Time) (Rotation, []invalidation.Event, error)
	// Logout blacklists the token and revokes its session family.
	Logout(ctx context.Context, p Principal, now time.Time) ([]invalidation.Event, error)
	// RevokeUserTokens sets the user's tokens_valid_after to now and revokes
	// every session.
	RevokeUserTokens(ctx context.Context, userID int64, now time.Time) ([]invalidation.Event, error)
	// ChangePassword stores a new password hash and revokes every token
	// and session, as RevokeUserTokens does.
	ChangePassword(ctx context.Context, userID int64, hash string, now time.Time) ([]invalidation.Event, error)
	// PurgeExpired deletes blacklist rows and refresh sessions whose tokens
	// have expired, returning how many rows went.
	PurgeExpired(ctx context.Context, now time.Time) (int64, error)
}

// Session is what a login or refresh returns.
type Session struct {
	AccessToken      string
	RefreshToken     string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
	UserID           int64
}

// Service signs users in and out and checks their tokens.
type Service struct {
	store      Store
	tokens     *Tokens
	passwords  *Passwords
	inv        invalidation.Invalidator
	refreshTTL time.Duration
	audit      *slog.Logger
	now        func() time.Time
}

// NewService returns the authentication service.
func NewService(store Store, tokens *Tokens, passwords *Passwords, inv invalidation.Invalidator, refreshTTL time.Duration, audit *slog.Logger) *Service {
	return &Service{store: store, tokens: tokens, passwords: passwords, inv: inv, refreshTTL: refreshTTL, audit: audit, now: time.Now}
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "The email or password is incorrect.")

// auditLog writes the one audit line of an action. It never logs a
// password or a token.
func (s *Service) auditLog(ctx context.Context, action string, actor, target any, err error) {
	result := "ok"
	if err != nil {
		result = string(apperr.CodeOf(err))
	}
	s.audit.InfoContext(ctx, "audit", "actor", actor, "action", action, "target", target, "result", result)
}

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
		s.auditLog(ctx, "login", nil, email, errBadCredentials)
		return nil, errBadCredentials
	}
	sess, err := s.openSession(ctx, creds.UserID)
	s.auditLog(ctx, "login", creds.UserID, creds.UserID, err)
	return sess, err
}

// openSession starts a new refresh-session family with a token pair.
func (s *Service) openSession(ctx context.Context, userID int64) (*Session, error) {
	family, err := randomID()
	if err != nil {
		return nil, err
	}
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return nil, err
	}
	rs := RefreshSession{UserID: userID, FamilyID: family, TokenHash: hash, ExpiresAt: s.now().Add(s.refreshTTL)}
	if err := s.store.CreateRefreshSession(ctx, rs); err != nil {
		return nil, fmt.Errorf("create refresh session: %w", err)
	}
	return s.session(userID, family, refresh, rs.ExpiresAt)
}

func (s *Service) session(userID int64, family, refresh string, refreshExpires time.Time) (*Session, error) {
	access, p, err := s.tokens.Issue(userID, family)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, RefreshToken: refresh, AccessExpiresAt: p.ExpiresAt, RefreshExpiresAt: refreshExpires, UserID: userID}, nil
}

var (
	errRefreshRefused = apperr.New(apperr.Unauthenticated, "The refresh token is not valid; sign in again.")
	errRefreshReused  = apperr.New(apperr.Unauthenticated,
		"The refresh token was already used, so the session may be stolen: every token of it is revoked. Sign in again.")
)

// Refresh spends a refresh token and returns a new token pair in the same
// session family. A token presented a second time revokes the family.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return nil, err
	}
	next := RefreshSession{TokenHash: hash, ExpiresAt: s.now().Add(s.refreshTTL)}
	outcome, events, err := s.store.RotateRefreshSession(ctx, HashRefreshToken(token), &next, s.now())
	if err != nil {
		return nil, fmt.Errorf("rotate refresh session: %w", err)
	}
	s.inv.Invalidate(ctx, events)
	switch outcome {
	case Reused:
		s.auditLog(ctx, "refresh", next.UserID, "session:"+next.FamilyID, errRefreshReused)
		return nil, errRefreshReused
	case Refused:
		s.auditLog(ctx, "refresh", nil, nil, errRefreshRefused)
		return nil, errRefreshRefused
	}
	s.auditLog(ctx, "refresh", next.UserID, "session:"+next.FamilyID, nil)
	return s.session(next.UserID, next.FamilyID, refresh, next.ExpiresAt)
}

// Logout revokes the caller's access token and its session, everywhere, by
// the time it returns.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	events, err := s.store.Logout(ctx, p, s.now())
	s.auditLog(ctx, "logout", p.UserID, "session:"+p.SessionID, err)
	if err != nil {
		return err
	}
	s.inv.Invalidate(ctx, events)
	return nil
}

// LogoutAll revokes every token and session of the caller.
func (s *Service) LogoutAll(ctx context.Context, p Principal) error {
	events, err := s.store.RevokeUserTokens(ctx, p.UserID, s.now())
	s.auditLog(ctx, "logout_all", p.UserID, p.UserID, err)
	if err != nil {
		return err
	}
	s.inv.Invalidate(ctx, events)
	return nil
}

// ChangePassword checks the current password, stores the new one, revokes
// every token and session of the user (the caller's too) and opens a fresh
// session for the caller.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) (*Session, error) {
	creds, err := s.store.CredentialsByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	if creds == nil || !creds.IsActive {
		return nil, unauthenticated("The account is not active.")
	}
	if !s.passwords.Matches(creds.PasswordHash, current) {
		err := apperr.New(apperr.BadUserInput, "The current password is incorrect.")
		s.auditLog(ctx, "change_password", p.UserID, p.UserID, err)
		return nil, err
	}
	if current == next {
		return nil, apperr.New(apperr.BadUserInput, "The new password is the current one.")
	}
	hash, err := s.passwords.Hash(next)
	if err != nil {
		return nil, err
	}
	events, err := s.store.ChangePassword(ctx, p.UserID, hash, s.now())
	s.auditLog(ctx, "change_password", p.UserID, p.UserID, err)
	if err != nil {
		return nil, err
	}
	s.inv.Invalidate(ctx, events)
	return s.openSession(ctx, p.UserID)
}

// Authenticate checks that a verified token still speaks for an active user
// (not revoked, its session live, not issued before the user's
// tokens_valid_after) and returns the user's context.
func (s *Service) Authenticate(ctx context.Context, p Principal) (*rbac.UserContext, error) {
	st, err := s.store.Viewer(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("load viewer: %w", err)
	}
	switch {
	case st.TokenRevoked, st.SessionRevoked:
		return nil, unauthenticated("The access token has been revoked; sign in again.")
	case st.User == nil || !st.User.IsActive || st.Context == nil:
		return nil, unauthenticated("The account is not active.")
	case p.IssuedAt.Before(st.User.TokensValidAfter.Add(-issuedAtGrain)):
		return nil, unauthenticated("The access token has been revoked; sign in again.")
	}
	return st.Context, nil
}

// issuedAtGrain is how far a token's iat can move on its way through JSON:
// it travels as float64 seconds, exact to a microsecond, not to the digit.
// A token issued within it before a revocation (a microsecond) survives
// it; one issued right after, as by changePassword, is never refused.
const issuedAtGrain = time.Microsecond

// PurgeExpired deletes expired blacklist rows and refresh sessions every
// interval until ctx is done. A blacklisted token that has expired is
// refused by its expiry alone, so its row serves no purpose.
func (s *Service) PurgeExpired(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.store.PurgeExpired(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "purge expired tokens", "err", err)
		case n > 0:
			log.InfoContext(ctx, "purged expired tokens", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
