// Package pgtest gives tests a real, freshly migrated Postgres database of
// their own, with a random name, dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/postgres"
)

// AdminURL is the server tests create their databases on: TEST_DATABASE_URL,
// or the local server's postgres database.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDB creates a migrated database and returns its URL and an open DB.
// The database is dropped in tb.Cleanup. A Postgres that does not answer
// fails the test: tests never skip for a missing service.
func NewDB(tb testing.TB) (string, *postgres.DB) {
	tb.Helper()
	dbURL, drop, err := Create(context.Background())
	if err != nil {
		tb.Fatalf("create test database (is Postgres running? make test starts it): %v", err)
	}
	db, err := postgres.Open(context.Background(), dbURL, 10)
	if err != nil {
		drop()
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		drop()
	})
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return dbURL, db
}

// Create makes an empty database with a random name and returns its URL
// and a function that drops it. For TestMain, where there is no testing.TB.
func Create(ctx context.Context) (dbURL string, drop func(), err error) {
	admin := AdminURL()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "dashgraph_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}
