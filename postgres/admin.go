package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/rbac"
)

// The administrative store: admin.Store on the same pool. Each write runs
// in db.write, so its invalidations are recorded in the outbox with it.
// Events that concern many users (every holder of a role, every member
// around an organization) are expanded to the users inside the write's
// transaction, so the outbox names exactly the entries to drop.

type events = []invalidation.Event

func userContexts(ids []int64) events {
	out := make(events, 0, len(ids))
	for _, id := range uniq(ids) {
		out = append(out, invalidation.ID(invalidation.UserContext, id))
	}
	return out
}

func ids(ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]int64, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// roleHolders lists the users holding a role, in any organization.
func roleHolders(ctx context.Context, tx pgx.Tx, roleID int64) ([]int64, error) {
	return ids(ctx, tx, `SELECT user_id FROM user_roles WHERE role_id = $1`, roleID)
}

// usersAroundOrganizations lists the users whose contexts mention any of the
// organizations: members of them, of their ancestors (who reach them) and of
// their descendants, and users granted a role in any of those.
func usersAroundOrganizations(ctx context.Context, tx pgx.Tx, orgIDs []int64) ([]int64, error) {
	return ids(ctx, tx, `
		WITH RECURSIVE up AS (
		    SELECT id, parent_organization_id FROM organizations WHERE id = ANY($1)
		    UNION
		    SELECT o.id, o.parent_organization_id FROM organizations o JOIN up ON o.id = up.parent_organization_id
		), down AS (
		    SELECT id FROM organizations WHERE id = ANY($1)
		    UNION
		    SELECT o.id FROM organizations o JOIN down ON o.parent_organization_id = down.id
		), around AS (SELECT id FROM up UNION SELECT id FROM down)
		SELECT user_id FROM user_organizations WHERE organization_id IN (SELECT id FROM around)
		UNION
		SELECT user_id FROM user_roles WHERE organization_id IN (SELECT id FROM around)`, orgIDs)
}

func dashboardEvents(ctx context.Context, tx pgx.Tx, sql string, args ...any) (events, error) {
	dashboards, err := ids(ctx, tx, sql, args...)
	if err != nil {
		return nil, err
	}
	out := make(events, 0, len(dashboards))
	for _, id := range uniq(dashboards) {
		out = append(out, invalidation.ID(invalidation.Dashboard, id))
	}
	return out, nil
}

// User implements admin.Store.
func (db *DB) User(ctx context.Context, id int64) (*admin.User, error) {
	var u admin.User
	err := db.Pool.QueryRow(ctx, `SELECT id, email, name, is_active, created_at FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, missing("user", id)
	}
	return &u, err
}

// Users implements admin.Store: users by id, of the given organizations
// (all when orgs is nil).
func (db *DB) Users(ctx context.Context, limit int, afterID int64, orgs []int64) ([]admin.User, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT u.id, u.email, u.name, u.is_active, u.created_at FROM users u
		WHERE u.id > $1 AND ($3::bigint[] IS NULL OR EXISTS (
		    SELECT 1 FROM user_organizations uo WHERE uo.user_id = u.id AND uo.organization_id = ANY($3)))
		ORDER BY u.id LIMIT $2`, afterID, limit, orgs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (admin.User, error) {
		var u admin.User
		err := r.Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.CreatedAt)
		return u, err
	})
}

const roleColumns = `r.id, r.name, r.description, r.organization_id, r.is_system,
	array(SELECT p.name FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id ORDER BY p.name)`

func scanRole(row pgx.Row) (admin.Role, error) {
	var r admin.Role
	err := row.Scan(&r.ID, &r.Name, &r.Description, &r.OrganizationID, &r.IsSystem, &r.Permissions)
	return r, err
}

