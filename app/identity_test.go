package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/seed"
)

const testPassword = "test-password-1"

var userSeq atomic.Int64

func orgID(t *testing.T, slug string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM organizations WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func roleID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM roles WHERE name = $1 AND organization_id IS NULL`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// newUser creates a user in an organization with a role, through the API
// as the super admin, and returns its id and email.
func newUser(t *testing.T, orgSlug, role string) (int64, string) {
	t.Helper()
	admin := login(t, seed.AdminEmail)
	email := fmt.Sprintf("user%d-%d@dashgraph.test", time.Now().UnixNano()%1e6, userSeq.Add(1))
	var d struct{ CreateUser struct{ ID string } }
	post(t, admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"email": email, "name": "Test User", "password": testPassword, "organizationIds": []int64{orgID(t, orgSlug)},
	}}).mustData(t, &d)
	var id int64
	fmt.Sscan(d.CreateUser.ID, &id)
	if role != "" {
		post(t, admin, `mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }`,
			map[string]any{"u": id, "r": roleID(t, role)}).mustData(t, &struct{}{})
	}
	return id, email
}

type tokens struct{ access, refresh string }

func signIn(t *testing.T, email, password string) tokens {
	t.Helper()
	var d struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	post(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`,
		map[string]any{"e": email, "p": password}).mustData(t, &d)
	return tokens{d.Login.AccessToken, d.Login.RefreshToken}
}

// works reports whether an access token is accepted for a query.
func works(t *testing.T, access string) bool {
	t.Helper()
	r := post(t, access, `{ me { email } }`, nil)
	if len(r.Errors) > 0 && r.code() != "UNAUTHENTICATED" {
		t.Fatalf("unexpected error: %+v", r.Errors)
	}
	return len(r.Errors) == 0
}

// refresh exchanges a refresh token, returning the new pair or the error code.
func refresh(t *testing.T, refreshToken string) (tokens, string) {
	t.Helper()
	r := post(t, "", `mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }`,
		map[string]any{"r": refreshToken})
	if len(r.Errors) > 0 {
		return tokens{}, r.code()
	}
	var d struct {
		RefreshToken struct{ AccessToken, RefreshToken string }
	}
	r.mustData(t, &d)
	return tokens{d.RefreshToken.AccessToken, d.RefreshToken.RefreshToken}, ""
}

func mutate(t *testing.T, token, query string, vars map[string]any) response {
	t.Helper()
	return post(t, token, query, vars)
}

func TestSessions(t *testing.T) {
	_, email := newUser(t, "bend-north", "analyst")

	t.Run("TokenRefusedRightAfterLogout", func(t *testing.T) {
		a := signIn(t, email, testPassword)
		other := signIn(t, email, testPassword)
		if !works(t, a.access) {
			t.Fatal("fresh token refused")
		}
		mutate(t, a.access, `mutation { logout }`, nil).mustData(t, &struct{}{})
		if works(t, a.access) {
			t.Fatal("token works after logout")
		}
		if _, code := refresh(t, a.refresh); code != "UNAUTHENTICATED" {
			t.Fatalf("refresh token of the logged-out session: code %q", code)
		}
		if !works(t, other.access) {
			t.Fatal("logout ended another session")
		}
	})

	t.Run("RefreshRotatesAndDetectsReuse", func(t *testing.T) {
		a := signIn(t, email, testPassword)
		b, code := refresh(t, a.refresh)
		if code != "" || b.refresh == a.refresh || !works(t, b.access) {
			t.Fatalf("rotation failed: code %q", code)
		}
		c, code := refresh(t, b.refresh)
		if code != "" {
			t.Fatalf("second rotation: %q", code)
		}
		// Presenting the spent token again means it was copied: the whole
		// family is revoked, the thief's and the owner's tokens alike.
		if _, code := refresh(t, a.refresh); code != "UNAUTHENTICATED" {
			t.Fatalf("reused refresh token: code %q", code)
		}
		if _, code := refresh(t, c.refresh); code != "UNAUTHENTICATED" {
			t.Fatalf("newest refresh token after reuse: code %q", code)
		}
		if works(t, c.access) || works(t, b.access) {
			t.Fatal("access tokens of a revoked family still work")
		}
	})

	t.Run("UnknownRefreshTokenRefused", func(t *testing.T) {
		if _, code := refresh(t, "not-a-refresh-token"); code != "UNAUTHENTICATED" {
			t.Fatalf("code %q", code)
		}
	})
}

