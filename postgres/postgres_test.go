package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/postgres/pgtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	_, db := pgtest.NewDB(t) // migrated once
	for range 2 {
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("migrating again: %v", err)
		}
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM information_schema.tables WHERE table_name = 'measure_values'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("measure_values: %d tables, %v", n, err)
	}
}

func TestPurgeExpired(t *testing.T) {
	_, db := pgtest.NewDB(t)
	ctx := t.Context()
	var user int64
	if err := db.Pool.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ('p@x.test', 'P', 'h') RETURNING id`).Scan(&user); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, exp := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
		if _, err := db.Pool.Exec(ctx, `INSERT INTO token_blacklist (jti, user_id, expires_at) VALUES ($1, $2, $3)`,
			fmt.Sprint("jti-", i), user, exp); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at) VALUES ($1, 'f', $2, $3)`,
			user, []byte{byte(i)}, exp); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PurgeExpired(ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("purged %d rows (%v), want the 2 expired", n, err)
	}
	var left int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM token_blacklist) + (SELECT count(*) FROM refresh_sessions)`).Scan(&left); err != nil || left != 2 {
		t.Fatalf("%d rows left (%v), want the 2 live ones", left, err)
	}
}
