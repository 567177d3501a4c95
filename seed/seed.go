// Package seed writes dashgraph's demo data: an organization tree,
// practices and providers, roles and permissions, the demo users, years of
// pre-aggregated measures and the demo dashboards. The data is deterministic:
// the same scale and day give the same rows.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/rbac"
)

// DemoPassword is the password of every demo user.
const DemoPassword = "demo-password"

// The demo users of DESIGN.md's contract.
const (
	AdminEmail    = "admin@dashgraph.test"
	OrgAdminEmail = "orgadmin@dashgraph.test"
	AnalystEmail  = "analyst@dashgraph.test"
	ViewerEmail   = "viewer@dashgraph.test"
)

// Options control what is seeded.
type Options struct {
	// Scale multiplies the practices (and so the providers and measure rows).
	Scale int
	// PasswordHash is the hash of DemoPassword given to every demo user.
	PasswordHash string
	// Today is the last day with measures, a civil date (see analytics.Today).
	Today time.Time
	// Years of daily history before the start of the current year.
	Years int
}

// Summary counts what was written.
type Summary struct {
	Organizations int
	Practices     int
	Providers     int
	Users         int
	MeasureRows   int64
	Charts        int
	Dashboards    int
}

// IsEmpty reports whether the database has no users yet.
func IsEmpty(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var exists bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&exists)
	return !exists, err
}

