package admin

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/rbac"
)

const maxNameLen = 100

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func checkEmail(email string) (string, error) {
	email = auth.NormalizeEmail(email)
	if len(email) > 254 || !emailPattern.MatchString(email) {
		return "", badInput("%q is not an email address", email)
	}
	return email, nil
}

func checkName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", badInput("%s name must not be empty", what)
	}
	if len(name) > maxNameLen {
		return "", badInput("%s name is longer than %d characters", what, maxNameLen)
	}
	return name, nil
}

// target returns the context of a user the actor wants to manage, checking
// that the actor may: with users:manage:organization, every organization
// the user belongs to must be in the actor's reach, and the user must hold
// no permission of scope all (an organization admin cannot touch a super
// admin, even one who is a member of their organization).
func (s *Service) target(ctx context.Context, actor *rbac.UserContext, userID int64) (*rbac.UserContext, error) {
	r, err := reachOf(actor, "users")
	if err != nil {
		return nil, err
	}
	contexts, err := s.store.UserContexts(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	u := contexts[userID]
	if u == nil {
		return nil, badInput("user %d does not exist", userID)
	}
	if r.all {
		return u, nil
	}
	if len(u.Organizations) == 0 {
		return nil, forbidden("user %d belongs to no organization of yours", userID)
	}
	for _, o := range u.Organizations {
		if !r.has(o.ID) {
			return nil, forbidden("user %d belongs to an organization outside yours", userID)
		}
	}
	for _, p := range u.Permissions() {
		if strings.HasSuffix(p, ":all") {
			return nil, forbidden("user %d has permissions beyond your organizations", userID)
		}
	}
	return u, nil
}

// Users lists the users the actor may manage or see: all with
// users:manage:all, else the members of the actor's organizations.
func (s *Service) Users(ctx context.Context, actor *rbac.UserContext, first *int, after *string) (UserPage, error) {
	r, err := reachOf(actor, "users")
	if err != nil {
		return UserPage{}, err
	}
	limit, afterID, err := pageArgs(first, after)
	if err != nil {
		return UserPage{}, err
	}
	users, err := s.store.Users(ctx, limit+1, afterID, r.list())
	if err != nil {
		return UserPage{}, err
	}
	return UserPage(page(users, limit, func(u User) int64 { return u.ID })), nil
}

// list returns the reached organizations for a store filter: nil for all.
func (r reach) list() []int64 {
	if r.all {
		return nil
	}
	ids := make([]int64, 0, len(r.orgs))
	for id := range r.orgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// CreateUser creates a user. An organization admin must place the new user
// in at least one of their organizations.
func (s *Service) CreateUser(ctx context.Context, actor *rbac.UserContext, in CreateUserInput) (_ *User, err error) {
	defer s.audit(ctx, actor, "create_user", in.Email, &err)
	r, err := reachOf(actor, "users")
	if err != nil {
		return nil, err
	}
	if in.Email, err = checkEmail(in.Email); err != nil {
		return nil, err
	}
	if in.Name, err = checkName("a user's", in.Name); err != nil {
		return nil, err
	}
	if err := auth.CheckPasswordPolicy(in.Password); err != nil {
		return nil, err
	}
	if !r.all && len(in.OrganizationIDs) == 0 {
		return nil, badInput("give the user at least one of your organizations")
	}
	for _, id := range in.OrganizationIDs {
		if !r.has(id) {
			return nil, forbidden("organization %d is outside yours", id)
		}
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return nil, err
	}
	var user *User
	err = s.write(ctx, func() (Events, error) {
		var events Events
		user, events, err = s.store.CreateUser(ctx, in, hash)
		return events, err
	})
	return user, err
}

// UpdateUser changes a user's name or email.
func (s *Service) UpdateUser(ctx context.Context, actor *rbac.UserContext, id int64, in UpdateUserInput) (_ *User, err error) {
	defer s.audit(ctx, actor, "update_user", userTarget(id), &err)
	if _, err := s.target(ctx, actor, id); err != nil {
		return nil, err
	}
	if in.Email != nil {
		email, err := checkEmail(*in.Email)
		if err != nil {
			return nil, err
		}
		in.Email = &email
	}
	if in.Name != nil {
		name, err := checkName("a user's", *in.Name)
		if err != nil {
			return nil, err
		}
		in.Name = &name
	}
	var user *User
	err = s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		user, events, err = s.store.UpdateUser(ctx, id, in)
		return events, err
	})
	return user, err
}

// SetUserActive deactivates or reactivates a user. Deactivation revokes all
// of the user's tokens and sessions at once; reactivation does not bring them
// back. Nobody deactivates themselves.
func (s *Service) SetUserActive(ctx context.Context, actor *rbac.UserContext, id int64, active bool) (_ *User, err error) {
	action := "deactivate_user"
	if active {
		action = "reactivate_user"
	}
	defer s.audit(ctx, actor, action, userTarget(id), &err)
	if _, err := s.target(ctx, actor, id); err != nil {
		return nil, err
	}
	if !active && id == actor.UserID {
		return nil, badInput("you cannot deactivate yourself")
	}
	var user *User
	err = s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		user, events, err = s.store.SetUserActive(ctx, id, active, s.now())
		return events, err
	})
	return user, err
}

