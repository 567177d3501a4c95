package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/rbac"
)

// Credentials implements auth.Store.
func (db *DB) Credentials(ctx context.Context, email string) (*auth.Credentials, error) {
	var c auth.Credentials
	err := db.Pool.QueryRow(ctx,
		`SELECT id, password_hash, is_active FROM users WHERE lower(email) = lower($1)`, email,
	).Scan(&c.UserID, &c.PasswordHash, &c.IsActive)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Viewer implements auth.Store: one query for the user record and the
// token's revocation, and one for the user context when the token is good.
func (db *DB) Viewer(ctx context.Context, userID int64, tokenID string) (auth.ViewerState, error) {
	var st auth.ViewerState
	user, revoked, err := db.TokenState(ctx, userID, tokenID)
	if err != nil || user == nil {
		return st, err
	}
	st.User, st.TokenRevoked = user, revoked
	if revoked || !user.IsActive {
		return st, nil
	}
	contexts, err := db.UserContexts(ctx, []int64{userID})
	if err != nil {
		return st, err
	}
	st.Context = contexts[userID]
	return st, nil
}

// TokenState returns the user's record (nil when there is no such user) and
// whether the token id is blacklisted.
func (db *DB) TokenState(ctx context.Context, userID int64, tokenID string) (*auth.UserRecord, bool, error) {
	var u auth.UserRecord
	var revoked bool
	err := db.Pool.QueryRow(ctx, `
		SELECT u.id, u.email, u.name, u.is_active, u.tokens_valid_after,
		       EXISTS (SELECT 1 FROM token_blacklist b WHERE b.jti = $2)
		FROM users u WHERE u.id = $1`, userID, tokenID,
	).Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.TokensValidAfter, &revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &u, revoked, nil
}

// CreateRefreshSession implements auth.Store.
func (db *DB) CreateRefreshSession(ctx context.Context, s auth.RefreshSession) error {
	_, err := db.Pool.Exec(ctx,
		`INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
		s.UserID, s.FamilyID, s.TokenHash, s.ExpiresAt)
	return err
}

// userContextsSQL builds the contexts of many users in one statement:
// memberships, everything below them in the organization tree with each
// organization's practices, the unexpired role grants with their
// permissions, and the subtree of every organization a role is granted in.
const userContextsSQL = `
WITH RECURSIVE
member AS (
    SELECT uo.user_id, o.id AS org_id
    FROM user_organizations uo
    JOIN organizations o ON o.id = uo.organization_id AND o.is_active
    WHERE uo.user_id = ANY($1)
),
accessible AS (
    SELECT user_id, org_id FROM member
    UNION
    SELECT a.user_id, o.id FROM accessible a
    JOIN organizations o ON o.parent_organization_id = a.org_id AND o.is_active
),
grants AS (
    SELECT ur.user_id, ur.role_id, r.name, ur.organization_id, ur.expires_at,
           array(SELECT p.name FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id
                 WHERE rp.role_id = ur.role_id ORDER BY p.name) AS permissions
    FROM user_roles ur JOIN roles r ON r.id = ur.role_id
    WHERE ur.user_id = ANY($1) AND (ur.expires_at IS NULL OR ur.expires_at > now())
),
subtree AS (
    SELECT DISTINCT organization_id AS root, organization_id AS org_id FROM grants WHERE organization_id IS NOT NULL
    UNION
    SELECT s.root, o.id FROM subtree s
    JOIN organizations o ON o.parent_organization_id = s.org_id AND o.is_active
)
SELECT u.id, u.email, u.name,
    coalesce((SELECT json_agg(json_build_object(
            'roleId', g.role_id, 'name', g.name, 'organizationId', g.organization_id,
            'expiresAt', g.expires_at, 'permissions', g.permissions) ORDER BY g.name, g.organization_id)
        FROM grants g WHERE g.user_id = u.id), '[]'),
    coalesce((SELECT json_agg(json_build_object(
            'id', o.id, 'name', o.name, 'slug', o.slug, 'parentId', o.parent_organization_id) ORDER BY o.name, o.id)
        FROM member m JOIN organizations o ON o.id = m.org_id WHERE m.user_id = u.id), '[]'),
    coalesce((SELECT json_agg(json_build_object(
            'id', o.id, 'name', o.name, 'slug', o.slug, 'parentId', o.parent_organization_id,
            'practices', array(SELECT p.id FROM practices p WHERE p.organization_id = o.id ORDER BY p.id))
            ORDER BY o.name, o.id)
        FROM accessible a JOIN organizations o ON o.id = a.org_id WHERE a.user_id = u.id), '[]'),
    coalesce((SELECT json_object_agg(st.root, st.ids)
        FROM (SELECT root, array_agg(org_id ORDER BY org_id) AS ids FROM subtree GROUP BY root) st
        WHERE st.root IN (SELECT g.organization_id FROM grants g WHERE g.user_id = u.id)), '{}')
FROM users u
WHERE u.id = ANY($1) AND u.is_active`

// UserContexts builds the contexts of active users, keyed by user id, in
// one query. Missing and inactive users are absent from the map.
func (db *DB) UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error) {
	rows, err := db.Pool.Query(ctx, userContextsSQL, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]*rbac.UserContext, len(ids))
	for rows.Next() {
		var uc rbac.UserContext
		var roles, orgs, accessible, subtrees []byte
		if err := rows.Scan(&uc.UserID, &uc.Email, &uc.Name, &roles, &orgs, &accessible, &subtrees); err != nil {
			return nil, err
		}
		var acc []struct {
			rbac.Organization
			Practices []int64 `json:"practices"`
		}
		if err := errors.Join(
			json.Unmarshal(roles, &uc.Roles),
			json.Unmarshal(orgs, &uc.Organizations),
			json.Unmarshal(accessible, &acc),
			json.Unmarshal(subtrees, &uc.Subtrees),
		); err != nil {
			return nil, fmt.Errorf("decode user context: %w", err)
		}
		uc.OrgPractices = make(map[int64][]int64, len(acc))
		for _, a := range acc {
			uc.Accessible = append(uc.Accessible, a.Organization)
			uc.OrgPractices[a.ID] = a.Practices
		}
		out[uc.UserID] = &uc
	}
	return out, rows.Err()
}