// Run writes the demo data in one transaction, into a migrated, empty database.
func Run(ctx context.Context, pool *pgxpool.Pool, opts Options) (Summary, error) {
	if opts.Scale < 1 {
		return Summary{}, fmt.Errorf("scale must be at least 1, got %d", opts.Scale)
	}
	if opts.Years < 1 {
		opts.Years = 3
	}
	var sum Summary
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		w := &writer{tx: tx, opts: opts, sum: &sum}
		return w.run(ctx)
	})
	if err != nil {
		return Summary{}, err
	}
	// Fresh statistics and visibility map: chart queries plan well and are
	// index-only scans from the first request.
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) measure_values`); err != nil {
		return Summary{}, fmt.Errorf("vacuum measure_values: %w", err)
	}
	return sum, nil
}

type writer struct {
	tx        pgx.Tx
	opts      Options
	sum       *Summary
	orgs      map[string]int64 // by slug
	providers []provider
}

func (w *writer) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		w.dataSource, w.organizations, w.practices, w.permissionsAndRoles, w.users, w.measureValues, w.dashboards,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) dataSource(ctx context.Context) error {
	if _, err := w.tx.Exec(ctx, `INSERT INTO data_sources (id, name) OVERRIDING SYSTEM VALUE VALUES ($1, 'Practice analytics')`,
		analytics.DefaultDataSourceID); err != nil {
		return fmt.Errorf("insert data source: %w", err)
	}
	for _, m := range analytics.Measures {
		if _, err := w.tx.Exec(ctx, `INSERT INTO measures (id, key, label, unit, data_source_id) VALUES ($1, $2, $3, $4, $5)`,
			m.ID, m.Key, m.Label, string(m.Unit), analytics.DefaultDataSourceID); err != nil {
			return fmt.Errorf("insert measure %s: %w", m.Key, err)
		}
	}
	return nil
}

// The organization tree: a group with two regions, one of which has a
// pediatrics division, and an unrelated organization.
var organizations = []struct{ slug, name, parent string }{
	{"bend-health", "Bend Health Group", ""},
	{"bend-north", "Bend Health North", "bend-health"},
	{"bend-north-peds", "North Pediatrics", "bend-north"},
	{"bend-south", "Bend Health South", "bend-health"},
	{"cascade", "Cascade Partners", ""},
}

func (w *writer) organizations(ctx context.Context) error {
	w.orgs = map[string]int64{}
	for _, o := range organizations {
		var parent *int64
		if o.parent != "" {
			id := w.orgs[o.parent]
			parent = &id
		}
		var id int64
		if err := w.tx.QueryRow(ctx,
			`INSERT INTO organizations (name, slug, parent_organization_id) VALUES ($1, $2, $3) RETURNING id`,
			o.name, o.slug, parent).Scan(&id); err != nil {
			return fmt.Errorf("insert organization %s: %w", o.slug, err)
		}
		w.orgs[o.slug] = id
	}
	w.sum.Organizations = len(organizations)
	return nil
}

// practiceTemplates are the practices at scale 1; scale N seeds N of each.
var practiceTemplates = []struct{ org, name string }{
	{"bend-health", "Bend Central Clinic"},
	{"bend-north", "North Family Medicine"},
	{"bend-north-peds", "North Pediatrics Clinic"},
	{"bend-south", "South Orthopedics"},
	{"bend-south", "South Internal Medicine"},
	{"cascade", "Cascade Primary Care"},
}

const providersPerPractice = 4

var (
	firstNames  = []string{"Avery", "Jordan", "Riley", "Morgan", "Casey", "Quinn", "Harper", "Rowan", "Emerson", "Sage", "Parker", "Reese"}
	lastNames   = []string{"Nguyen", "Patel", "Garcia", "Okafor", "Kim", "Larsen", "Silva", "Cohen", "Haddad", "Moreau", "Ito", "Walsh"}
	specialties = []string{"Family Medicine", "Pediatrics", "Orthopedics", "Internal Medicine", "Cardiology", "Dermatology"}
)

func (w *writer) practices(ctx context.Context) error {
	for n := 1; n <= w.opts.Scale; n++ {
		for _, t := range practiceTemplates {
			name := t.name
			if n > 1 {
				name = fmt.Sprintf("%s %d", t.name, n)
			}
			var id int64
			if err := w.tx.QueryRow(ctx, `INSERT INTO practices (organization_id, name) VALUES ($1, $2) RETURNING id`,
				w.orgs[t.org], name).Scan(&id); err != nil {
				return fmt.Errorf("insert practice: %w", err)
			}
			w.sum.Practices++
			for range providersPerPractice {
				ord := w.sum.Providers
				name := fmt.Sprintf("Dr. %s %s", firstNames[ord%len(firstNames)], lastNames[(ord/len(firstNames)+ord)%len(lastNames)])
				specialty := specialties[ord%len(specialties)]
				p := newProvider(ord, id)
				if err := w.tx.QueryRow(ctx, `INSERT INTO providers (practice_id, name, specialty) VALUES ($1, $2, $3) RETURNING id`,
					id, name, specialty).Scan(&p.id); err != nil {
					return fmt.Errorf("insert provider: %w", err)
				}
				w.providers = append(w.providers, p)
				w.sum.Providers++
			}
		}
	}
	return nil
}

// permissionNames are every permission the application checks.
var permissionNames = []string{
	rbac.AnalyticsReadOrganization, rbac.AnalyticsReadAll,
	rbac.DashboardsManageOrg, rbac.DashboardsManageAll,
	rbac.UsersManageOrganization, rbac.UsersManageAll,
	rbac.RolesManageOrganization, rbac.RolesManageAll,
	rbac.OrganizationsManageOrg, rbac.OrganizationsManageAll,
	rbac.DataSourcesManageAll, rbac.CacheManageAll, rbac.ProfileReadOwn,
}

var roles = []struct {
	name, description string
	permissions       []string
}{
	{rbac.SuperAdminRole, "Everything, everywhere.", permissionNames},
	{"org_admin", "Manages the users, roles, organizations and dashboards of an organization subtree, and reads its analytics.",
		[]string{rbac.AnalyticsReadOrganization, rbac.DashboardsManageOrg, rbac.UsersManageOrganization,
			rbac.RolesManageOrganization, rbac.OrganizationsManageOrg, rbac.ProfileReadOwn}},
	{"analyst", "Reads the analytics of the organizations the user belongs to.",
		[]string{rbac.AnalyticsReadOrganization, rbac.ProfileReadOwn}},
	{"viewer", "Signs in and reads their own profile; no analytics.", []string{rbac.ProfileReadOwn}},
}

func (w *writer) permissionsAndRoles(ctx context.Context) error {
	for _, p := range permissionNames {
		if _, err := w.tx.Exec(ctx, `INSERT INTO permissions (name) VALUES ($1)`, p); err != nil {
			return fmt.Errorf("insert permission %s: %w", p, err)
		}
	}
	for _, r := range roles {
		var id int64
		if err := w.tx.QueryRow(ctx, `INSERT INTO roles (name, description, is_system) VALUES ($1, $2, true) RETURNING id`,
			r.name, r.description).Scan(&id); err != nil {
			return fmt.Errorf("insert role %s: %w", r.name, err)
		}
		if _, err := w.tx.Exec(ctx, `INSERT INTO role_permissions (role_id, permission_id)
			SELECT $1, id FROM permissions WHERE name = ANY($2)`, id, r.permissions); err != nil {
			return fmt.Errorf("grant permissions to %s: %w", r.name, err)
		}
	}
	return nil
}

// demoUsers: the role, and the organization it is granted in and the user
// belongs to.
var demoUsers = []struct{ email, name, role, org string }{
	{AdminEmail, "Ada Admin", rbac.SuperAdminRole, "bend-health"},
	{OrgAdminEmail, "Olga Orgadmin", "org_admin", "bend-health"},
	{AnalystEmail, "Ana Analyst", "analyst", "bend-north"},
	{ViewerEmail, "Vic Viewer", "viewer", "bend-south"},
}

func (w *writer) users(ctx context.Context) error {
	for _, u := range demoUsers {
		var id int64
		if err := w.tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id`,
			u.email, u.name, w.opts.PasswordHash).Scan(&id); err != nil {
			return fmt.Errorf("insert user %s: %w", u.email, err)
		}
		org := w.orgs[u.org]
		if _, err := w.tx.Exec(ctx, `INSERT INTO user_organizations (user_id, organization_id) VALUES ($1, $2)`, id, org); err != nil {
			return fmt.Errorf("add %s to organization: %w", u.email, err)
		}
		// The org admin's role is granted in its organization; the others
		// are granted without one and reach all the user's organizations.
		var grantOrg *int64
		if u.role == "org_admin" {
			grantOrg = &org
		}
		if _, err := w.tx.Exec(ctx, `INSERT INTO user_roles (user_id, role_id, organization_id)
			SELECT $1, id, $3 FROM roles WHERE name = $2 AND organization_id IS NULL`, id, u.role, grantOrg); err != nil {
			return fmt.Errorf("assign role to %s: %w", u.email, err)
		}
		w.sum.Users++
	}
	return nil
}

