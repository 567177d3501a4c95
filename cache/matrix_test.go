package cache_test

import (
	"slices"
	"testing"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/rbac"
)

// viewer checks a token through the caches, as a request does.
func (e *env) viewer(p auth.Principal) (*rbac.UserContext, int64, error) {
	ctx, counter := request()
	u, err := e.auth.Authenticate(auth.WithPrincipal(ctx, p), p)
	return u, counter.Snapshot().DBQueries, err
}

// warmViewer reads a viewer until it comes from the cache alone.
func (e *env) warmViewer(t *testing.T, p auth.Principal) {
	t.Helper()
	for range 3 {
		if _, q, err := e.viewer(p); err != nil {
			t.Fatal(err)
		} else if q == 0 {
			return
		}
	}
	t.Fatal("the viewer is not served from the cache")
}

func orgIDOf(t *testing.T, slug string) int64 {
	t.Helper()
	var id int64
	if err := db.Pool.QueryRow(t.Context(), `SELECT id FROM organizations WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func accessible(u *rbac.UserContext) []string {
	var out []string
	for _, o := range u.Accessible {
		out = append(out, o.Slug)
	}
	slices.Sort(out)
	return out
}

// TestTriggerMatrix fills the caches, makes each write of the seed plan's
// trigger matrix (and DESIGN.md's additions), and checks that the next read
// reflects it, with Redis in between.
func TestTriggerMatrix(t *testing.T) {
	e := newEnv(t, sharedRedis)
	ctx := t.Context()
	analyst := roleID(t, "analyst")
	north, south := orgIDOf(t, "bend-north"), orgIDOf(t, "bend-south")

	viewerCases := []struct {
		name  string
		write func(t *testing.T, uid int64, p auth.Principal) error
		check func(t *testing.T, u *rbac.UserContext, err error)
	}{
		{"UserUpdated", func(t *testing.T, uid int64, _ auth.Principal) error {
			n := "Renamed User"
			_, err := e.admin.UpdateUser(ctx, e.actor, uid, admin.UpdateUserInput{Name: &n})
			return err
		}, func(t *testing.T, u *rbac.UserContext, err error) {
			if err != nil || u.Name != "Renamed User" {
				t.Fatalf("name %q, %v", u.Name, err)
			}
		}},
		{"RoleAssigned", func(t *testing.T, uid int64, _ auth.Principal) error {
			_, err := e.admin.AssignRole(ctx, e.actor, admin.RoleGrant{UserID: uid, RoleID: roleID(t, "viewer")})
			return err
		}, func(t *testing.T, u *rbac.UserContext, err error) {
			if err != nil || len(u.ActiveRoles()) != 2 {
				t.Fatalf("roles %+v, %v", u.ActiveRoles(), err)
			}
		}},
		{"RoleRemoved", func(t *testing.T, uid int64, _ auth.Principal) error {
			_, err := e.admin.RemoveRole(ctx, e.actor, uid, analyst, nil)
			return err
		}, func(t *testing.T, u *rbac.UserContext, err error) {
			if err != nil || u.Has(rbac.AnalyticsReadOrganization) {
				t.Fatalf("still an analyst (%v)", err)
			}
		}},
		{"OrganizationAdded", func(t *testing.T, uid int64, _ auth.Principal) error {
			_, err := e.admin.SetMembership(ctx, e.actor, uid, south, true)
			return err
		}, func(t *testing.T, u *rbac.UserContext, err error) {
			if err != nil || !slices.Contains(accessible(u), "bend-south") {
				t.Fatalf("accessible %v (%v)", accessible(u), err)
			}
		}},
		{"OrganizationRemoved", func(t *testing.T, uid int64, _ auth.Principal) error {
			if _, err := e.admin.SetMembership(ctx, e.actor, uid, south, true); err != nil {
				return err
			}
			_, err := e.admin.SetMembership(ctx, e.actor, uid, north, false)
			return err
		}, func(t *testing.T, u *rbac.UserContext, err error) {
			if err != nil || slices.Contains(accessible(u), "bend-north") {
				t.Fatalf("accessible %v (%v)", accessible(u), err)
			}
		}},
		{"UserDeactivated", func(t *testing.T, uid int64, _ auth.Principal) error {
			_, err := e.admin.SetUserActive(ctx, e.actor, uid, false)
			return err
		}, refused},
		{"Logout", func(t *testing.T, _ int64, p auth.Principal) error { return e.auth.Logout(ctx, p) }, refused},
		{"LogoutAll", func(t *testing.T, _ int64, p auth.Principal) error { return e.auth.LogoutAll(ctx, p) }, refused},
		{"AllTokensRevoked", func(t *testing.T, uid int64, _ auth.Principal) error {
			return e.admin.RevokeUserTokens(ctx, e.actor, uid)
		}, refused},
		{"PasswordChanged", func(t *testing.T, _ int64, p auth.Principal) error {
			_, err := e.auth.ChangePassword(ctx, p, "long-enough-1", "long-enough-2")
			return err
		}, refused},
	}
	for _, c := range viewerCases {
		t.Run(c.name, func(t *testing.T) {
			uid, p := e.newUser(t, "bend-north")
			e.warmViewer(t, p)
			if err := c.write(t, uid, p); err != nil {
				t.Fatal(err)
			}
			u, _, err := e.viewer(p)
			c.check(t, u, err)
		})
	}

	// Role permissions: the role's cached permission list and every
	// holder's cached context.
	roleCases := []struct {
		name  string
		write func(roleID int64) error
		has   bool
	}{
		{"RolePermissionsSet", func(id int64) error {
			_, err := e.admin.SetRolePermissions(ctx, e.actor, id, []string{rbac.ProfileReadOwn})
			return err
		}, false},
		{"PermissionGranted", func(id int64) error {
			_, err := e.admin.GrantPermission(ctx, e.actor, id, rbac.DashboardsManageOrg)
			return err
		}, true},
		{"PermissionRevoked", func(id int64) error {
			_, err := e.admin.RevokePermission(ctx, e.actor, id, rbac.AnalyticsReadOrganization)
			return err
		}, false},
		{"RoleDeleted", func(id int64) error { return e.admin.DeleteRole(ctx, e.actor, id) }, false},
	}
	for _, c := range roleCases {
		t.Run(c.name, func(t *testing.T) {
			role, err := e.admin.CreateRole(ctx, e.actor, admin.CreateRoleInput{Name: unique("matrix " + c.name),
				Permissions: []string{rbac.AnalyticsReadOrganization}})
			if err != nil {
				t.Fatal(err)
			}
			var holders []auth.Principal
			for range 2 {
				uid, p := e.newUser(t, "bend-north")
				if _, err := e.admin.RemoveRole(ctx, e.actor, uid, analyst, nil); err != nil {
					t.Fatal(err)
				}
				if _, err := e.admin.AssignRole(ctx, e.actor, admin.RoleGrant{UserID: uid, RoleID: role.ID}); err != nil {
					t.Fatal(err)
				}
				e.warmViewer(t, p)
				holders = append(holders, p)
			}
			if err := c.write(role.ID); err != nil {
				t.Fatal(err)
			}
			for _, p := range holders {
				u, _, err := e.viewer(p)
				if err != nil {
					t.Fatal(err)
				}
				want := rbac.AnalyticsReadOrganization
				if c.name == "PermissionGranted" {
					want = rbac.DashboardsManageOrg
				}
				if u.Has(want) != c.has {
					t.Fatalf("holder %d: has %s = %v after the write, want %v", p.UserID, want, u.Has(want), c.has)
				}
			}
		})
	}

	t.Run("OrganizationMoved", func(t *testing.T) {
		topSlug, childSlug := unique("matrix-top"), unique("matrix-child")
		top, err := e.admin.CreateOrganization(ctx, e.actor, admin.CreateOrganizationInput{Name: "Matrix top", Slug: topSlug})
		if err != nil {
			t.Fatal(err)
		}
		child, err := e.admin.CreateOrganization(ctx, e.actor, admin.CreateOrganizationInput{Name: "Matrix child", Slug: childSlug})
		if err != nil {
			t.Fatal(err)
		}
		uid, p := e.newUser(t, "bend-north")
		if _, err := e.admin.SetMembership(ctx, e.actor, uid, top.ID, true); err != nil {
			t.Fatal(err)
		}
		e.warmViewer(t, p)
		if _, err := e.admin.MoveOrganization(ctx, e.actor, child.ID, &top.ID); err != nil {
			t.Fatal(err)
		}
		u, _, err := e.viewer(p)
		if err != nil || !slices.Contains(accessible(u), childSlug) {
			t.Fatalf("after the move under matrix-top: accessible %v (%v)", accessible(u), err)
		}
	})

	// Dashboards, chart definitions and data loads, through the cached
	// analytics store and the chart-data cache.
	uid, _ := e.newUser(t, "bend-north")
	contexts, err := db.UserContexts(ctx, []int64{uid})
	if err != nil {
		t.Fatal(err)
	}
	u := contexts[uid]
	cfg := analytics.ChartConfig{Type: analytics.ChartLine, Measures: []string{"charges"}, Frequency: analytics.Monthly,
		DateRange: analytics.DateRange{Preset: analytics.PresetLastYear}}
	chart, err := e.admin.CreateChart(ctx, e.actor, admin.ChartInput{Name: "matrix chart", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.admin.CreateDashboard(ctx, e.actor, admin.DashboardInput{Name: "matrix", ChartIDs: []int64{chart.ID}})
	if err != nil {
		t.Fatal(err)
	}
	dashboard := func(t *testing.T) (*analytics.Dashboard, string) {
		t.Helper()
		rctx, _ := request()
		got, err := e.analytics.Dashboard(rctx, u, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := e.analytics.Plan(u, &got.Charts[0])
		if err != nil {
			t.Fatal(err)
		}
		data, errs := e.charts.Run(rctx, []*analytics.Plan{plan})
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		return got, data[0].Labels[0]
	}
	warm := func(t *testing.T) {
		t.Helper()
		dashboard(t)
		rctx, counter := request()
		if _, err := e.analytics.Dashboard(rctx, u, d.ID); err != nil || counter.Snapshot().DBQueries != 0 {
			t.Fatalf("the dashboard is not served from the cache (%v)", err)
		}
	}

	t.Run("DashboardUpdated", func(t *testing.T) {
		warm(t)
		n := "matrix renamed"
		if _, err := e.admin.UpdateDashboard(ctx, e.actor, d.ID, admin.UpdateDashboardInput{Name: &n}); err != nil {
			t.Fatal(err)
		}
		if got, _ := dashboard(t); got.Name != n {
			t.Fatalf("name %q", got.Name)
		}
	})
	t.Run("ChartDefinitionUpdated", func(t *testing.T) {
		warm(t)
		quarterly := cfg
		quarterly.Frequency = analytics.Quarterly
		if _, err := e.admin.UpdateChart(ctx, e.actor, chart.ID, admin.UpdateChartInput{Config: &quarterly}); err != nil {
			t.Fatal(err)
		}
		got, first := dashboard(t)
		if got.Charts[0].Config.Frequency != analytics.Quarterly || got.Charts[0].Source.Version != 2 {
			t.Fatalf("chart config %s version %d", got.Charts[0].Config.Frequency, got.Charts[0].Source.Version)
		}
		if first[5:] != "Q1" {
			t.Fatalf("chart data still monthly: first label %q", first)
		}
	})
	t.Run("DataSourceReloaded", func(t *testing.T) {
		warm(t)
		before, _ := dashboard(t)
		if _, err := e.admin.MarkDataSourceReloaded(ctx, e.actor, 1); err != nil {
			t.Fatal(err)
		}
		after, _ := dashboard(t)
		if after.Charts[0].Source.Generation != before.Charts[0].Source.Generation+1 {
			t.Fatalf("generation %d after %d", after.Charts[0].Source.Generation, before.Charts[0].Source.Generation)
		}
	})
}

func refused(t *testing.T, _ *rbac.UserContext, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("the token still works after the write")
	}
}