func TestRevokeEverything(t *testing.T) {
	adminToken := login(t, seed.AdminEmail)
	cases := []struct {
		name   string
		revoke func(t *testing.T, id int64, email string, current tokens) (newPassword string)
	}{
		{"LogoutAll", func(t *testing.T, _ int64, _ string, cur tokens) string {
			mutate(t, cur.access, `mutation { logoutAll }`, nil).mustData(t, &struct{}{})
			return testPassword
		}},
		{"ChangePassword", func(t *testing.T, _ int64, _ string, cur tokens) string {
			var d struct{ ChangePassword struct{ AccessToken string } }
			mutate(t, cur.access, `mutation { changePassword(currentPassword: "test-password-1", newPassword: "another-password-2") { accessToken } }`, nil).mustData(t, &d)
			if !works(t, d.ChangePassword.AccessToken) {
				t.Fatal("the token changePassword returned does not work")
			}
			return "another-password-2"
		}},
		{"RevokeUserTokens", func(t *testing.T, id int64, _ string, _ tokens) string {
			mutate(t, adminToken, `mutation($id: ID!) { revokeUserTokens(userId: $id) }`, map[string]any{"id": id}).mustData(t, &struct{}{})
			return testPassword
		}},
		{"DeactivateUser", func(t *testing.T, id int64, _ string, _ tokens) string {
			mutate(t, adminToken, `mutation($id: ID!) { deactivateUser(id: $id) { isActive } }`, map[string]any{"id": id}).mustData(t, &struct{}{})
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, email := newUser(t, "bend-north", "analyst")
			first, second := signIn(t, email, testPassword), signIn(t, email, testPassword)
			password := c.revoke(t, id, email, first)
			for i, tk := range []tokens{first, second} {
				if works(t, tk.access) {
					t.Fatalf("access token %d works after %s", i, c.name)
				}
				if _, code := refresh(t, tk.refresh); code != "UNAUTHENTICATED" {
					t.Fatalf("refresh token %d after %s: code %q", i, c.name, code)
				}
			}
			if password != "" && !works(t, signIn(t, email, password).access) {
				t.Fatalf("signing in again after %s fails", c.name)
			}
		})
	}

	t.Run("ReactivationDoesNotRestoreTokens", func(t *testing.T) {
		id, email := newUser(t, "bend-north", "analyst")
		old := signIn(t, email, testPassword)
		mutate(t, adminToken, `mutation($id: ID!) { deactivateUser(id: $id) { id } }`, map[string]any{"id": id}).mustData(t, &struct{}{})
		r := post(t, "", `mutation($e: String!) { login(email: $e, password: "test-password-1") { accessToken } }`, map[string]any{"e": email})
		if r.code() != "UNAUTHENTICATED" {
			t.Fatalf("a deactivated user signed in: %q", r.code())
		}
		mutate(t, adminToken, `mutation($id: ID!) { reactivateUser(id: $id) { id } }`, map[string]any{"id": id}).mustData(t, &struct{}{})
		if works(t, old.access) {
			t.Fatal("a token from before the deactivation works again")
		}
		if _, code := refresh(t, old.refresh); code != "UNAUTHENTICATED" {
			t.Fatalf("old refresh token after reactivation: %q", code)
		}
		if !works(t, signIn(t, email, testPassword).access) {
			t.Fatal("the reactivated user cannot sign in")
		}
	})
}

