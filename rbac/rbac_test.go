package rbac

import (
	"slices"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/apperr"
)

func ptr[T any](v T) *T { return &v }

// A user in organization 1 (with descendants 2 and 3) and organization 10,
// whose analytics role is granted in organization 2 only.
func context() *UserContext {
	return &UserContext{
		UserID: 7,
		Roles: []RoleGrant{
			{RoleID: 1, Name: "analyst", OrganizationID: ptr(int64(2)), Permissions: []string{AnalyticsReadOrganization}},
			{RoleID: 2, Name: "viewer", Permissions: []string{ProfileReadOwn}},
			{RoleID: 3, Name: "expired admin", ExpiresAt: ptr(time.Now().Add(-time.Minute)), Permissions: []string{AnalyticsReadAll}},
		},
		Accessible:   []Organization{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 10}},
		OrgPractices: map[int64][]int64{1: {100}, 2: {200, 201}, 3: {300}, 10: {1000}},
		Subtrees:     map[int64][]int64{2: {2, 3}},
	}
}

func TestExpiredGrantsGrantNothing(t *testing.T) {
	u := context()
	if u.Has(AnalyticsReadAll) || slices.Contains(u.Permissions(), AnalyticsReadAll) || len(u.ActiveRoles()) != 2 {
		t.Fatalf("an expired grant counts: %v", u.Permissions())
	}
}

func TestOrganizationScopedGrantReachesItsSubtreeOnly(t *testing.T) {
	u := context()
	if got := u.OrganizationsFor(AnalyticsReadOrganization); !slices.Equal(got, []int64{2, 3}) {
		t.Fatalf("analytics reaches %v, want the subtree of 2", got)
	}
	if s := u.AnalyticsScope(); s.All || !slices.Equal(s.Practices, []int64{200, 201, 300}) {
		t.Fatalf("scope %+v", s)
	}
	// Granted without an organization, the role reaches every accessible one.
	u.Roles[0].OrganizationID = nil
	if s := u.AnalyticsScope(); !slices.Equal(s.Practices, []int64{100, 200, 201, 300, 1000}) {
		t.Fatalf("scope of a global grant %+v", s)
	}
}

func TestRequire(t *testing.T) {
	u := context()
	if err := u.RequireAnalytics(); err != nil {
		t.Fatal(err)
	}
	if err := u.Require(UsersManageAll); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("code %s", apperr.CodeOf(err))
	}
}