func (w *writer) dashboards(ctx context.Context) error {
	chartIDs := map[string]int64{}
	for _, c := range charts {
		cfg, err := c.config.Normalize()
		if err != nil {
			return fmt.Errorf("chart %q: %w", c.name, err)
		}
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		var id int64
		if err := w.tx.QueryRow(ctx, `INSERT INTO chart_definitions (name, description, chart_type, config, data_source_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.name, c.description, string(cfg.Type), raw, analytics.DefaultDataSourceID,
		).Scan(&id); err != nil {
			return fmt.Errorf("insert chart %q: %w", c.name, err)
		}
		chartIDs[c.name] = id
		w.sum.Charts++
	}
	for _, d := range dashboards {
		var id int64
		if err := w.tx.QueryRow(ctx, `INSERT INTO dashboards (name, description) VALUES ($1, $2) RETURNING id`,
			d.name, d.description).Scan(&id); err != nil {
			return fmt.Errorf("insert dashboard %q: %w", d.name, err)
		}
		for pos, name := range d.charts {
			if _, err := w.tx.Exec(ctx, `INSERT INTO dashboard_charts (dashboard_id, position, chart_definition_id) VALUES ($1, $2, $3)`,
				id, pos, chartIDs[name]); err != nil {
				return fmt.Errorf("add chart %q to %q: %w", name, d.name, err)
			}
		}
		w.sum.Dashboards++
	}
	return nil
}
