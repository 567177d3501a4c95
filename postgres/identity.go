package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/rbac"
)

func (db *DB) credentials(ctx context.Context, where string, arg any) (*auth.Credentials, error) {
	var c auth.Credentials
	err := db.Pool.QueryRow(ctx, `SELECT id, password_hash, is_active FROM users WHERE `+where, arg).
		Scan(&c.UserID, &c.PasswordHash, &c.IsActive)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Credentials implements auth.Store.
func (db *DB) Credentials(ctx context.Context, email string) (*auth.Credentials, error) {
	return db.credentials(ctx, "lower(email) = lower($1)", email)
}

// CredentialsByID implements auth.Store.
func (db *DB) CredentialsByID(ctx context.Context, userID int64) (*auth.Credentials, error) {
	return db.credentials(ctx, "id = $1", userID)
}

// Viewer implements auth.Store: one query for the user record and the
// token's and session's revocation, and one for the user context when they
// are good.
func (db *DB) Viewer(ctx context.Context, p auth.Principal) (auth.ViewerState, error) {
	st, err := db.TokenState(ctx, p)
	if err != nil || st.User == nil || st.TokenRevoked || st.SessionRevoked || !st.User.IsActive {
		return st, err
	}
	contexts, err := db.UserContexts(ctx, []int64{p.UserID})
	if err != nil {
		return st, err
	}
	st.Context = contexts[p.UserID]
	return st, nil
}

// TokenState returns the user's record (nil when there is no such user),
// whether the token id is blacklisted and whether its session family is
// revoked. The context is left empty.
func (db *DB) TokenState(ctx context.Context, p auth.Principal) (auth.ViewerState, error) {
	var u auth.UserRecord
	var st auth.ViewerState
	var sessionLive bool
	err := db.Pool.QueryRow(ctx, `
		SELECT u.id, u.email, u.name, u.is_active, u.tokens_valid_after,
		       EXISTS (SELECT 1 FROM token_blacklist b WHERE b.jti = $2),
		       EXISTS (SELECT 1 FROM refresh_sessions s WHERE s.family_id = $3 AND s.user_id = u.id AND s.revoked_at IS NULL)
		FROM users u WHERE u.id = $1`, p.UserID, p.TokenID, p.SessionID,
	).Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.TokensValidAfter, &st.TokenRevoked, &sessionLive)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.User, st.SessionRevoked = &u, !sessionLive
	return st, nil
}

// CreateRefreshSession implements auth.Store.
func (db *DB) CreateRefreshSession(ctx context.Context, s auth.RefreshSession) error {
	_, err := db.Pool.Exec(ctx,
		`INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
		s.UserID, s.FamilyID, s.TokenHash, s.ExpiresAt)
	return err
}

// RotateRefreshSession implements auth.Store. The presented session's row
// is locked, so two concurrent uses of one token cannot both rotate it.
func (db *DB) RotateRefreshSession(ctx context.Context, hash []byte, next *auth.RefreshSession, now time.Time) (auth.Rotation, []invalidation.Event, error) {
	outcome := auth.Refused
	events, err := db.write(ctx, "refresh", func(tx pgx.Tx) ([]invalidation.Event, error) {
		var id int64
		var expires, validAfter, created time.Time
		var rotated, revoked *time.Time
		var active bool
		err := tx.QueryRow(ctx, `
			SELECT s.id, s.user_id, s.family_id, s.expires_at, s.rotated_at, s.revoked_at, s.created_at,
			       u.is_active, u.tokens_valid_after
			FROM refresh_sessions s JOIN users u ON u.id = s.user_id
			WHERE s.token_hash = $1 FOR UPDATE OF s`, hash,
		).Scan(&id, &next.UserID, &next.FamilyID, &expires, &rotated, &revoked, &created, &active, &validAfter)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		switch {
		case revoked != nil:
			return nil, nil
		case rotated != nil:
			outcome = auth.Reused
			return revokeFamily(ctx, tx, next.FamilyID, now)
		case !expires.After(now), !active, created.Before(validAfter):
			return nil, nil
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_sessions SET rotated_at = $2 WHERE id = $1`, id, now); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`,
			next.UserID, next.FamilyID, next.TokenHash, next.ExpiresAt); err != nil {
			return nil, err
		}
		outcome = auth.Rotated
		return nil, nil
	})
	return outcome, events, err
}

func revokeFamily(ctx context.Context, tx pgx.Tx, family string, now time.Time) ([]invalidation.Event, error) {
	if _, err := tx.Exec(ctx, `UPDATE refresh_sessions SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`, family, now); err != nil {
		return nil, err
	}
	return []invalidation.Event{{Kind: invalidation.RefreshSession, Key: family}}, nil
}

// Logout implements auth.Store.
func (db *DB) Logout(ctx context.Context, p auth.Principal, now time.Time) ([]invalidation.Event, error) {
	return db.write(ctx, "logout", func(tx pgx.Tx) ([]invalidation.Event, error) {
		if _, err := tx.Exec(ctx, `INSERT INTO token_blacklist (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
			p.TokenID, p.UserID, p.ExpiresAt); err != nil {
			return nil, err
		}
		events, err := revokeFamily(ctx, tx, p.SessionID, now)
		return append([]invalidation.Event{invalidation.Revoked(p.TokenID, p.ExpiresAt)}, events...), err
	})
}

