package cache

import (
	"context"
	"encoding/json"
	"time"

	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/rbac"
)

// tokenStateDB is the Postgres side of a token check.
type tokenStateDB interface {
	TokenState(ctx context.Context, p auth.Principal) (auth.ViewerState, error)
}

// Auth is auth.Store with the token check answered from the caches of
// revocation, session liveness, user records and user contexts, all looked
// up in one round trip. Its other methods are the store's.
type Auth struct {
	auth.Store
	c        *Cache
	db       tokenStateDB
	contexts *Contexts
}

// viewerKeys are the keys a token check reads, in a fixed order: revoked,
// session, user, user context; those whose cache is off are left out.
func (c *Cache) viewerKeys(ctx context.Context, p auth.Principal) []key {
	var keys []key
	if c.on(ctx, kindRevoked) {
		keys = append(keys, key{c.keyOf(segRevoked, p.TokenID), kindRevoked}, key{c.keyOf(segSession, p.SessionID), kindSession})
	}
	if c.on(ctx, kindUser) {
		keys = append(keys, key{c.keyID(segUser, p.UserID), kindUser})
	}
	if c.on(ctx, kindUserContext) {
		keys = append(keys, key{c.keyID(segUserContext, p.UserID), kindUserContext})
	}
	return keys
}

// Viewer implements auth.Store. The signature of the token was checked
// before; this answers whether it is still good and whose context it
// carries, with no Postgres query when everything is cached.
//
// A revoked token is written to the cache by the logout that revoked it,
// over any lease a concurrent check holds, so a check that read "not
// revoked" just before cannot store it after.
func (a *Auth) Viewer(ctx context.Context, p auth.Principal) (auth.ViewerState, error) {
	keys := a.c.viewerKeys(ctx, p)
	if len(keys) == 0 {
		return a.Store.Viewer(ctx, p)
	}
	slots := a.c.lookup(ctx, keys)
	var st auth.ViewerState
	var fills []entry
	var ctxSlot *slot
	need := false // whether Postgres must answer the token's state
	have := map[kind]bool{}
	for i, k := range keys {
		s := slots[i]
		if k.kind == kindUserContext {
			ctxSlot = &slots[i]
			continue
		}
		if s.state != hit || !a.decode(k.kind, s.value, &st) {
			need = true
			continue
		}
		have[k.kind] = true
	}
	if !a.c.on(ctx, kindRevoked) || !a.c.on(ctx, kindUser) {
		need = true
	}
	if need {
		db, err := a.db.TokenState(ctx, p)
		if err != nil {
			return st, err
		}
		if !have[kindRevoked] {
			st.TokenRevoked = db.TokenRevoked
		}
		if !have[kindSession] {
			st.SessionRevoked = db.SessionRevoked
		}
		if !have[kindUser] {
			st.User = db.User
		}
		for i, k := range keys {
			if slots[i].state != leased || k.kind == kindUserContext {
				continue
			}
			if e, ok := a.entry(k, p, db); ok {
				fills = append(fills, e)
			}
		}
		a.c.fill(ctx, fills)
	}
	if st.TokenRevoked || st.SessionRevoked || st.User == nil || !st.User.IsActive {
		return st, nil
	}
	var err error
	if ctxSlot == nil {
		var m map[int64]*rbac.UserContext
		m, err = a.contexts.db.UserContexts(ctx, []int64{p.UserID})
		st.Context = m[p.UserID]
	} else {
		st.Context, err = a.contexts.fromSlot(ctx, p.UserID, *ctxSlot)
	}
	return st, err
}

// decode reads a cached fact into st, reporting whether it could.
func (a *Auth) decode(k kind, v []byte, st *auth.ViewerState) bool {
	switch k {
	case kindRevoked:
		b, err := flagCodec.decode(v)
		st.TokenRevoked = b
		return err == nil
	case kindSession:
		live, err := flagCodec.decode(v)
		st.SessionRevoked = !live
		return err == nil
	case kindUser:
		u, err := decodeWith(a.c, kindUser, jsonCodec[*auth.UserRecord](), v)
		st.User = u
		return err == nil && u != nil
	}
	return false
}

// entry is what a leased key of the token check is filled with. A missing
// user is not cached.
func (a *Auth) entry(k key, p auth.Principal, db auth.ViewerState) (entry, bool) {
	switch k.kind {
	case kindRevoked:
		ttl := notRevokedTTL
		if db.TokenRevoked {
			ttl = time.Until(p.ExpiresAt)
		}
		return entry{k, encodeFlag(db.TokenRevoked), ttl}, ttl > 0
	case kindSession:
		return entry{k, encodeFlag(!db.SessionRevoked), sessionTTL}, true
	case kindUser:
		if db.User == nil {
			return entry{}, false
		}
		b, err := json.Marshal(db.User)
		return entry{k, b, userTTL}, err == nil
	}
	return entry{}, false
}

// fromSlot completes a user-context lookup made as part of a larger one:
// decode a hit, or build the context and fill it if the slot is leased.
func (x *Contexts) fromSlot(ctx context.Context, userID int64, s slot) (*rbac.UserContext, error) {
	if s.state == hit {
		if uc, err := decodeWith(x.c, kindUserContext, jsonCodec[*rbac.UserContext](), s.value); err == nil && uc != nil {
			return uc, nil
		}
	}
	built, err := x.build(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	uc := built[userID]
	if uc != nil && s.state == leased {
		if b, err := json.Marshal(uc); err == nil {
			x.c.fill(ctx, []entry{{key{x.c.keyID(segUserContext, userID), kindUserContext}, b, userContextTTL}})
		}
	}
	return uc, nil
}
