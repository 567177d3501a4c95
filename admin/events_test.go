package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/admin"
	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/postgres/pgtest"
	"github.com/dashgraph/dashgraph/rbac"
	"github.com/dashgraph/dashgraph/seed"
)

// recorder is an Invalidator that remembers what it was given.
type recorder struct{ events []invalidation.Event }

func (r *recorder) Invalidate(_ context.Context, events []invalidation.Event) {
	r.events = append(r.events, events...)
}

// take returns the recorded events as sorted "kind:key" strings and forgets them.
func (r *recorder) take() []string {
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = string(e.Kind) + ":" + e.Key
	}
	r.events = nil
	slices.Sort(out)
	return out
}

type fixture struct {
	t      *testing.T
	logs   *bytes.Buffer
	db     *postgres.DB
	rec    *recorder
	admin  *admin.Service
	auth   *auth.Service
	tokens *auth.Tokens
	actor  *rbac.UserContext
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	_, db := pgtest.NewDB(t)
	ctx := t.Context()
	if err := pgtest.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	passwords, err := auth.NewPasswords(4)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.NewTokens(auth.TokenConfig{Secret: []byte("events-secret-events-secret-0123456"), Issuer: "i", Audience: "a", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	f := &fixture{t: t, logs: logs, db: db, rec: rec, tokens: tokens,
		admin: admin.NewService(db, rec, passwords.Hash, log),
		auth:  auth.NewService(db, tokens, passwords, rec, time.Hour, log),
	}
	var adminID int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, seed.AdminEmail).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	contexts, err := db.UserContexts(ctx, []int64{adminID})
	if err != nil {
		t.Fatal(err)
	}
	f.actor = contexts[adminID]
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) user(email string, orgs ...int64) int64 {
	f.t.Helper()
	u, err := f.admin.CreateUser(f.t.Context(), f.actor, admin.CreateUserInput{Email: email, Name: "U", Password: "long-enough-1", OrganizationIDs: orgs})
	f.must(err)
	f.rec.take()
	return u.ID
}

func (f *fixture) org(slug string, parent *int64) int64 {
	f.t.Helper()
	o, err := f.admin.CreateOrganization(f.t.Context(), f.actor, admin.CreateOrganizationInput{Name: slug, Slug: slug, ParentID: parent})
	f.must(err)
	f.rec.take()
	return o.ID
}

// signIn opens a session for a user and returns its access principal.
func (f *fixture) signIn(email string) (auth.Principal, string) {
	f.t.Helper()
	s, err := f.auth.Login(f.t.Context(), email, "long-enough-1")
	f.must(err)
	p, err := f.tokens.Verify(s.AccessToken)
	f.must(err)
	return p, s.RefreshToken
}

func ev(kind invalidation.Kind, key any) string { return fmt.Sprintf("%s:%v", kind, key) }

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestWritesNameTheirInvalidations drives every write of the seed plan's
// trigger matrix (and DESIGN.md's additions) and checks the exact cached
// facts each one names, and that they are in the outbox.
func TestWritesNameTheirInvalidations(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	top := f.org("events-top", nil)
	other := f.org("events-other", nil)
	member := f.user("member@events.test", top)
	holderA := f.user("holder-a@events.test", top)
	holderB := f.user("holder-b@events.test", other)
	outsider := f.user("outsider@events.test", other)
	role, err := f.admin.CreateRole(ctx, f.actor, admin.CreateRoleInput{Name: "events-role", Permissions: []string{rbac.AnalyticsReadOrganization}})
	f.must(err)
	if got := f.rec.take(); len(got) != 0 {
		t.Fatalf("create_role: %v, want none", got)
	}
	for _, u := range []int64{holderA, holderB} {
		_, err := f.admin.AssignRole(ctx, f.actor, admin.RoleGrant{UserID: u, RoleID: role.ID})
		f.must(err)
	}
	f.rec.take()
	roleChanged := sorted(ev(invalidation.RolePermissions, role.ID), ev(invalidation.UserContext, holderA), ev(invalidation.UserContext, holderB))

	steps := []struct {
		name  string
		write func() error
		want  func() []string
	}{
		{"create_user", func() error {
			_, err := f.admin.CreateUser(ctx, f.actor, admin.CreateUserInput{Email: "new@events.test", Name: "N", Password: "long-enough-1"})
			return err
		}, func() []string { return nil }},
		{"update_user", func() error {
			name := "Renamed"
			_, err := f.admin.UpdateUser(ctx, f.actor, member, admin.UpdateUserInput{Name: &name})
			return err
		}, func() []string {
			return sorted(ev(invalidation.UserRecord, member), ev(invalidation.UserContext, member))
		}},
		{"assign_role", func() error {
			_, err := f.admin.AssignRole(ctx, f.actor, admin.RoleGrant{UserID: member, RoleID: role.ID})
			return err
		}, func() []string { return []string{ev(invalidation.UserContext, member)} }},
		{"remove_role", func() error {
			_, err := f.admin.RemoveRole(ctx, f.actor, member, role.ID, nil)
			return err
		}, func() []string { return []string{ev(invalidation.UserContext, member)} }},
		{"add_to_organization", func() error {
			_, err := f.admin.SetMembership(ctx, f.actor, member, other, true)
			return err
		}, func() []string { return []string{ev(invalidation.UserContext, member)} }},
		{"remove_from_organization", func() error {
			_, err := f.admin.SetMembership(ctx, f.actor, member, other, false)
			return err
		}, func() []string { return []string{ev(invalidation.UserContext, member)} }},
		{"update_role", func() error {
			d := "changed"
			_, err := f.admin.UpdateRole(ctx, f.actor, role.ID, admin.UpdateRoleInput{Description: &d})
			return err
		}, func() []string { return roleChanged }},
		{"set_role_permissions", func() error {
			_, err := f.admin.SetRolePermissions(ctx, f.actor, role.ID, []string{rbac.AnalyticsReadOrganization, rbac.ProfileReadOwn})
			return err
		}, func() []string { return roleChanged }},
		{"grant_permission", func() error {
			_, err := f.admin.GrantPermission(ctx, f.actor, role.ID, rbac.DashboardsManageOrg)
			return err
		}, func() []string { return roleChanged }},
		{"revoke_permission", func() error {
			_, err := f.admin.RevokePermission(ctx, f.actor, role.ID, rbac.DashboardsManageOrg)
			return err
		}, func() []string { return roleChanged }},
	}
	run := func(name string, write func() error, want []string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			if err := write(); err != nil {
				t.Fatal(err)
			}
			recorded := slices.Clone(f.rec.events)
			got := f.rec.take()
			if !slices.Equal(got, want) {
				t.Fatalf("events\n got  %v\n want %v", got, want)
			}
			checkOutbox(t, f.db, recorded)
		})
	}
	for _, s := range steps {
		run(s.name, s.write, s.want())
	}

	// Organization tree: everyone who reaches a changed organization.
	child := f.org("events-child", &top)
	childMember := f.user("child@events.test", child)
	topMembers := func(extra ...int64) []string {
		out := []string{ev(invalidation.UserContext, member), ev(invalidation.UserContext, holderA)}
		for _, e := range extra {
			out = append(out, ev(invalidation.UserContext, e))
		}
		return sorted(out...)
	}
	run("create_organization", func() error {
		_, err := f.admin.CreateOrganization(ctx, f.actor, admin.CreateOrganizationInput{Name: "G", Slug: "events-grandchild", ParentID: &child})
		return err
	}, topMembers(childMember))
	run("update_organization", func() error {
		n := "Child renamed"
		_, err := f.admin.UpdateOrganization(ctx, f.actor, child, admin.UpdateOrganizationInput{Name: &n})
		return err
	}, topMembers(childMember))
	run("move_organization", func() error {
		_, err := f.admin.MoveOrganization(ctx, f.actor, child, &other)
		return err
	}, topMembers(childMember, holderB, outsider))

	// Sessions and tokens.
	p, _ := f.signIn("outsider@events.test")
	run("logout", func() error { return f.auth.Logout(ctx, p) },
		sorted(ev(invalidation.TokenRevoked, p.TokenID), ev(invalidation.RefreshSession, p.SessionID)))
	p1, _ := f.signIn("outsider@events.test")
	p2, _ := f.signIn("outsider@events.test")
	run("logout_all", func() error { return f.auth.LogoutAll(ctx, p1) },
		sorted(ev(invalidation.UserRecord, outsider), ev(invalidation.RefreshSession, p1.SessionID), ev(invalidation.RefreshSession, p2.SessionID)))
	p3, _ := f.signIn("outsider@events.test")
	run("change_password", func() error {
		_, err := f.auth.ChangePassword(ctx, p3, "long-enough-1", "long-enough-1")
		if err == nil || !strings.Contains(err.Error(), "current one") {
			return fmt.Errorf("reusing the password: %v", err)
		}
		_, err = f.auth.ChangePassword(ctx, p3, "long-enough-1", "long-enough-2")
		return err
	}, sorted(ev(invalidation.UserRecord, outsider), ev(invalidation.RefreshSession, p3.SessionID)))
	p4, rt := f.signIn("member@events.test")
	run("refresh", func() error { _, err := f.auth.Refresh(ctx, rt); return err }, nil)
	run("refresh_reused", func() error {
		if _, err := f.auth.Refresh(ctx, rt); err == nil {
			return fmt.Errorf("a spent refresh token was accepted")
		}
		return nil
	}, []string{ev(invalidation.RefreshSession, p4.SessionID)})
	p5, _ := f.signIn("member@events.test")
	run("revoke_user_tokens", func() error { return f.admin.RevokeUserTokens(ctx, f.actor, member) },
		sorted(ev(invalidation.UserRecord, member), ev(invalidation.RefreshSession, p5.SessionID)))
	p6, _ := f.signIn("holder-a@events.test")
	run("deactivate_user", func() error { _, err := f.admin.SetUserActive(ctx, f.actor, holderA, false); return err },
		sorted(ev(invalidation.UserRecord, holderA), ev(invalidation.UserContext, holderA), ev(invalidation.RefreshSession, p6.SessionID)))
	run("reactivate_user", func() error { _, err := f.admin.SetUserActive(ctx, f.actor, holderA, true); return err },
		sorted(ev(invalidation.UserRecord, holderA), ev(invalidation.UserContext, holderA)))
	run("delete_role", func() error { return f.admin.DeleteRole(ctx, f.actor, role.ID) }, roleChanged)

	// Dashboards, charts, data loads.
	cfg := analytics.ChartConfig{Type: analytics.ChartLine, Measures: []string{"charges"}, Frequency: analytics.Monthly,
		DateRange: analytics.DateRange{Preset: analytics.PresetThisYear}}
	chart, err := f.admin.CreateChart(ctx, f.actor, admin.ChartInput{Name: "events chart", Config: cfg})
	f.must(err)
	d1, err := f.admin.CreateDashboard(ctx, f.actor, admin.DashboardInput{Name: "events 1", ChartIDs: []int64{chart.ID}})
	f.must(err)
	d2, err := f.admin.CreateDashboard(ctx, f.actor, admin.DashboardInput{Name: "events 2", ChartIDs: []int64{chart.ID}})
	f.must(err)
	if got := f.rec.take(); len(got) != 0 {
		t.Fatalf("creating a chart and dashboards: %v, want none", got)
	}
	dashboardOf := func(ids ...int64) []string {
		var out []string
		for _, id := range ids {
			out = append(out, ev(invalidation.Dashboard, id))
		}
		return out
	}
	run("update_dashboard", func() error {
		n := "renamed"
		_, err := f.admin.UpdateDashboard(ctx, f.actor, d1.ID, admin.UpdateDashboardInput{Name: &n})
		return err
	}, dashboardOf(d1.ID))
	run("reorder_dashboard_charts", func() error {
		_, err := f.admin.SetDashboardCharts(ctx, f.actor, d1.ID, []int64{chart.ID})
		return err
	}, dashboardOf(d1.ID))
	run("update_chart", func() error {
		n := "renamed chart"
		_, err := f.admin.UpdateChart(ctx, f.actor, chart.ID, admin.UpdateChartInput{Name: &n})
		return err
	}, sorted(append(dashboardOf(d1.ID, d2.ID), ev(invalidation.Chart, chart.ID))...))
	var withSource []string
	rows, err := f.db.Pool.Query(ctx, `SELECT DISTINCT dc.dashboard_id FROM dashboard_charts dc
		JOIN chart_definitions c ON c.id = dc.chart_definition_id WHERE c.data_source_id = 1`)
	f.must(err)
	for rows.Next() {
		var id int64
		f.must(rows.Scan(&id))
		withSource = append(withSource, ev(invalidation.Dashboard, id))
	}
	run("mark_data_source_reloaded", func() error {
		ds, err := f.admin.MarkDataSourceReloaded(ctx, f.actor, 1)
		if err == nil && ds.Generation != 2 {
			err = fmt.Errorf("generation %d, want 2", ds.Generation)
		}
		return err
	}, sorted(append(withSource, ev(invalidation.DataSource, 1))...))
	run("delete_dashboard", func() error { return f.admin.DeleteDashboard(ctx, f.actor, d2.ID) }, dashboardOf(d2.ID))
	run("delete_chart", func() error { return f.admin.DeleteChart(ctx, f.actor, chart.ID) },
		sorted(append(dashboardOf(d1.ID), ev(invalidation.Chart, chart.ID))...))
}

