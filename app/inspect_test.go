package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func TestInspect(t *testing.T) {
	cases := []struct {
		name, body string
		want       requestShape
	}{
		{"DashboardLiteral", `{"query":"{ dashboard(id: 7) { name } }"}`, requestShape{dashboardID: 7}},
		{"DashboardVariable", `{"query":"query Q($id: ID!) { d: dashboard(id: $id) { name } }","variables":{"id":"12"}}`, requestShape{dashboardID: 12}},
		{"DashboardNumberVariable", `{"query":"query($id: ID!) { dashboard(id: $id) { name } }","variables":{"id":12}}`, requestShape{dashboardID: 12}},
		{"Login", `{"query":"mutation($e: String!) { login(email: $e, password: \"x\") { accessToken } }","variables":{"e":"A@b.test"}}`,
			requestShape{signIn: true, account: "A@b.test"}},
		{"Refresh", `{"query":"mutation { refreshToken(refreshToken: \"x\") { accessToken } }"}`, requestShape{signIn: true}},
		{"NamedOperation", `{"query":"query A { me { email } } mutation B { login(email: \"b@x.test\", password: \"p\") { accessToken } }","operationName":"B"}`,
			requestShape{signIn: true, account: "b@x.test"}},
		{"QueryFieldNamedLikeAMutation", `{"query":"{ me { email } }"}`, requestShape{}},
		{"NotGraphQL", `{"query":"{ dashboard(id:"}`, requestShape{}},
		{"NotJSON", `not json`, requestShape{}},
	}
	for _, c := range cases {
		// Once as the first request with this query, once with the query
		// parsed and validated by the handler before.
		for _, parsed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/parsed=%t", c.name, parsed), func(t *testing.T) {
				queries := lru.New[*ast.QueryDocument](10)
				var got requestShape
				var seen *graphql.RawParams
				h := graphQLRequest(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					seen = paramsFrom(r.Context())
					if doc, err := parser.ParseQuery(&ast.Source{Input: seen.Query}); parsed && err == nil {
						queries.Add(context.Background(), seen.Query, doc)
					}
					got = inspect(queries, seen)
				}))
				r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
				r.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if got != c.want {
					t.Fatalf("inspect = %+v, want %+v", got, c.want)
				}
				// The decoded request is there for the handler, or the
				// request was answered.
				if seen == nil && w.Code != http.StatusBadRequest {
					t.Fatalf("no request for the handler and status %d", w.Code)
				}
				if seen != nil && !strings.Contains(c.body, strings.ReplaceAll(seen.Query, `"`, `\"`)) {
					t.Fatalf("the handler got query %q", seen.Query)
				}
			})
		}
	}
}