func role(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id int64) (*admin.Role, error) {
	r, err := scanRole(q.QueryRow(ctx, `SELECT `+roleColumns+` FROM roles r WHERE r.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, missing("role", id)
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Role implements admin.Store.
func (db *DB) Role(ctx context.Context, id int64) (*admin.Role, error) { return role(ctx, db.Pool, id) }

// Roles implements admin.Store: system roles and the roles of the given
// organizations (every role when orgs is nil).
func (db *DB) Roles(ctx context.Context, limit int, afterID int64, orgs []int64) ([]admin.Role, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+roleColumns+` FROM roles r
		WHERE r.id > $1 AND ($3::bigint[] IS NULL OR r.organization_id IS NULL OR r.organization_id = ANY($3))
		ORDER BY r.id LIMIT $2`, afterID, limit, orgs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (admin.Role, error) { return scanRole(r) })
}

// Permissions implements admin.Store.
func (db *DB) Permissions(ctx context.Context, limit int, afterID int64) ([]admin.Permission, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, name, description FROM permissions WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[admin.Permission])
}

// UnknownPermissions implements admin.Store.
func (db *DB) UnknownPermissions(ctx context.Context, names []string) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `SELECT n FROM unnest($1::text[]) n WHERE NOT EXISTS (SELECT 1 FROM permissions p WHERE p.name = n)`, names)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Organization implements admin.Store.
func (db *DB) Organization(ctx context.Context, id int64) (*rbac.Organization, error) {
	var o rbac.Organization
	err := db.Pool.QueryRow(ctx, `SELECT id, name, slug, parent_organization_id FROM organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &o.Slug, &o.ParentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, missing("organization", id)
	}
	return &o, err
}

// Organizations implements admin.Store.
func (db *DB) Organizations(ctx context.Context, limit int, afterID int64, orgs []int64) ([]rbac.Organization, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, name, slug, parent_organization_id FROM organizations
		WHERE id > $1 AND ($3::bigint[] IS NULL OR id = ANY($3)) ORDER BY id LIMIT $2`, afterID, limit, orgs)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[rbac.Organization])
}

// CreateUser implements admin.Store. A new user has nothing cached.
func (db *DB) CreateUser(ctx context.Context, in admin.CreateUserInput, hash string) (*admin.User, events, error) {
	var u admin.User
	evs, err := db.write(ctx, "create_user", func(tx pgx.Tx) (events, error) {
		err := tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
			RETURNING id, email, name, is_active, created_at`, in.Email, in.Name, hash,
		).Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.CreatedAt)
		if err != nil {
			return nil, err
		}
		for _, org := range uniq(in.OrganizationIDs) {
			if err := addMember(ctx, tx, u.ID, org); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return &u, evs, err
}

func addMember(ctx context.Context, tx pgx.Tx, userID, orgID int64) error {
	tag, err := tx.Exec(ctx, `INSERT INTO user_organizations (user_id, organization_id)
		SELECT $1, id FROM organizations WHERE id = $2`, userID, orgID)
	if err == nil && tag.RowsAffected() == 0 {
		return missing("organization", orgID)
	}
	return err
}

// UpdateUser implements admin.Store. The user record and context both hold
// the name and email.
func (db *DB) UpdateUser(ctx context.Context, id int64, in admin.UpdateUserInput) (*admin.User, events, error) {
	var u admin.User
	evs, err := db.write(ctx, "update_user", func(tx pgx.Tx) (events, error) {
		err := tx.QueryRow(ctx, `UPDATE users SET name = coalesce($2, name), email = coalesce($3, email), updated_at = now()
			WHERE id = $1 RETURNING id, email, name, is_active, created_at`, id, in.Name, in.Email,
		).Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, missing("user", id)
		}
		return events{invalidation.ID(invalidation.UserRecord, id), invalidation.ID(invalidation.UserContext, id)}, err
	})
	return &u, evs, err
}

// SetUserActive implements admin.Store.
func (db *DB) SetUserActive(ctx context.Context, id int64, active bool, now time.Time) (*admin.User, events, error) {
	var u admin.User
	evs, err := db.write(ctx, "set_user_active", func(tx pgx.Tx) (events, error) {
		err := tx.QueryRow(ctx, `UPDATE users SET is_active = $2, updated_at = now() WHERE id = $1
			RETURNING id, email, name, is_active, created_at`, id, active,
		).Scan(&u.ID, &u.Email, &u.Name, &u.IsActive, &u.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, missing("user", id)
		}
		if err != nil {
			return nil, err
		}
		evs := events{invalidation.ID(invalidation.UserContext, id)}
		if active {
			return append(evs, invalidation.ID(invalidation.UserRecord, id)), nil
		}
		// Deactivation ends every token and session at once; they stay
		// ended after a reactivation.
		revoked, err := revokeUserTokens(ctx, tx, id, now)
		return append(evs, revoked...), err
	})
	return &u, evs, err
}

