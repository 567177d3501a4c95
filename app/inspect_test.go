package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
			if got := inspect(r); got != c.want {
				t.Fatalf("inspect = %+v, want %+v", got, c.want)
			}
			// The body is still there for the handler.
			b := make([]byte, len(c.body))
			if n, _ := r.Body.Read(b); string(b[:n]) != c.body {
				t.Fatalf("the body was consumed: %q", b[:n])
			}
		})
	}
}
