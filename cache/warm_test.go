package cache_test

import (
	"strconv"
	"testing"
)

// TestWarm fills the role permissions of every role and the definitions
// of the most viewed dashboards, and nothing else.
func TestWarm(t *testing.T) {
	e := newEnv(t, sharedRedis)
	ctx := t.Context()
	var top int64
	if err := db.Pool.QueryRow(ctx, `UPDATE dashboards SET view_count = view_count + 1000000
		WHERE id = (SELECT min(id) FROM dashboards) RETURNING id`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Warm(ctx, db, 1); err != nil {
		t.Fatal(err)
	}
	roles, err := db.RoleIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range roles {
		if n, _ := e.redis.Exists(ctx, e.c.Prefix()+"roleperms:"+strconv.FormatInt(id, 10)).Result(); n != 1 {
			t.Fatalf("role %d's permissions were not warmed", id)
		}
	}
	if n, _ := e.redis.Exists(ctx, e.c.Prefix()+"dash:"+strconv.FormatInt(top, 10)).Result(); n != 1 {
		t.Fatal("the most viewed dashboard was not warmed")
	}
	if keys, _ := e.redis.Keys(ctx, e.c.Prefix()+"dash:*").Result(); len(keys) != 1 {
		t.Fatalf("warmed %d dashboards, want the 1 most viewed", len(keys))
	}
}
