# dashgraph: the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

BIN := bin/dashgraph

# `make run` is for a developer's machine: dev mode (GraphiQL at /) and a
# development JWT secret, unless the environment sets them.
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dashgraph?sslmode=disable
export JWT_SECRET ?= dev-only-secret-change-me-0123456789abcdef
export DEV_MODE ?= true
export HTTP_ADDR ?= 127.0.0.1:8080

GO_TEST_FLAGS ?= -race -count=1 -timeout 15m

.PHONY: run build test generate check-generate schema-check lint migrate seed services web test-web bench bench-smoke

build:
	go build -o $(BIN) .

## run: migrate, seed the demo data if the database is empty, and serve.
run: build services
	$(BIN) migrate
	$(BIN) seed --if-empty
	@echo
	@echo "dashgraph on http://$(HTTP_ADDR)/ (GraphiQL). Sign in as analyst@dashgraph.test / demo-password:"
	@echo "  mutation { login(email: \"analyst@dashgraph.test\", password: \"demo-password\") { accessToken } }"
	@echo
	$(BIN) serve

## test: start Postgres and Redis if needed, check generated code, vet, run every test.
test: services check-generate
	go vet ./...
	go test $(GO_TEST_FLAGS) ./...
	cd examples/goclient && go vet ./... && go test $(GO_TEST_FLAGS) ./...
	scripts/bench.sh --smoke

## generate: regenerate graph/ (and the resolver stubs) from schema.graphqls.
generate:
	go run github.com/99designs/gqlgen generate
	cd examples/goclient && go generate ./...

## schema-check: fail on a breaking schema change that was not deprecated first.
schema-check:
	scripts/schema-check.sh

## check-generate: fail when regenerating from schema.graphqls changes any file.
check-generate:
	@tmp=$$(mktemp -d) && cp -r graph resolvers "$$tmp"/ && \
	go run github.com/99designs/gqlgen generate && \
	diff -r "$$tmp/graph" graph && diff -r "$$tmp/resolvers" resolvers && rm -rf "$$tmp" || \
	{ echo "generated code differs from schema.graphqls: run make generate and commit" >&2; exit 1; }

lint:
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...
	go run github.com/prometheus/prometheus/cmd/promtool@v0.316.0 check rules deploy/prometheus/alerts.yml

migrate: build
	$(BIN) migrate

seed: build
	$(BIN) seed --if-empty

services:
	@scripts/services.sh

## web: build the web dashboard into examples/web/dist (make run serves it at /app/).
web:
	cd examples/web && npm ci && npm run build

## test-web: browser test of the web dashboard against a real server.
test-web:
	scripts/test-web.sh

## bench: the dashboard benchmark (scenarios a-f side by side, a table, ratios,
## bench-results/bench.json), then the Go benchmarks of the hot paths.
bench: services
	scripts/bench.sh
	go test -run XXX -bench . -benchtime 2000x ./auth ./analytics ./cache ./app

## bench-smoke: the benchmark at scale 1 in about 10 s; make test runs it so it never rots.
bench-smoke: services
	scripts/bench.sh --smoke