// RevokeUserTokens revokes every access and refresh token of a user.
func (s *Service) RevokeUserTokens(ctx context.Context, actor *rbac.UserContext, id int64) (err error) {
	defer s.audit(ctx, actor, "revoke_user_tokens", userTarget(id), &err)
	if _, err := s.target(ctx, actor, id); err != nil {
		return err
	}
	return s.write(ctx, func() (Events, error) {
		return s.store.RevokeUserTokens(ctx, id, s.now())
	})
}

// AssignRole grants a role. The actor must hold every permission the role
// grants, so no one hands out more than they have; an organization-scoped
// grant's organization must be within the actor's reach.
func (s *Service) AssignRole(ctx context.Context, actor *rbac.UserContext, g RoleGrant) (_ *User, err error) {
	defer s.audit(ctx, actor, "assign_role", fmt.Sprintf("user:%d role:%d", g.UserID, g.RoleID), &err)
	if _, err := s.target(ctx, actor, g.UserID); err != nil {
		return nil, err
	}
	if err := s.grantable(ctx, actor, g.RoleID, g.OrganizationID); err != nil {
		return nil, err
	}
	if g.ExpiresAt != nil && !g.ExpiresAt.After(s.now()) {
		return nil, badInput("the grant's expiry %s is not in the future", g.ExpiresAt.Format(time.RFC3339))
	}
	if g.OrganizationID != nil {
		if _, err := s.store.Organization(ctx, *g.OrganizationID); err != nil {
			return nil, err
		}
	}
	g.GrantedBy = actor.UserID
	err = s.write(ctx, func() (Events, error) {
		return s.store.AssignRole(ctx, g)
	})
	if err != nil {
		return nil, err
	}
	return s.store.User(ctx, g.UserID)
}

// grantable checks that the actor may grant or take away a role.
func (s *Service) grantable(ctx context.Context, actor *rbac.UserContext, roleID int64, orgID *int64) error {
	role, err := s.store.Role(ctx, roleID)
	if err != nil {
		return err
	}
	held := actor.Permissions()
	for _, p := range role.Permissions {
		if _, ok := slices.BinarySearch(held, p); !ok {
			return forbidden("role %q grants %s, which you do not hold", role.Name, p)
		}
	}
	r, err := reachOf(actor, "users")
	if err != nil {
		return err
	}
	if orgID != nil && !r.has(*orgID) {
		return forbidden("organization %d is outside yours", *orgID)
	}
	if role.OrganizationID != nil && !r.has(*role.OrganizationID) {
		return forbidden("role %q belongs to an organization outside yours", role.Name)
	}
	return nil
}

// RemoveRole takes a role grant away.
func (s *Service) RemoveRole(ctx context.Context, actor *rbac.UserContext, userID, roleID int64, orgID *int64) (_ *User, err error) {
	defer s.audit(ctx, actor, "remove_role", fmt.Sprintf("user:%d role:%d", userID, roleID), &err)
	if _, err := s.target(ctx, actor, userID); err != nil {
		return nil, err
	}
	if err := s.grantable(ctx, actor, roleID, orgID); err != nil {
		return nil, err
	}
	err = s.write(ctx, func() (Events, error) {
		return s.store.RemoveRole(ctx, userID, roleID, orgID)
	})
	if err != nil {
		return nil, err
	}
	return s.store.User(ctx, userID)
}

// SetMembership adds a user to an organization or removes them from it.
// Both must be in the actor's reach; an organization admin cannot remove a
// user's last organization of theirs, which would take the user out of reach.
func (s *Service) SetMembership(ctx context.Context, actor *rbac.UserContext, userID, orgID int64, member bool) (_ *User, err error) {
	action := "remove_from_organization"
	if member {
		action = "add_to_organization"
	}
	defer s.audit(ctx, actor, action, fmt.Sprintf("user:%d organization:%d", userID, orgID), &err)
	r, err := reachOf(actor, "users")
	if err != nil {
		return nil, err
	}
	target, err := s.targetForMembership(ctx, actor, r, userID, member)
	if err != nil {
		return nil, err
	}
	if !r.has(orgID) {
		return nil, forbidden("organization %d is outside yours", orgID)
	}
	if _, err := s.store.Organization(ctx, orgID); err != nil {
		return nil, err
	}
	if !member && !r.all && len(target.Organizations) == 1 && target.Organizations[0].ID == orgID {
		return nil, badInput("that is the user's last organization; deactivate the user instead")
	}
	err = s.write(ctx, func() (Events, error) {
		return s.store.SetMembership(ctx, userID, orgID, member)
	})
	if err != nil {
		return nil, err
	}
	return s.store.User(ctx, userID)
}

// targetForMembership is target, except that an organization admin may add
// a user who belongs to no organization yet.
func (s *Service) targetForMembership(ctx context.Context, actor *rbac.UserContext, r reach, userID int64, adding bool) (*rbac.UserContext, error) {
	if adding && !r.all {
		contexts, err := s.store.UserContexts(ctx, []int64{userID})
		if err != nil {
			return nil, err
		}
		if u := contexts[userID]; u != nil && len(u.Organizations) == 0 && len(u.Roles) == 0 {
			return u, nil
		}
	}
	return s.target(ctx, actor, userID)
}

func userTarget(id int64) string { return fmt.Sprintf("user:%d", id) }
