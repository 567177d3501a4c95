//go:build tools

// Package main's tool dependencies: pinned in go.mod, run with go run.
package main

import (
	_ "github.com/99designs/gqlgen"
)