// AssignRole implements admin.Store.
func (db *DB) AssignRole(ctx context.Context, g admin.RoleGrant) (events, error) {
	return db.write(ctx, "assign_role", func(tx pgx.Tx) (events, error) {
		_, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role_id, organization_id, expires_at, granted_by)
			VALUES ($1, $2, $3, $4, $5)`, g.UserID, g.RoleID, g.OrganizationID, g.ExpiresAt, g.GrantedBy)
		return userContexts([]int64{g.UserID}), err
	})
}

// RemoveRole implements admin.Store.
func (db *DB) RemoveRole(ctx context.Context, userID, roleID int64, orgID *int64) (events, error) {
	return db.write(ctx, "remove_role", func(tx pgx.Tx) (events, error) {
		tag, err := tx.Exec(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2
			AND organization_id IS NOT DISTINCT FROM $3`, userID, roleID, orgID)
		if err == nil && tag.RowsAffected() == 0 {
			return nil, missing("grant of role", roleID)
		}
		return userContexts([]int64{userID}), err
	})
}

// SetMembership implements admin.Store.
func (db *DB) SetMembership(ctx context.Context, userID, orgID int64, member bool) (events, error) {
	return db.write(ctx, "set_membership", func(tx pgx.Tx) (events, error) {
		if member {
			return userContexts([]int64{userID}), addMember(ctx, tx, userID, orgID)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM user_organizations WHERE user_id = $1 AND organization_id = $2`, userID, orgID)
		if err == nil && tag.RowsAffected() == 0 {
			return nil, missing("membership of organization", orgID)
		}
		return userContexts([]int64{userID}), err
	})
}

// roleChanged returns the events of a change to a role's permissions or
// name: the role's permission list and the context of every holder.
func roleChanged(ctx context.Context, tx pgx.Tx, roleID int64) (events, error) {
	holders, err := roleHolders(ctx, tx, roleID)
	if err != nil {
		return nil, err
	}
	return append(events{invalidation.ID(invalidation.RolePermissions, roleID)}, userContexts(holders)...), nil
}

// CreateRole implements admin.Store. A new role has no holders.
func (db *DB) CreateRole(ctx context.Context, in admin.CreateRoleInput) (*admin.Role, events, error) {
	var r *admin.Role
	evs, err := db.write(ctx, "create_role", func(tx pgx.Tx) (events, error) {
		var id int64
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		}
		if err := tx.QueryRow(ctx, `INSERT INTO roles (name, description, organization_id) VALUES ($1, $2, $3) RETURNING id`,
			in.Name, desc, in.OrganizationID).Scan(&id); err != nil {
			return nil, err
		}
		if err := setPermissions(ctx, tx, id, in.Permissions); err != nil {
			return nil, err
		}
		var err error
		r, err = role(ctx, tx, id)
		return nil, err
	})
	return r, evs, err
}

func setPermissions(ctx context.Context, tx pgx.Tx, roleID int64, names []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = $1`, roleID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission_id)
		SELECT $1, id FROM permissions WHERE name = ANY($2)`, roleID, names)
	return err
}

// roleWrite runs a change to an existing role and returns the role after it.
func (db *DB) roleWrite(ctx context.Context, reason string, id int64, fn func(tx pgx.Tx) error) (*admin.Role, events, error) {
	var r *admin.Role
	evs, err := db.write(ctx, reason, func(tx pgx.Tx) (events, error) {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM roles WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
		if err := fn(tx); err != nil {
			return nil, err
		}
		var err error
		if r, err = role(ctx, tx, id); err != nil {
			return nil, err
		}
		return roleChanged(ctx, tx, id)
	})
	return r, evs, err
}

// UpdateRole implements admin.Store.
func (db *DB) UpdateRole(ctx context.Context, id int64, in admin.UpdateRoleInput) (*admin.Role, events, error) {
	return db.roleWrite(ctx, "update_role", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE roles SET name = coalesce($2, name), description = coalesce($3, description),
			updated_at = now() WHERE id = $1`, id, in.Name, in.Description)
		return err
	})
}

