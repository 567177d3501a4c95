package auth

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/dashgraph/dashgraph/apperr"
)

// Password length bounds. bcrypt reads at most 72 bytes, so longer
// passwords are refused rather than silently truncated.
const (
	minPasswordLen = 8
	maxPasswordLen = 72
)

// Passwords hashes and checks passwords with bcrypt.
type Passwords struct {
	cost int
	// dummyHash is compared against when the email is unknown, so that an
	// unknown email and a wrong password take about the same time.
	dummyHash []byte
}

// NewPasswords returns a hasher of the given bcrypt cost.
func NewPasswords(cost int) (*Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d is outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("dashgraph-timing-equalizer"), cost)
	if err != nil {
		return nil, fmt.Errorf("hash dummy password: %w", err)
	}
	return &Passwords{cost: cost, dummyHash: dummy}, nil
}

// Hash checks the password's length and returns its hash.
func (p *Passwords) Hash(password string) (string, error) {
	if err := CheckPasswordPolicy(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Matches reports whether password matches hash. An empty hash stands for
// an unknown user: the dummy hash is checked so the time taken is the same.
func (p *Passwords) Matches(hash, password string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(p.dummyHash, []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// CheckPasswordPolicy returns BAD_USER_INPUT for a password that is too
// short or too long.
func CheckPasswordPolicy(password string) error {
	if len(password) < minPasswordLen {
		return apperr.Errorf(apperr.BadUserInput, "a password needs at least %d characters", minPasswordLen)
	}
	if len(password) > maxPasswordLen {
		return apperr.Errorf(apperr.BadUserInput, "a password has at most %d bytes", maxPasswordLen)
	}
	return nil
}
