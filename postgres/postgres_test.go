package postgres_test

import (
	"testing"

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