func TestRoleChangeShowsOnNextRequest(t *testing.T) {
	adminToken := login(t, seed.AdminEmail)
	id, email := newUser(t, "bend-north", "analyst")
	tk := signIn(t, email, testPassword)
	if r := post(t, tk.access, `{ dashboards { id } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("analyst cannot list dashboards: %+v", r.Errors)
	}
	mutate(t, adminToken, `mutation($u: ID!, $r: ID!) { removeRole(userId: $u, roleId: $r) { id } }`,
		map[string]any{"u": id, "r": roleID(t, "analyst")}).mustData(t, &struct{}{})
	if r := post(t, tk.access, `{ dashboards { id } }`, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("after the role is removed: code %q", r.code())
	}
	var d struct {
		Me struct{ Permissions []string }
	}
	post(t, tk.access, `{ me { permissions } }`, nil).mustData(t, &d)
	if len(d.Me.Permissions) != 0 {
		t.Fatalf("me still shows %v", d.Me.Permissions)
	}
}

func TestPermissionChangeShowsOnNextRequest(t *testing.T) {
	adminToken := login(t, seed.AdminEmail)
	// A role of its own, so the shared analyst role is left alone.
	var d struct{ CreateRole struct{ ID string } }
	mutate(t, adminToken, `mutation($n: String!) { createRole(input: {name: $n, permissions: ["analytics:read:organization"]}) { id } }`,
		map[string]any{"n": fmt.Sprintf("temp-readers-%d", time.Now().UnixNano())}).mustData(t, &d)
	id, email := newUser(t, "bend-north", "")
	mutate(t, adminToken, `mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }`,
		map[string]any{"u": id, "r": d.CreateRole.ID}).mustData(t, &struct{}{})
	tk := signIn(t, email, testPassword)
	if r := post(t, tk.access, `{ dashboards { id } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("before: %+v", r.Errors)
	}
	mutate(t, adminToken, `mutation($r: ID!) { revokePermission(roleId: $r, permission: "analytics:read:organization") { id } }`,
		map[string]any{"r": d.CreateRole.ID}).mustData(t, &struct{}{})
	if r := post(t, tk.access, `{ dashboards { id } }`, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("after the permission is revoked: code %q", r.code())
	}
}

// Every administrative write, as someone without the permission it needs.
var adminWrites = []struct{ name, query string }{
	{"revokeUserTokens", `mutation { revokeUserTokens(userId: 1) }`},
	{"createUser", `mutation { createUser(input: {email: "x@dashgraph.test", name: "X", password: "long-enough-1"}) { id } }`},
	{"updateUser", `mutation { updateUser(id: 1, input: {name: "X"}) { id } }`},
	{"deactivateUser", `mutation { deactivateUser(id: 1) { id } }`},
	{"reactivateUser", `mutation { reactivateUser(id: 1) { id } }`},
	{"assignRole", `mutation { assignRole(userId: 1, roleId: 1) { id } }`},
	{"removeRole", `mutation { removeRole(userId: 1, roleId: 1) { id } }`},
	{"addUserToOrganization", `mutation { addUserToOrganization(userId: 1, organizationId: 1) { id } }`},
	{"removeUserFromOrganization", `mutation { removeUserFromOrganization(userId: 1, organizationId: 1) { id } }`},
	{"createRole", `mutation { createRole(input: {name: "x"}) { id } }`},
	{"updateRole", `mutation { updateRole(id: 1, input: {name: "x"}) { id } }`},
	{"deleteRole", `mutation { deleteRole(id: 1) }`},
	{"setRolePermissions", `mutation { setRolePermissions(id: 1, permissions: []) { id } }`},
	{"grantPermission", `mutation { grantPermission(roleId: 1, permission: "cache:manage:all") { id } }`},
	{"revokePermission", `mutation { revokePermission(roleId: 1, permission: "cache:manage:all") { id } }`},
	{"createOrganization", `mutation { createOrganization(input: {name: "X", slug: "x", parentId: 1}) { id } }`},
	{"updateOrganization", `mutation { updateOrganization(id: 1, input: {name: "X"}) { id } }`},
	{"moveOrganization", `mutation { moveOrganization(id: 2, parentId: null) { id } }`},
	{"createDashboard", `mutation { createDashboard(input: {name: "X"}) { id } }`},
	{"updateDashboard", `mutation { updateDashboard(id: 1, input: {name: "X"}) { id } }`},
	{"reorderDashboardCharts", `mutation { reorderDashboardCharts(id: 1, chartIds: []) { id } }`},
	{"deleteDashboard", `mutation { deleteDashboard(id: 1) }`},
	{"createChart", `mutation { createChart(input: {name: "X", config: {type: LINE, measures: ["charges"], frequency: DAILY, dateRange: {preset: TODAY}}}) { id } }`},
	{"updateChart", `mutation { updateChart(id: 1, input: {name: "X"}) { id } }`},
	{"deleteChart", `mutation { deleteChart(id: 1) }`},
	{"markDataSourceReloaded", `mutation { markDataSourceReloaded(id: 1) { generation } }`},
}

