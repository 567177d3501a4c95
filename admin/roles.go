package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dashgraph/dashgraph/rbac"
)

// Roles lists system roles and the roles of the actor's organizations (all
// roles with roles:manage:all).
func (s *Service) Roles(ctx context.Context, actor *rbac.UserContext, first *int, after *string) (RolePage, error) {
	r, err := reachOf(actor, "roles")
	if err != nil {
		return RolePage{}, err
	}
	limit, afterID, err := pageArgs(first, after)
	if err != nil {
		return RolePage{}, err
	}
	roles, err := s.store.Roles(ctx, limit+1, afterID, r.list())
	if err != nil {
		return RolePage{}, err
	}
	return RolePage(page(roles, limit, func(r Role) int64 { return r.ID })), nil
}

// Permissions lists every permission.
func (s *Service) Permissions(ctx context.Context, actor *rbac.UserContext, first *int, after *string) (PermissionPage, error) {
	if _, err := reachOf(actor, "roles"); err != nil {
		return PermissionPage{}, err
	}
	limit, afterID, err := pageArgs(first, after)
	if err != nil {
		return PermissionPage{}, err
	}
	perms, err := s.store.Permissions(ctx, limit+1, afterID)
	if err != nil {
		return PermissionPage{}, err
	}
	return PermissionPage(page(perms, limit, func(p Permission) int64 { return p.ID })), nil
}

// checkPermissions refuses unknown permissions, permissions the actor does
// not hold, and, for an organization admin, permissions of scope all.
func (s *Service) checkPermissions(ctx context.Context, actor *rbac.UserContext, r reach, names []string) error {
	unknown, err := s.store.UnknownPermissions(ctx, names)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return badInput("%s is not a permission", strings.Join(unknown, ", "))
	}
	held := actor.Permissions()
	for _, p := range names {
		if _, ok := slices.BinarySearch(held, p); !ok {
			return forbidden("you cannot give %s: you do not hold it", p)
		}
		if !r.all && strings.HasSuffix(p, ":all") {
			return forbidden("an organization's role cannot hold %s", p)
		}
	}
	return nil
}

// managedRole returns a role the actor may change. System roles change only
// with roles:manage:all.
func (s *Service) managedRole(ctx context.Context, actor *rbac.UserContext, id int64) (*Role, reach, error) {
	r, err := reachOf(actor, "roles")
	if err != nil {
		return nil, r, err
	}
	role, err := s.store.Role(ctx, id)
	if err != nil {
		return nil, r, err
	}
	if !r.hasOptional(role.OrganizationID) {
		return nil, r, forbidden("role %q is outside your organizations", role.Name)
	}
	return role, r, nil
}

// CreateRole creates a role owned by an organization, or a system role.
func (s *Service) CreateRole(ctx context.Context, actor *rbac.UserContext, in CreateRoleInput) (_ *Role, err error) {
	defer s.audit(ctx, actor, "create_role", in.Name, &err)
	r, err := reachOf(actor, "roles")
	if err != nil {
		return nil, err
	}
	if in.Name, err = checkName("a role's", in.Name); err != nil {
		return nil, err
	}
	if !r.hasOptional(in.OrganizationID) {
		return nil, forbidden("you can only create roles of your own organizations")
	}
	if in.OrganizationID != nil {
		if _, err := s.store.Organization(ctx, *in.OrganizationID); err != nil {
			return nil, err
		}
	}
	if err := s.checkPermissions(ctx, actor, r, in.Permissions); err != nil {
		return nil, err
	}
	var role *Role
	err = s.write(ctx, func() (Events, error) {
		var events Events
		role, events, err = s.store.CreateRole(ctx, in)
		return events, err
	})
	return role, err
}

// UpdateRole renames a role or changes its description.
func (s *Service) UpdateRole(ctx context.Context, actor *rbac.UserContext, id int64, in UpdateRoleInput) (_ *Role, err error) {
	defer s.audit(ctx, actor, "update_role", roleTarget(id), &err)
	if _, _, err := s.managedRole(ctx, actor, id); err != nil {
		return nil, err
	}
	if in.Name != nil {
		name, err := checkName("a role's", *in.Name)
		if err != nil {
			return nil, err
		}
		in.Name = &name
	}
	var role *Role
	err = s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		role, events, err = s.store.UpdateRole(ctx, id, in)
		return events, err
	})
	return role, err
}

// DeleteRole deletes a role and its grants. System roles stay.
func (s *Service) DeleteRole(ctx context.Context, actor *rbac.UserContext, id int64) (err error) {
	defer s.audit(ctx, actor, "delete_role", roleTarget(id), &err)
	role, _, err := s.managedRole(ctx, actor, id)
	if err != nil {
		return err
	}
	if role.IsSystem {
		return badInput("role %q is built in and cannot be deleted", role.Name)
	}
	return s.write(ctx, func() (Events, error) {
		return s.store.DeleteRole(ctx, id)
	})
}

// SetRolePermissions replaces a role's permissions.
func (s *Service) SetRolePermissions(ctx context.Context, actor *rbac.UserContext, id int64, names []string) (_ *Role, err error) {
	defer s.audit(ctx, actor, "set_role_permissions", roleTarget(id), &err)
	_, r, err := s.managedRole(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkPermissions(ctx, actor, r, names); err != nil {
		return nil, err
	}
	return s.roleWrite(ctx, func() (*Role, Events, error) {
		return s.store.SetRolePermissions(ctx, id, names)
	})
}

// GrantPermission adds one permission to a role.
func (s *Service) GrantPermission(ctx context.Context, actor *rbac.UserContext, id int64, name string) (_ *Role, err error) {
	defer s.audit(ctx, actor, "grant_permission", roleTarget(id), &err)
	_, r, err := s.managedRole(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkPermissions(ctx, actor, r, []string{name}); err != nil {
		return nil, err
	}
	return s.roleWrite(ctx, func() (*Role, Events, error) {
		return s.store.GrantPermission(ctx, id, name)
	})
}

// RevokePermission removes one permission from a role.
func (s *Service) RevokePermission(ctx context.Context, actor *rbac.UserContext, id int64, name string) (_ *Role, err error) {
	defer s.audit(ctx, actor, "revoke_permission", roleTarget(id), &err)
	if _, _, err := s.managedRole(ctx, actor, id); err != nil {
		return nil, err
	}
	unknown, err := s.store.UnknownPermissions(ctx, []string{name})
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, badInput("%s is not a permission", name)
	}
	return s.roleWrite(ctx, func() (*Role, Events, error) {
		return s.store.RevokePermission(ctx, id, name)
	})
}

func (s *Service) roleWrite(ctx context.Context, fn func() (*Role, Events, error)) (*Role, error) {
	var role *Role
	err := s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		role, events, err = fn()
		return events, err
	})
	return role, err
}

func roleTarget(id int64) string { return fmt.Sprintf("role:%d", id) }
