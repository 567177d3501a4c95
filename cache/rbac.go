package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/dashgraph/dashgraph/rbac"
)

// contextsDB is the Postgres side of user contexts.
type contextsDB interface {
	UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error)
	UserGrants(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error)
	RolePermissions(ctx context.Context, roleIDs []int64) (map[int64][]string, error)
}

// Contexts builds user contexts through two caches: the contexts, and the
// permission lists of roles they are built from.
type Contexts struct {
	c  *Cache
	db contextsDB
}

// UserContexts returns the contexts of users, keyed by id.
func (x *Contexts) UserContexts(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error) {
	if !x.c.on(ctx, kindUserContext) {
		return x.db.UserContexts(ctx, ids)
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = x.c.keyID(segUserContext, id)
	}
	res := load(ctx, x.c, kindUserContext, names, jsonCodec[*rbac.UserContext](),
		func(int, *rbac.UserContext) time.Duration { return userContextTTL },
		func(missing []int) ([]*rbac.UserContext, []error) {
			want := make([]int64, len(missing))
			for j, i := range missing {
				want[j] = ids[i]
			}
			built, err := x.build(ctx, want)
			values := make([]*rbac.UserContext, len(missing))
			errs := make([]error, len(missing))
			for j, id := range want {
				values[j], errs[j] = built[id], err
				if err == nil && built[id] == nil {
					errs[j] = fmt.Errorf("user %d does not exist", id)
				}
			}
			return values, errs
		}, false)
	out := make(map[int64]*rbac.UserContext, len(ids))
	for i, r := range res {
		if r.err == nil {
			out[ids[i]] = r.value
		}
	}
	return out, nil
}

// build reads the users' grants and organizations from Postgres and the
// permissions of their roles through the role-permissions cache.
func (x *Contexts) build(ctx context.Context, ids []int64) (map[int64]*rbac.UserContext, error) {
	if !x.c.on(ctx, kindRolePermissions) {
		return x.db.UserContexts(ctx, ids)
	}
	contexts, err := x.db.UserGrants(ctx, ids)
	if err != nil {
		return nil, err
	}
	var roleIDs []int64
	seen := map[int64]bool{}
	for _, uc := range contexts {
		for _, g := range uc.Roles {
			if !seen[g.RoleID] {
				seen[g.RoleID] = true
				roleIDs = append(roleIDs, g.RoleID)
			}
		}
	}
	perms, err := x.rolePermissions(ctx, roleIDs)
	if err != nil {
		return nil, err
	}
	for _, uc := range contexts {
		for i := range uc.Roles {
			uc.Roles[i].Permissions = perms[uc.Roles[i].RoleID]
		}
	}
	return contexts, nil
}

func (x *Contexts) rolePermissions(ctx context.Context, roleIDs []int64) (map[int64][]string, error) {
	if len(roleIDs) == 0 {
		return nil, nil
	}
	names := make([]string, len(roleIDs))
	for i, id := range roleIDs {
		names[i] = x.c.keyID(segRolePermissions, id)
	}
	res := load(ctx, x.c, kindRolePermissions, names, jsonCodec[[]string](),
		func(int, []string) time.Duration { return rolePermissionsTTL },
		func(missing []int) ([][]string, []error) {
			want := make([]int64, len(missing))
			for j, i := range missing {
				want[j] = roleIDs[i]
			}
			perms, err := x.db.RolePermissions(ctx, want)
			values := make([][]string, len(missing))
			errs := make([]error, len(missing))
			for j, id := range want {
				// A role deleted meanwhile grants nothing; it is cached
				// empty, and its deletion's invalidation removes it.
				values[j], errs[j] = perms[id], err
				if values[j] == nil {
					values[j] = []string{}
				}
			}
			return values, errs
		}, false)
	out := make(map[int64][]string, len(roleIDs))
	for i, r := range res {
		if r.err != nil {
			return nil, r.err
		}
		out[roleIDs[i]] = r.value
	}
	return out, nil
}

// encodeFlag and decodeFlag store booleans in one byte.
func encodeFlag(b bool) []byte {
	if b {
		return []byte{'1'}
	}
	return []byte{'0'}
}

var flagCodec = codec[bool]{
	encode: func(b bool) ([]byte, error) { return encodeFlag(b), nil },
	decode: func(b []byte) (bool, error) {
		if len(b) != 1 || (b[0] != '0' && b[0] != '1') {
			return false, fmt.Errorf("bad flag %q", b)
		}
		return b[0] == '1', nil
	},
}
