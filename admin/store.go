package admin

import (
	"context"
	"time"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/invalidation"
	"github.com/dashgraph/dashgraph/rbac"
)

// CreateUserInput is a new user.
type CreateUserInput struct {
	Email           string  `json:"email"`
	Name            string  `json:"name"`
	Password        string  `json:"password"`
	OrganizationIDs []int64 `json:"organizationIds"`
}

// UpdateUserInput lists the fields of a user to change.
type UpdateUserInput struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
}

// RoleGrant is a role granted to a user.
type RoleGrant struct {
	UserID         int64
	RoleID         int64
	OrganizationID *int64
	ExpiresAt      *time.Time
	GrantedBy      int64
}

// CreateRoleInput is a new role.
type CreateRoleInput struct {
	Name           string   `json:"name"`
	Description    *string  `json:"description"`
	OrganizationID *int64   `json:"organizationId"`
	Permissions    []string `json:"permissions"`
}

// UpdateRoleInput lists the fields of a role to change.
type UpdateRoleInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// CreateOrganizationInput is a new organization.
type CreateOrganizationInput struct {
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	ParentID *int64 `json:"parentId"`
}

// UpdateOrganizationInput lists the fields of an organization to change.
type UpdateOrganizationInput struct {
	Name *string `json:"name"`
	Slug *string `json:"slug"`
}

// DashboardInput is a new dashboard.
type DashboardInput struct {
	Name           string  `json:"name"`
	Description    *string `json:"description"`
	OrganizationID *int64  `json:"organizationId"`
	ChartIDs       []int64 `json:"chartIds"`
}

// UpdateDashboardInput lists the fields of a dashboard to change.
type UpdateDashboardInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// ChartInput is a new chart definition.
type ChartInput struct {
	Name           string                `json:"name"`
	Description    *string               `json:"description"`
	Config         analytics.ChartConfig `json:"config"`
	OrganizationID *int64                `json:"organizationId"`
}

// UpdateChartInput lists the fields of a chart definition to change.
type UpdateChartInput struct {
	Name        *string                `json:"name"`
	Description *string                `json:"description"`
	Config      *analytics.ChartConfig `json:"config"`
}

// Events is the list of invalidations a write caused.
type Events = []invalidation.Event

// Store is the storage of administrative reads and writes. Each write runs
// in one transaction, records the invalidations it returns in the outbox,
// and returns BAD_USER_INPUT for a missing id or a violated constraint.
type Store interface {
	UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error)
	User(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context, limit int, afterID int64, orgs []int64) ([]User, error)
	Role(ctx context.Context, id int64) (*Role, error)
	Roles(ctx context.Context, limit int, afterID int64, orgs []int64) ([]Role, error)
	Permissions(ctx context.Context, limit int, afterID int64) ([]Permission, error)
	// UnknownPermissions returns the names that are not permissions.
	UnknownPermissions(ctx context.Context, names []string) ([]string, error)
	Organization(ctx context.Context, id int64) (*rbac.Organization, error)
	Organizations(ctx context.Context, limit int, afterID int64, orgs []int64) ([]rbac.Organization, error)
	Dashboard(ctx context.Context, id int64) (*analytics.Dashboard, error)
	Chart(ctx context.Context, id int64) (*analytics.Chart, error)

	CreateUser(ctx context.Context, in CreateUserInput, passwordHash string) (*User, Events, error)
	UpdateUser(ctx context.Context, id int64, in UpdateUserInput) (*User, Events, error)
	// SetUserActive (de)activates a user. Deactivating revokes every token
	// and session of theirs.
	SetUserActive(ctx context.Context, id int64, active bool, now time.Time) (*User, Events, error)
	// RevokeUserTokens sets tokens_valid_after and revokes every session.
	RevokeUserTokens(ctx context.Context, id int64, now time.Time) (Events, error)
	AssignRole(ctx context.Context, g RoleGrant) (Events, error)
	RemoveRole(ctx context.Context, userID, roleID int64, orgID *int64) (Events, error)
	SetMembership(ctx context.Context, userID, orgID int64, member bool) (Events, error)

	CreateRole(ctx context.Context, in CreateRoleInput) (*Role, Events, error)
	UpdateRole(ctx context.Context, id int64, in UpdateRoleInput) (*Role, Events, error)
	DeleteRole(ctx context.Context, id int64) (Events, error)
	SetRolePermissions(ctx context.Context, id int64, names []string) (*Role, Events, error)
	GrantPermission(ctx context.Context, id int64, name string) (*Role, Events, error)
	RevokePermission(ctx context.Context, id int64, name string) (*Role, Events, error)

	CreateOrganization(ctx context.Context, in CreateOrganizationInput) (*rbac.Organization, Events, error)
	UpdateOrganization(ctx context.Context, id int64, in UpdateOrganizationInput) (*rbac.Organization, Events, error)
	// MoveOrganization refuses a parent inside the organization's own subtree.
	MoveOrganization(ctx context.Context, id int64, parentID *int64) (*rbac.Organization, Events, error)

	CreateDashboard(ctx context.Context, in DashboardInput, createdBy int64) (int64, Events, error)
	UpdateDashboard(ctx context.Context, id int64, in UpdateDashboardInput) (Events, error)
	SetDashboardCharts(ctx context.Context, id int64, chartIDs []int64) (Events, error)
	DeleteDashboard(ctx context.Context, id int64) (Events, error)
	CreateChart(ctx context.Context, in ChartInput, createdBy int64) (int64, Events, error)
	UpdateChart(ctx context.Context, id int64, in UpdateChartInput) (Events, error)
	DeleteChart(ctx context.Context, id int64) (Events, error)
	MarkDataSourceReloaded(ctx context.Context, id int64) (*DataSource, Events, error)
}
