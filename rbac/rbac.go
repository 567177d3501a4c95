// Package rbac holds what a user may do and see: the user context (roles,
// permissions, organizations, data scope) and the checks made against it.
package rbac

import (
	"slices"
	"strings"
	"time"

	"github.com/dashgraph/dashgraph/apperr"
)

// Permissions are resource:action:scope. The scope part says how far the
// permission reaches: own (the user's own records), organization (the
// organizations the user belongs to and all their descendants) or all.
const (
	AnalyticsReadOrganization   = "analytics:read:organization"
	AnalyticsReadAll            = "analytics:read:all"
	DashboardsManageOrg         = "dashboards:manage:organization"
	DashboardsManageAll         = "dashboards:manage:all"
	UsersManageOrganization     = "users:manage:organization"
	UsersManageAll              = "users:manage:all"
	RolesManageOrganization     = "roles:manage:organization"
	RolesManageAll              = "roles:manage:all"
	OrganizationsManageOrg      = "organizations:manage:organization"
	OrganizationsManageAll      = "organizations:manage:all"
	DataSourcesManageAll        = "data_sources:manage:all"
	CacheManageAll              = "cache:manage:all"
	ProfileReadOwn              = "profile:read:own"
	SuperAdminRole              = "super_admin"
	permissionScopeOrganization = "organization"
)

// Organization is a node of the organization tree.
type Organization struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	ParentID *int64 `json:"parentId,omitempty"`
}

// RoleGrant is one role assigned to a user, optionally limited to an
// organization's subtree and optionally expiring.
type RoleGrant struct {
	RoleID         int64      `json:"roleId"`
	Name           string     `json:"name"`
	OrganizationID *int64     `json:"organizationId,omitempty"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
	Permissions    []string   `json:"permissions"`
}

// UserContext is everything authorization needs about one user, built in
// one query and, with the cache, stored as one entry.
type UserContext struct {
	UserID int64       `json:"userId"`
	Email  string      `json:"email"`
	Name   string      `json:"name"`
	Roles  []RoleGrant `json:"roles"`
	// Organizations are the user's direct memberships.
	Organizations []Organization `json:"organizations"`
	// Accessible are the memberships and all their descendants.
	Accessible []Organization `json:"accessible"`
	// OrgPractices maps each accessible organization to its own practices.
	OrgPractices map[int64][]int64 `json:"orgPractices"`
	// Subtrees maps each organization an org-scoped role is granted in to
	// that organization and its descendants.
	Subtrees map[int64][]int64 `json:"subtrees,omitempty"`
}

// Scope is the set of practices whose data a user may read.
type Scope struct {
	All bool
	// Practices is sorted and without duplicates; empty when All.
	Practices []int64
}

// active reports whether the grant is in force. A cached context may hold a
// grant that expires while it is cached, so expiry is checked on every use.
func (r RoleGrant) active() bool {
	return r.ExpiresAt == nil || time.Now().Before(*r.ExpiresAt)
}

// Permissions lists the user's effective permissions, sorted.
func (u *UserContext) Permissions() []string {
	var out []string
	for _, r := range u.Roles {
		if r.active() {
			out = append(out, r.Permissions...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Has reports whether any of the user's roles grants the permission.
func (u *UserContext) Has(permission string) bool {
	for _, r := range u.Roles {
		if r.active() && slices.Contains(r.Permissions, permission) {
			return true
		}
	}
	return false
}

// HasAny reports whether the user holds at least one of the permissions.
func (u *UserContext) HasAny(permissions ...string) bool {
	return slices.ContainsFunc(permissions, u.Has)
}

// Require returns FORBIDDEN unless the user holds at least one of the permissions.
func (u *UserContext) Require(permissions ...string) error {
	if u.HasAny(permissions...) {
		return nil
	}
	return apperr.Errorf(apperr.Forbidden, "this needs one of the permissions %s", strings.Join(permissions, ", "))
}

// OrganizationsFor returns the ids of the organizations an
// organization-scoped permission reaches: every accessible organization when
// it comes from a role granted without an organization, else the subtree of
// each organization the role was granted in (limited to accessible ones).
func (u *UserContext) OrganizationsFor(permission string) []int64 {
	accessible := make(map[int64]bool, len(u.Accessible))
	for _, o := range u.Accessible {
		accessible[o.ID] = true
	}
	var ids []int64
	for _, r := range u.Roles {
		if !r.active() || !slices.Contains(r.Permissions, permission) {
			continue
		}
		if r.OrganizationID == nil {
			ids = ids[:0]
			for _, o := range u.Accessible {
				ids = append(ids, o.ID)
			}
			break
		}
		for _, id := range u.Subtrees[*r.OrganizationID] {
			if accessible[id] {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// CanAccessOrganization reports whether an organization-scoped permission
// reaches the organization.
func (u *UserContext) CanAccessOrganization(permission string, orgID int64) bool {
	return slices.Contains(u.OrganizationsFor(permission), orgID)
}

// AnalyticsScope is the data the user may read: every practice with
// analytics:read:all, else the practices of the organizations
// analytics:read:organization reaches.
func (u *UserContext) AnalyticsScope() Scope {
	if u.Has(AnalyticsReadAll) {
		return Scope{All: true}
	}
	var practices []int64
	for _, org := range u.OrganizationsFor(AnalyticsReadOrganization) {
		practices = append(practices, u.OrgPractices[org]...)
	}
	slices.Sort(practices)
	return Scope{Practices: slices.Compact(practices)}
}

// RequireAnalytics returns FORBIDDEN unless the user may read analytics.
func (u *UserContext) RequireAnalytics() error {
	return u.Require(AnalyticsReadOrganization, AnalyticsReadAll)
}

// ActiveRoles lists the grants in force.
func (u *UserContext) ActiveRoles() []RoleGrant {
	var out []RoleGrant
	for _, r := range u.Roles {
		if r.active() {
			out = append(out, r)
		}
	}
	return out
}
