package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dashgraph/dashgraph/analytics"
	"github.com/dashgraph/dashgraph/auth"
	"github.com/dashgraph/dashgraph/postgres"
	"github.com/dashgraph/dashgraph/seed"
)

// Migrate creates the configured database when it does not exist yet, then
// brings its schema up to date. Running it again changes nothing.
func Migrate(ctx context.Context, cfg Config, log *slog.Logger) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, 2)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		if err := createDatabase(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		log.Info("created database")
		db, err = postgres.Open(ctx, cfg.DatabaseURL, 2)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	log.Info("schema is up to date")
	return nil
}

// createDatabase creates the database a URL names, connecting to the
// server's postgres database to do it.
func createDatabase(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// Seed writes the demo data. With ifEmpty, a database that already has
// users is left alone.
func Seed(ctx context.Context, cfg Config, log *slog.Logger, scale int, ifEmpty bool) error {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := seed.IsEmpty(ctx, db.Pool)
	if err != nil {
		return err
	}
	if !empty {
		if ifEmpty {
			log.Info("database already has data; not seeding")
			return nil
		}
		return errors.New("the database already has data; seed only writes into an empty one")
	}
	passwords, err := auth.NewPasswords(cfg.BcryptCost)
	if err != nil {
		return err
	}
	hash, err := passwords.Hash(seed.DemoPassword)
	if err != nil {
		return err
	}
	start := time.Now()
	sum, err := seed.Run(ctx, db.Pool, seed.Options{
		Scale: scale, PasswordHash: hash, Today: analytics.Today(time.Now(), cfg.TimeZone),
	})
	if err != nil {
		return err
	}
	log.Info("seeded demo data", "scale", scale, "practices", sum.Practices, "providers", sum.Providers,
		"users", sum.Users, "measure_rows", sum.MeasureRows, "charts", sum.Charts, "dashboards", sum.Dashboards,
		"duration", time.Since(start).Round(time.Millisecond).String())
	return nil
}