// SetRolePermissions implements admin.Store.
func (db *DB) SetRolePermissions(ctx context.Context, id int64, names []string) (*admin.Role, events, error) {
	return db.roleWrite(ctx, "set_role_permissions", id, func(tx pgx.Tx) error { return setPermissions(ctx, tx, id, names) })
}

// GrantPermission implements admin.Store.
func (db *DB) GrantPermission(ctx context.Context, id int64, name string) (*admin.Role, events, error) {
	return db.roleWrite(ctx, "grant_permission", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission_id) SELECT $1, id FROM permissions WHERE name = $2`, id, name)
		return err
	})
}

// RevokePermission implements admin.Store.
func (db *DB) RevokePermission(ctx context.Context, id int64, name string) (*admin.Role, events, error) {
	return db.roleWrite(ctx, "revoke_permission", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM role_permissions WHERE role_id = $1
			AND permission_id = (SELECT id FROM permissions WHERE name = $2)`, id, name)
		return err
	})
}

// DeleteRole implements admin.Store. The holders are read before the
// grants go with the role.
func (db *DB) DeleteRole(ctx context.Context, id int64) (events, error) {
	return db.write(ctx, "delete_role", func(tx pgx.Tx) (events, error) {
		evs, err := roleChanged(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM roles WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return nil, missing("role", id)
		}
		return evs, err
	})
}