// revokeUserTokens sets tokens_valid_after and revokes every live session
// family of the user.
func revokeUserTokens(ctx context.Context, tx pgx.Tx, userID int64, now time.Time) ([]invalidation.Event, error) {
	tag, err := tx.Exec(ctx, `UPDATE users SET tokens_valid_after = $2, updated_at = $2 WHERE id = $1`, userID, now)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return nil, missing("user", userID)
	}
	rows, err := tx.Query(ctx, `UPDATE refresh_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
		RETURNING family_id`, userID, now)
	if err != nil {
		return nil, err
	}
	families, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	events := []invalidation.Event{invalidation.ID(invalidation.UserRecord, userID)}
	for _, f := range uniq(families) {
		events = append(events, invalidation.Event{Kind: invalidation.RefreshSession, Key: f})
	}
	return events, nil
}

// RevokeUserTokens implements auth.Store and admin.Store.
func (db *DB) RevokeUserTokens(ctx context.Context, userID int64, now time.Time) ([]invalidation.Event, error) {
	return db.write(ctx, "revoke_user_tokens", func(tx pgx.Tx) ([]invalidation.Event, error) {
		return revokeUserTokens(ctx, tx, userID, now)
	})
}

// ChangePassword implements auth.Store.
func (db *DB) ChangePassword(ctx context.Context, userID int64, hash string, now time.Time) ([]invalidation.Event, error) {
	return db.write(ctx, "change_password", func(tx pgx.Tx) ([]invalidation.Event, error) {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash); err != nil {
			return nil, err
		}
		return revokeUserTokens(ctx, tx, userID, now)
	})
}

// PurgeExpired implements auth.Store.
func (db *DB) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	a, err := db.Pool.Exec(ctx, `DELETE FROM token_blacklist WHERE expires_at < $1`, now)
	if err != nil {
		return 0, err
	}
	b, err := db.Pool.Exec(ctx, `DELETE FROM refresh_sessions WHERE expires_at < $1`, now)
	if err != nil {
		return 0, err
	}
	return a.RowsAffected() + b.RowsAffected(), nil
}

// userContextsSQL builds the contexts of many users in one statement:
// memberships, everything below them in the organization tree with each
// organization's practices, the unexpired role grants (with their
// permissions when $2 is true), and the subtree of every organization a
// role is granted in.
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
           CASE WHEN $2 THEN array(SELECT p.name FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id
                 WHERE rp.role_id = ur.role_id ORDER BY p.name) ELSE '{}' END AS permissions
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
WHERE u.id = ANY($1)`

// UserContexts builds the contexts of users, keyed by user id, in one
// query. Missing users are absent from the map; whether a user is active is
// the user record's business, not the context's.
func (db *DB) UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error) {
	return db.userContexts(ctx, ids, true)
}

// UserGrants is UserContexts without the permissions of the grants, for a
// caller that has them cached (see RolePermissions).
func (db *DB) UserGrants(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error) {
	return db.userContexts(ctx, ids, false)
}

// RolePermissions returns the permission names of roles, sorted, by role id.
func (db *DB) RolePermissions(ctx context.Context, roleIDs []int64) (map[int64][]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT r.id, array(SELECT p.name FROM role_permissions rp
		JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id ORDER BY p.name)
		FROM roles r WHERE r.id = ANY($1)`, roleIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]string, len(roleIDs))
	for rows.Next() {
		var id int64
		var perms []string
		if err := rows.Scan(&id, &perms); err != nil {
			return nil, err
		}
		out[id] = perms
	}
	return out, rows.Err()
}

// RoleIDs lists every role, for cache warming.
func (db *DB) RoleIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id FROM roles ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (db *DB) userContexts(ctx context.Context, ids []int64, withPermissions bool) (map[int64]*rbac.UserContext, error) {
	rows, err := db.Pool.Query(ctx, userContextsSQL, ids, withPermissions)
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
