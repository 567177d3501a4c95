package admin

import (
	"context"
	"fmt"
	"regexp"

	"github.com/dashgraph/dashgraph/rbac"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkSlug(slug string) error {
	if len(slug) > 63 || !slugPattern.MatchString(slug) {
		return badInput("slug %q must be lowercase letters and digits joined by single dashes, at most 63 characters", slug)
	}
	return nil
}

// Organizations lists the organizations the actor manages.
func (s *Service) Organizations(ctx context.Context, actor *rbac.UserContext, first *int, after *string) (OrganizationPage, error) {
	r, err := reachOf(actor, "organizations")
	if err != nil {
		return OrganizationPage{}, err
	}
	limit, afterID, err := pageArgs(first, after)
	if err != nil {
		return OrganizationPage{}, err
	}
	orgs, err := s.store.Organizations(ctx, limit+1, afterID, r.list())
	if err != nil {
		return OrganizationPage{}, err
	}
	return OrganizationPage(page(orgs, limit, func(o rbac.Organization) int64 { return o.ID })), nil
}

// CreateOrganization creates an organization under a parent in the actor's
// reach; top-level organizations need organizations:manage:all.
func (s *Service) CreateOrganization(ctx context.Context, actor *rbac.UserContext, in CreateOrganizationInput) (_ *rbac.Organization, err error) {
	defer s.audit(ctx, actor, "create_organization", in.Slug, &err)
	r, err := reachOf(actor, "organizations")
	if err != nil {
		return nil, err
	}
	if in.Name, err = checkName("an organization's", in.Name); err != nil {
		return nil, err
	}
	if err := checkSlug(in.Slug); err != nil {
		return nil, err
	}
	if !r.hasOptional(in.ParentID) {
		return nil, forbidden("you can only create organizations inside your own")
	}
	if in.ParentID != nil {
		if _, err := s.store.Organization(ctx, *in.ParentID); err != nil {
			return nil, err
		}
	}
	var org *rbac.Organization
	err = s.write(ctx, func() (Events, error) {
		var events Events
		org, events, err = s.store.CreateOrganization(ctx, in)
		return events, err
	})
	return org, err
}

// managedOrg checks that an organization exists and is in the actor's reach.
func (s *Service) managedOrg(ctx context.Context, actor *rbac.UserContext, id int64) (reach, error) {
	r, err := reachOf(actor, "organizations")
	if err != nil {
		return r, err
	}
	if _, err := s.store.Organization(ctx, id); err != nil {
		return r, err
	}
	if !r.has(id) {
		return r, forbidden("organization %d is outside yours", id)
	}
	return r, nil
}

// UpdateOrganization renames an organization or changes its slug.
func (s *Service) UpdateOrganization(ctx context.Context, actor *rbac.UserContext, id int64, in UpdateOrganizationInput) (_ *rbac.Organization, err error) {
	defer s.audit(ctx, actor, "update_organization", orgTarget(id), &err)
	if _, err := s.managedOrg(ctx, actor, id); err != nil {
		return nil, err
	}
	if in.Name != nil {
		name, err := checkName("an organization's", *in.Name)
		if err != nil {
			return nil, err
		}
		in.Name = &name
	}
	if in.Slug != nil {
		if err := checkSlug(*in.Slug); err != nil {
			return nil, err
		}
	}
	var org *rbac.Organization
	err = s.write(ctx, func() (Events, error) {
		var events Events
		var err error
		org, events, err = s.store.UpdateOrganization(ctx, id, in)
		return events, err
	})
	return org, err
}

// MoveOrganization moves an organization under a new parent (or to the top,
// with organizations:manage:all). Both must be in the actor's reach; a move
// under the organization's own subtree is refused by the store.
func (s *Service) MoveOrganization(ctx context.Context, actor *rbac.UserContext, id int64, parentID *int64) (_ *rbac.Organization, err error) {
	defer s.audit(ctx, actor, "move_organization", orgTarget(id), &err)
	r, err := s.managedOrg(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !r.hasOptional(parentID) {
		return nil, forbidden("the new parent is outside your organizations")
	}
	if parentID != nil {
		if _, err := s.store.Organization(ctx, *parentID); err != nil {
			return nil, err
		}
	}
	var org *rbac.Organization
	err = s.write(ctx, func() (Events, error) {
		var events Events
		org, events, err = s.store.MoveOrganization(ctx, id, parentID)
		return events, err
	})
	return org, err
}

func orgTarget(id int64) string { return fmt.Sprintf("organization:%d", id) }