// checkOutbox checks that events were recorded in the outbox as they were given.
func checkOutbox(t *testing.T, db *postgres.DB, events []invalidation.Event) {
	t.Helper()
	for _, e := range events {
		var kind, key string
		err := db.Pool.QueryRow(t.Context(), `SELECT kind, key FROM invalidation_outbox WHERE id = $1`, e.OutboxID).Scan(&kind, &key)
		if err != nil {
			t.Fatalf("event %+v is not in the outbox: %v", e, err)
		}
		if kind != string(e.Kind) || key != e.Key {
			t.Fatalf("outbox row %d is %s:%s, want %s:%s", e.OutboxID, kind, key, e.Kind, e.Key)
		}
	}
}

// TestAuditLines: each sign-in, logout, revocation and administrative write
// logs one audit line with actor, action, target and result, and never a
// password or a token.
func TestAuditLines(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	org := f.org("audit-org", nil)
	f.logs.Reset()
	u, err := f.admin.CreateUser(ctx, f.actor, admin.CreateUserInput{Email: "audited@events.test", Name: "A", Password: "secret-password-1", OrganizationIDs: []int64{org}})
	f.must(err)
	s, err := f.auth.Login(ctx, "audited@events.test", "secret-password-1")
	f.must(err)
	_, _ = f.auth.Login(ctx, "audited@events.test", "wrong-password-1")
	p, _ := f.tokens.Verify(s.AccessToken)
	f.must(f.auth.Logout(ctx, p))
	f.must(f.admin.RevokeUserTokens(ctx, f.actor, u.ID))
	contexts, _ := f.db.UserContexts(ctx, []int64{u.ID})
	if _, err := f.admin.CreateRole(ctx, contexts[u.ID], admin.CreateRoleInput{Name: "nope"}); err == nil {
		t.Fatal("a user without roles:manage created a role")
	}

	logged := f.logs.String()
	for _, secret := range []string{"secret-password-1", "wrong-password-1", s.AccessToken, s.RefreshToken} {
		if strings.Contains(logged, secret) {
			t.Fatalf("the audit log holds a secret: %q", secret)
		}
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(logged), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
		if l["msg"] != "audit" {
			continue
		}
		for _, k := range []string{"actor", "action", "target", "result"} {
			if _, ok := l[k]; !ok {
				t.Fatalf("audit line without %s: %s", k, line)
			}
		}
		got = append(got, fmt.Sprintf("%v:%v", l["action"], l["result"]))
	}
	want := []string{"create_user:ok", "login:ok", "login:UNAUTHENTICATED", "logout:ok", "revoke_user_tokens:ok", "create_role:FORBIDDEN"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit lines %v, want %v", got, want)
	}
}
