// Package pgtest gives tests a real, freshly migrated Postgres database of
// their own, with a random name, dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/seed"
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
	dbURL, db, done, err := Open(context.Background(), 10)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(done)
	return dbURL, db
}

// Open creates a migrated database and opens it with at most maxConns
// connections; done closes and drops it. For TestMain, where there is no
// testing.TB.
func Open(ctx context.Context, maxConns int32) (dbURL string, db *postgres.DB, done func(), err error) {
	dbURL, drop, err := Create(ctx)
	if err != nil {
		return "", nil, nil, fmt.Errorf("create test database (is Postgres running? make test starts it): %w", err)
	}
	if db, err = postgres.Open(ctx, dbURL, maxConns); err != nil {
		drop()
		return "", nil, nil, fmt.Errorf("open test database: %w", err)
	}
	done = func() {
		db.Close()
		drop()
	}
	if err := db.Migrate(ctx); err != nil {
		done()
		return "", nil, nil, fmt.Errorf("migrate test database: %w", err)
	}
	return dbURL, db, done, nil
}

// Seed loads the demo data at scale 1 with a year of history, as of
// today. The demo password is hashed at bcrypt's lowest cost: tests sign in
// far more often than users.
func Seed(ctx context.Context, db *postgres.DB) error {
	passwords, err := auth.NewPasswords(bcrypt.MinCost)
	if err != nil {
		return err
	}
	hash, err := passwords.Hash(seed.DemoPassword)
	if err != nil {
		return err
	}
	_, err = seed.Run(ctx, db.Pool, seed.Options{
		Scale: 1, PasswordHash: hash, Today: analytics.Today(time.Now(), time.UTC), Years: 1,
	})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
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