func TestAdminWritesNeedPermission(t *testing.T) {
	token := login(t, seed.AnalystEmail)
	for _, w := range adminWrites {
		t.Run(w.name, func(t *testing.T) {
			if r := post(t, token, w.query, nil); r.code() != "FORBIDDEN" {
				t.Fatalf("code %q, data %s", r.code(), r.Data)
			}
		})
	}
	var n int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM users WHERE email = 'x@dashgraph.test'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a forbidden createUser left a user (%d, %v)", n, err)
	}
}

func TestOrgAdminStaysInItsSubtree(t *testing.T) {
	orgAdmin := login(t, seed.OrgAdminEmail)
	cascadeUser, _ := newUser(t, "cascade", "analyst")
	northUser, _ := newUser(t, "bend-north", "analyst")
	var adminID int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM users WHERE email = $1`, seed.AdminEmail).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	forbidden := []struct {
		name, query string
		vars        map[string]any
	}{
		{"DeactivateOtherOrgUser", `mutation($id: ID!) { deactivateUser(id: $id) { id } }`, map[string]any{"id": cascadeUser}},
		{"RenameOtherOrgUser", `mutation($id: ID!) { updateUser(id: $id, input: {name: "Pwned"}) { id } }`, map[string]any{"id": cascadeUser}},
		{"DeactivateSuperAdmin", `mutation($id: ID!) { deactivateUser(id: $id) { id } }`, map[string]any{"id": adminID}},
		{"GrantSuperAdmin", `mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r) { id } }`,
			map[string]any{"u": northUser, "r": roleID(t, "super_admin")}},
		{"CreateUserElsewhere", `mutation($o: ID!) { createUser(input: {email: "elsewhere@dashgraph.test", name: "E", password: "long-enough-1", organizationIds: [$o]}) { id } }`,
			map[string]any{"o": orgID(t, "cascade")}},
		{"CreateRoleElsewhere", `mutation($o: ID!) { createRole(input: {name: "spy", organizationId: $o}) { id } }`,
			map[string]any{"o": orgID(t, "cascade")}},
		{"CreateSystemRole", `mutation { createRole(input: {name: "spy"}) { id } }`, nil},
		{"ChangeSystemRole", `mutation($r: ID!) { grantPermission(roleId: $r, permission: "users:manage:organization") { id } }`,
			map[string]any{"r": roleID(t, "analyst")}},
		{"RoleWithAllScope", `mutation($o: ID!) { createRole(input: {name: "wide", organizationId: $o, permissions: ["analytics:read:all"]}) { id } }`,
			map[string]any{"o": orgID(t, "bend-north")}},
		{"MoveOrgOutOfSubtree", `mutation($id: ID!, $p: ID!) { moveOrganization(id: $id, parentId: $p) { id } }`,
			map[string]any{"id": orgID(t, "bend-south"), "p": orgID(t, "cascade")}},
	}
	for _, f := range forbidden {
		t.Run(f.name, func(t *testing.T) {
			if r := post(t, orgAdmin, f.query, f.vars); r.code() != "FORBIDDEN" {
				t.Fatalf("code %q, data %s", r.code(), r.Data)
			}
		})
	}
	t.Run("ManagesItsOwnUsers", func(t *testing.T) {
		var d struct{ UpdateUser struct{ Name string } }
		post(t, orgAdmin, `mutation($id: ID!) { updateUser(id: $id, input: {name: "Renamed"}) { name } }`,
			map[string]any{"id": northUser}).mustData(t, &d)
		if d.UpdateUser.Name != "Renamed" {
			t.Fatalf("name = %q", d.UpdateUser.Name)
		}
	})
	t.Run("ListsOnlyItsUsers", func(t *testing.T) {
		var d struct {
			Users struct{ Nodes []struct{ ID string } }
		}
		post(t, orgAdmin, `{ users(first: 100) { nodes { id } } }`, nil).mustData(t, &d)
		for _, u := range d.Users.Nodes {
			if u.ID == fmt.Sprint(cascadeUser) {
				t.Fatal("the org admin lists a Cascade user")
			}
		}
		if len(d.Users.Nodes) == 0 {
			t.Fatal("the org admin lists no users")
		}
	})
}

func TestBadAdminInputChangesNothing(t *testing.T) {
	adminToken := login(t, seed.AdminEmail)
	uid, email := newUser(t, "bend-north", "analyst")
	north, peds := orgID(t, "bend-north"), orgID(t, "bend-north-peds")
	cases := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"UnknownUser", `mutation { updateUser(id: 99999999, input: {name: "X"}) { id } }`, nil, "does not exist"},
		{"UnknownRole", `mutation($u: ID!) { assignRole(userId: $u, roleId: 99999999) { id } }`, map[string]any{"u": uid}, "does not exist"},
		{"UnknownOrganization", `mutation($u: ID!) { addUserToOrganization(userId: $u, organizationId: 99999999) { id } }`, map[string]any{"u": uid}, "does not exist"},
		{"DuplicateEmail", `mutation($e: String!) { createUser(input: {email: $e, name: "Dup", password: "long-enough-1"}) { id } }`, map[string]any{"e": strings.ToUpper(email)}, "already in use"},
		{"MalformedEmail", `mutation { createUser(input: {email: "not-an-email", name: "X", password: "long-enough-1"}) { id } }`, nil, "not an email"},
		{"EmptyName", `mutation($u: ID!) { updateUser(id: $u, input: {name: "   "}) { id } }`, map[string]any{"u": uid}, "must not be empty"},
		{"ShortPassword", `mutation { createUser(input: {email: "short@dashgraph.test", name: "S", password: "short"}) { id } }`, nil, "at least 8"},
		{"OrgUnderItsOwnDescendant", `mutation($id: ID!, $p: ID!) { moveOrganization(id: $id, parentId: $p) { id } }`, map[string]any{"id": north, "p": peds}, "inside its own subtree"},
		{"OrgUnderItself", `mutation($id: ID!) { moveOrganization(id: $id, parentId: $id) { id } }`, map[string]any{"id": north}, "inside its own subtree"},
		{"UnknownPermission", `mutation { createRole(input: {name: "bad", permissions: ["analytics:write:everything"]}) { id } }`, nil, "is not a permission"},
		{"ExpiryInThePast", `mutation($u: ID!, $r: ID!) { assignRole(userId: $u, roleId: $r, expiresAt: "2020-01-01T00:00:00Z") { id } }`, map[string]any{"u": uid, "r": roleID(t, "viewer")}, "not in the future"},
		{"BadSlug", `mutation($p: ID!) { createOrganization(input: {name: "X", slug: "Not A Slug", parentId: $p}) { id } }`, map[string]any{"p": north}, "slug"},
		{"DuplicateSlug", `mutation($p: ID!) { createOrganization(input: {name: "X", slug: "cascade", parentId: $p}) { id } }`, map[string]any{"p": north}, "already in use"},
		{"BadChartConfig", `mutation { createChart(input: {name: "X", config: {type: LINE, measures: ["nope"], frequency: DAILY, dateRange: {preset: TODAY}}}) { id } }`, nil, "is not known"},
		{"UnknownChartOnDashboard", `mutation { createDashboard(input: {name: "X", chartIds: [99999999]}) { id } }`, nil, "does not exist"},
		{"BadCursor", `{ users(after: "!!") { nodes { id } } }`, nil, "cursor"},
	}
	before := tableCounts(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, adminToken, c.query, c.vars)
			if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, c.want) {
				t.Fatalf("code %q message %+v, want BAD_USER_INPUT saying %q", r.code(), r.Errors, c.want)
			}
		})
	}
	if after := tableCounts(t); !slices.Equal(before, after) {
		t.Fatalf("bad input changed rows: %v -> %v", before, after)
	}
	var parent int64
	if err := pool.QueryRow(t.Context(), `SELECT parent_organization_id FROM organizations WHERE id = $1`, north).Scan(&parent); err != nil || parent != orgID(t, "bend-health") {
		t.Fatalf("Bend Health North moved: parent %d, %v", parent, err)
	}
}

func tableCounts(t *testing.T) []int64 {
	t.Helper()
	var counts []int64
	for _, table := range []string{"users", "roles", "role_permissions", "user_roles", "user_organizations", "organizations",
		"dashboards", "chart_definitions", "dashboard_charts", "invalidation_outbox"} {
		var n int64
		if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, n)
	}
	return counts
}

func TestCookieTransport(t *testing.T) {
	_, email := newUser(t, "bend-north", "analyst")
	res, err := http.Post(server.URL+"/graphql", "application/json", strings.NewReader(
		fmt.Sprintf(`{"query":"mutation { login(email: \"%s\", password: \"%s\", setCookie: true) { accessToken } }"}`, email, testPassword)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "access_token" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie = %+v", cookie)
	}
	withCookie := func(contentType string, headers map[string]string, body string) response {
		req, _ := http.NewRequest(http.MethodPost, server.URL+"/graphql", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", contentType)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		req.AddCookie(cookie)
		return send(t, req)
	}
	t.Run("JSONRequestsWork", func(t *testing.T) {
		r := withCookie("application/json", nil, `{"query":"{ me { email } }"}`)
		if len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
	})
	t.Run("CrossSiteFormRefused", func(t *testing.T) {
		r := withCookie("application/x-www-form-urlencoded", nil, `query=mutation+%7B+logoutAll+%7D`)
		if r.Status != http.StatusForbidden || r.code() != "FORBIDDEN" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
		r = withCookie("text/plain", nil, `{"query":"mutation { logoutAll }"}`)
		if r.Status != http.StatusForbidden {
			t.Fatalf("text/plain: status %d", r.Status)
		}
		if r := withCookie("application/json", nil, `{"query":"{ me { email } }"}`); len(r.Errors) > 0 {
			t.Fatal("a refused cross-site request logged the user out")
		}
	})
	t.Run("CSRFHeaderAdmitsOtherContentTypes", func(t *testing.T) {
		// The header proves the request is not a plain form; GraphQL still
		// wants JSON, so this gets past the CSRF check to the JSON check.
		r := withCookie("text/plain", map[string]string{"X-CSRF-Token": "1"}, `{"query":"{ me { email } }"}`)
		if r.Status != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
	t.Run("LogoutClearsTheCookie", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, server.URL+"/graphql", strings.NewReader(`{"query":"mutation { logout }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cleared := false
		for _, c := range res.Cookies() {
			cleared = cleared || (c.Name == "access_token" && c.MaxAge < 0)
		}
		if !cleared {
			t.Fatal("logout did not clear the cookie")
		}
		if r := withCookie("application/json", nil, `{"query":"{ me { email } }"}`); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("cookie after logout: %q", r.code())
		}
	})
}