// lockTree serializes changes to the organization tree, so that two
// concurrent moves cannot make a cycle together.
func lockTree(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('dashgraph.organization_tree'))`)
	return err
}

func scanOrg(row pgx.Row) (*rbac.Organization, error) {
	var o rbac.Organization
	if err := row.Scan(&o.ID, &o.Name, &o.Slug, &o.ParentID); err != nil {
		return nil, err
	}
	return &o, nil
}

// CreateOrganization implements admin.Store. Everyone who reaches the
// parent now reaches the new organization.
func (db *DB) CreateOrganization(ctx context.Context, in admin.CreateOrganizationInput) (*rbac.Organization, events, error) {
	var o *rbac.Organization
	evs, err := db.write(ctx, "create_organization", func(tx pgx.Tx) (events, error) {
		if err := lockTree(ctx, tx); err != nil {
			return nil, err
		}
		var err error
		o, err = scanOrg(tx.QueryRow(ctx, `INSERT INTO organizations (name, slug, parent_organization_id) VALUES ($1, $2, $3)
			RETURNING id, name, slug, parent_organization_id`, in.Name, in.Slug, in.ParentID))
		if err != nil {
			return nil, err
		}
		users, err := usersAroundOrganizations(ctx, tx, []int64{o.ID})
		return userContexts(users), err
	})
	return o, evs, err
}

// UpdateOrganization implements admin.Store. Contexts hold organization names.
func (db *DB) UpdateOrganization(ctx context.Context, id int64, in admin.UpdateOrganizationInput) (*rbac.Organization, events, error) {
	var o *rbac.Organization
	evs, err := db.write(ctx, "update_organization", func(tx pgx.Tx) (events, error) {
		var err error
		o, err = scanOrg(tx.QueryRow(ctx, `UPDATE organizations SET name = coalesce($2, name), slug = coalesce($3, slug),
			updated_at = now() WHERE id = $1 RETURNING id, name, slug, parent_organization_id`, id, in.Name, in.Slug))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, missing("organization", id)
		}
		if err != nil {
			return nil, err
		}
		users, err := usersAroundOrganizations(ctx, tx, []int64{id})
		return userContexts(users), err
	})
	return o, evs, err
}

// MoveOrganization implements admin.Store. The users around the subtree are
// collected both before the move (old ancestors) and after (new ones).
func (db *DB) MoveOrganization(ctx context.Context, id int64, parentID *int64) (*rbac.Organization, events, error) {
	var o *rbac.Organization
	evs, err := db.write(ctx, "move_organization", func(tx pgx.Tx) (events, error) {
		if err := lockTree(ctx, tx); err != nil {
			return nil, err
		}
		if parentID != nil {
			var cycle bool
			if err := tx.QueryRow(ctx, `
				WITH RECURSIVE down AS (
				    SELECT id FROM organizations WHERE id = $1
				    UNION
				    SELECT o.id FROM organizations o JOIN down ON o.parent_organization_id = down.id
				) SELECT $2 IN (SELECT id FROM down)`, id, *parentID).Scan(&cycle); err != nil {
				return nil, err
			}
			if cycle {
				return nil, badInputf("organization %d cannot move under %d: that is inside its own subtree", id, *parentID)
			}
		}
		before, err := usersAroundOrganizations(ctx, tx, []int64{id})
		if err != nil {
			return nil, err
		}
		o, err = scanOrg(tx.QueryRow(ctx, `UPDATE organizations SET parent_organization_id = $2, updated_at = now()
			WHERE id = $1 RETURNING id, name, slug, parent_organization_id`, id, parentID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, missing("organization", id)
		}
		if err != nil {
			return nil, err
		}
		after, err := usersAroundOrganizations(ctx, tx, []int64{id})
		return userContexts(append(before, after...)), err
	})
	return o, evs, err
}

// CreateDashboard implements admin.Store. A new dashboard has nothing cached.
func (db *DB) CreateDashboard(ctx context.Context, in admin.DashboardInput, createdBy int64) (int64, events, error) {
	var id int64
	evs, err := db.write(ctx, "create_dashboard", func(tx pgx.Tx) (events, error) {
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		}
		if err := tx.QueryRow(ctx, `INSERT INTO dashboards (name, description, organization_id, created_by)
			VALUES ($1, $2, $3, $4) RETURNING id`, in.Name, desc, in.OrganizationID, createdBy).Scan(&id); err != nil {
			return nil, err
		}
		return nil, setCharts(ctx, tx, id, in.ChartIDs)
	})
	return id, evs, err
}

func setCharts(ctx context.Context, tx pgx.Tx, dashboardID int64, chartIDs []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM dashboard_charts WHERE dashboard_id = $1`, dashboardID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO dashboard_charts (dashboard_id, position, chart_definition_id)
		SELECT $1, n - 1, c FROM unnest($2::bigint[]) WITH ORDINALITY AS t(c, n)`, dashboardID, chartIDs)
	return err
}

// dashboardWrite runs a change to an existing dashboard.
func (db *DB) dashboardWrite(ctx context.Context, reason string, id int64, fn func(tx pgx.Tx) error) (events, error) {
	return db.write(ctx, reason, func(tx pgx.Tx) (events, error) {
		tag, err := tx.Exec(ctx, `UPDATE dashboards SET updated_at = now() WHERE id = $1`, id)
		if err != nil {
			return nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, missing("dashboard", id)
		}
		return events{invalidation.ID(invalidation.Dashboard, id)}, fn(tx)
	})
}

// UpdateDashboard implements admin.Store.
func (db *DB) UpdateDashboard(ctx context.Context, id int64, in admin.UpdateDashboardInput) (events, error) {
	return db.dashboardWrite(ctx, "update_dashboard", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE dashboards SET name = coalesce($2, name), description = coalesce($3, description)
			WHERE id = $1`, id, in.Name, in.Description)
		return err
	})
}

// SetDashboardCharts implements admin.Store.
func (db *DB) SetDashboardCharts(ctx context.Context, id int64, chartIDs []int64) (events, error) {
	return db.dashboardWrite(ctx, "reorder_dashboard_charts", id, func(tx pgx.Tx) error { return setCharts(ctx, tx, id, chartIDs) })
}

