package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/cost"
)

// A panic in a handler is an INTERNAL error with a fixed message; the stack
// goes to the log, never to the client.
func TestPanicsBecomeInternal(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := recoverPanics(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("database password is hunter2")
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	ctx, _ := cost.WithCounter(req.Context())
	h.ServeHTTP(rec, req.WithContext(ctx))
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body, `"code":"INTERNAL"`) ||
		!strings.Contains(body, apperr.InternalMessage) || strings.Contains(body, "hunter2") || strings.Contains(body, "goroutine") {
		t.Fatalf("%d %s", rec.Code, body)
	}
	if !strings.Contains(logs.String(), "hunter2") || !strings.Contains(logs.String(), "stack") {
		t.Fatal("the panic is not in the log")
	}
}

// The GraphQL error presenter keeps application errors' messages and codes
// and hides everything else.
func TestErrorPresenter(t *testing.T) {
	present := presentError(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, nil)
	e := present(ctx, apperr.New(apperr.Forbidden, "no"))
	if e.Message != "no" || e.Extensions["code"] != apperr.Forbidden {
		t.Fatalf("application error presented as %+v", e)
	}
	e = present(ctx, errors.New(`pq: relation "users" does not exist`))
	if e.Message != apperr.InternalMessage || e.Extensions["code"] != apperr.Internal {
		t.Fatalf("internal error presented as %+v", e)
	}
}