// DeleteDashboard implements admin.Store.
func (db *DB) DeleteDashboard(ctx context.Context, id int64) (events, error) {
	return db.dashboardWrite(ctx, "delete_dashboard", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM dashboards WHERE id = $1`, id)
		return err
	})
}

// CreateChart implements admin.Store. A new chart is on no dashboard yet.
func (db *DB) CreateChart(ctx context.Context, in admin.ChartInput, createdBy int64) (int64, events, error) {
	var id int64
	evs, err := db.write(ctx, "create_chart", func(tx pgx.Tx) (events, error) {
		raw, err := json.Marshal(in.Config)
		if err != nil {
			return nil, err
		}
		desc := ""
		if in.Description != nil {
			desc = *in.Description
		}
		return nil, tx.QueryRow(ctx, `INSERT INTO chart_definitions (name, description, chart_type, config, data_source_id, organization_id, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.Name, desc, string(in.Config.Type), raw,
			analytics.DefaultDataSourceID, in.OrganizationID, createdBy,
		).Scan(&id)
	})
	return id, evs, err
}

// chartWrite runs a change to a chart definition. Chart data needs no
// invalidation, its key holds the chart's version; the chart definition and
// the dashboards that embed it do.
func (db *DB) chartWrite(ctx context.Context, reason string, id int64, fn func(tx pgx.Tx) error) (events, error) {
	return db.write(ctx, reason, func(tx pgx.Tx) (events, error) {
		evs, err := dashboardEvents(ctx, tx, `SELECT dashboard_id FROM dashboard_charts WHERE chart_definition_id = $1`, id)
		if err != nil {
			return nil, err
		}
		tag, err := tx.Exec(ctx, `UPDATE chart_definitions SET version = version + 1, updated_at = now() WHERE id = $1`, id)
		if err != nil {
			return nil, err
		}
		if tag.RowsAffected() == 0 {
			return nil, missing("chart", id)
		}
		return append(events{invalidation.ID(invalidation.Chart, id)}, evs...), fn(tx)
	})
}

// UpdateChart implements admin.Store.
func (db *DB) UpdateChart(ctx context.Context, id int64, in admin.UpdateChartInput) (events, error) {
	return db.chartWrite(ctx, "update_chart", id, func(tx pgx.Tx) error {
		var raw []byte
		var chartType *string
		if in.Config != nil {
			var err error
			if raw, err = json.Marshal(in.Config); err != nil {
				return err
			}
			t := string(in.Config.Type)
			chartType = &t
		}
		_, err := tx.Exec(ctx, `UPDATE chart_definitions SET name = coalesce($2, name), description = coalesce($3, description),
			config = coalesce($4, config), chart_type = coalesce($5, chart_type) WHERE id = $1`,
			id, in.Name, in.Description, raw, chartType)
		return err
	})
}

// DeleteChart implements admin.Store.
func (db *DB) DeleteChart(ctx context.Context, id int64) (events, error) {
	return db.chartWrite(ctx, "delete_chart", id, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM chart_definitions WHERE id = $1`, id)
		return err
	})
}

// MarkDataSourceReloaded implements admin.Store. Chart data keys hold the
// generation; the cached dashboards that embed it are dropped.
func (db *DB) MarkDataSourceReloaded(ctx context.Context, id int64) (*admin.DataSource, events, error) {
	var ds admin.DataSource
	evs, err := db.write(ctx, "mark_data_source_reloaded", func(tx pgx.Tx) (events, error) {
		err := tx.QueryRow(ctx, `UPDATE data_sources SET generation = generation + 1, loaded_at = now() WHERE id = $1
			RETURNING id, name, generation, loaded_at`, id).Scan(&ds.ID, &ds.Name, &ds.Generation, &ds.LoadedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, missing("data source", id)
		}
		if err != nil {
			return nil, err
		}
		evs, err := dashboardEvents(ctx, tx, `SELECT dc.dashboard_id FROM dashboard_charts dc
			JOIN chart_definitions c ON c.id = dc.chart_definition_id WHERE c.data_source_id = $1`, id)
		return append(events{invalidation.ID(invalidation.DataSource, id)}, evs...), err
	})
	return &ds, evs, err
}
