package app_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dashgraph/dashgraph/seed"
)

func TestLogin(t *testing.T) {
	const loginQuery = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken tokenType } }`

	t.Run("RightPasswordSignsIn", func(t *testing.T) {
		token := login(t, seed.AnalystEmail)
		var d struct{ Me struct{ Email string } }
		post(t, token, `{ me { email } }`, nil).mustData(t, &d)
		if d.Me.Email != seed.AnalystEmail {
			t.Fatalf("me = %q", d.Me.Email)
		}
	})
	t.Run("EmailIsCaseInsensitive", func(t *testing.T) {
		r := post(t, "", loginQuery, map[string]any{"e": "  Analyst@DashGraph.test ", "p": seed.DemoPassword})
		if len(r.Errors) > 0 {
			t.Fatalf("login with another case failed: %+v", r.Errors)
		}
	})
	t.Run("WrongPasswordAndUnknownEmailLookTheSame", func(t *testing.T) {
		wrong := post(t, "", loginQuery, map[string]any{"e": seed.AnalystEmail, "p": "not-the-password"})
		unknown := post(t, "", loginQuery, map[string]any{"e": "nobody@dashgraph.test", "p": "not-the-password"})
		if wrong.code() != "UNAUTHENTICATED" || unknown.code() != "UNAUTHENTICATED" {
			t.Fatalf("codes = %q and %q, want UNAUTHENTICATED", wrong.code(), unknown.code())
		}
		if wrong.Errors[0].Message != unknown.Errors[0].Message {
			t.Fatalf("messages differ: %q vs %q", wrong.Errors[0].Message, unknown.Errors[0].Message)
		}
		if string(wrong.Data) != "null" {
			t.Fatalf("data = %s, want null", wrong.Data)
		}
	})
}

func TestAuthentication(t *testing.T) {
	t.Run("NoTokenIsUnauthenticated", func(t *testing.T) {
		r := post(t, "", `{ dashboards { id } }`, nil)
		if r.code() != "UNAUTHENTICATED" {
			t.Fatalf("code = %q", r.code())
		}
	})
	t.Run("BadTokenIsRefusedWith401", func(t *testing.T) {
		r := post(t, "not.a.token", `{ me { email } }`, nil)
		if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
	t.Run("TokenSignedWithAnotherKeyIsRefused", func(t *testing.T) {
		now := time.Now()
		forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"iss": "dashgraph", "aud": "dashgraph-api", "sub": "1", "jti": "forged",
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		}).SignedString([]byte("attacker-secret-attacker-secret-0123"))
		if err != nil {
			t.Fatal(err)
		}
		if r := post(t, forged, `{ me { email } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("forged token: code %q, data %s", r.code(), r.Data)
		}
	})
	t.Run("MeReturnsTheUserContext", func(t *testing.T) {
		var d struct {
			Me struct {
				Permissions             []string
				Roles                   []struct{ Name string }
				Organizations           []struct{ Name string }
				AccessibleOrganizations []struct{ Name string }
				DataScope               struct {
					All         bool
					PracticeIds []string
				}
			}
		}
		post(t, login(t, seed.AnalystEmail), `{ me { permissions roles { name } organizations { name }
			accessibleOrganizations { name } dataScope { all practiceIds } } }`, nil).mustData(t, &d)
		me := d.Me
		if !slices.Contains(me.Permissions, "analytics:read:organization") || len(me.Roles) != 1 || me.Roles[0].Name != "analyst" {
			t.Fatalf("permissions %v roles %v", me.Permissions, me.Roles)
		}
		if len(me.Organizations) != 1 || me.Organizations[0].Name != "Bend Health North" {
			t.Fatalf("organizations = %v", me.Organizations)
		}
		// The pediatrics division is below Bend Health North: accessible too.
		var names []string
		for _, o := range me.AccessibleOrganizations {
			names = append(names, o.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Bend Health North", "North Pediatrics"}) {
			t.Fatalf("accessible = %v", names)
		}
		want := practiceIDs(t, "bend-north", "bend-north-peds")
		if me.DataScope.All || !slices.Equal(me.DataScope.PracticeIds, want) {
			t.Fatalf("scope = %+v, want practices %v", me.DataScope, want)
		}
	})
}

func TestRBAC(t *testing.T) {
	t.Run("ViewerIsForbidden", func(t *testing.T) {
		token := login(t, seed.ViewerEmail)
		for _, q := range []string{
			`{ dashboards { id } }`,
			`{ dashboard(id: 1) { name } }`,
			`{ chartData(config: {type: NUMBER, measures: ["charges"], frequency: DAILY, dateRange: {preset: TODAY}}) { labels } }`,
		} {
			if r := post(t, token, q, nil); r.code() != "FORBIDDEN" {
				t.Fatalf("%s: code %q, data %s", q, r.code(), r.Data)
			}
		}
	})
	t.Run("ViewerGetsForbiddenFromTheRESTEndpoint", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, server.URL+"/api/charts/1/data", nil)
		req.Header.Set("Authorization", "Bearer "+login(t, seed.ViewerEmail))
		if r := send(t, req); r.Status != http.StatusForbidden || r.code() != "FORBIDDEN" {
			t.Fatalf("status %d code %q", r.Status, r.code())
		}
	})
	// The analyst's totals equal the sum over the practices of its
	// organizations, computed here from the rows by organization slug.
	t.Run("AnalystSeesOnlyItsPractices", func(t *testing.T) {
		config := map[string]any{
			"type": "NUMBER", "measures": []string{"charges"}, "frequency": "DAILY",
			"dateRange": map[string]any{"preset": "CUSTOM", "start": lastYear(1, 1), "end": lastYear(12, 31)},
		}
		sumFor := func(slugs ...string) float64 {
			return sqlFloat(t, `SELECT sum(mv.value) FROM measure_values mv
				JOIN practices p ON p.id = mv.practice_id JOIN organizations o ON o.id = p.organization_id
				WHERE mv.measure_id = 1 AND mv.frequency = 'Daily' AND mv.period_date BETWEEN $1 AND $2
				AND ($3::text[] IS NULL OR o.slug = ANY($3))`, lastYear(1, 1), lastYear(12, 31), slugsOrNil(slugs))
		}
		cases := []struct {
			email string
			want  float64
		}{
			{seed.AnalystEmail, sumFor("bend-north", "bend-north-peds")},
			{seed.OrgAdminEmail, sumFor("bend-health", "bend-north", "bend-north-peds", "bend-south")},
			{seed.AdminEmail, sumFor()},
		}
		for _, c := range cases {
			got := adHoc(t, login(t, c.email), config)
			if v := value(t, got.Datasets[0].Data[0]); !near(v, c.want) {
				t.Errorf("%s: total charges %.2f, want %.2f", c.email, v, c.want)
			}
		}
		if cases[0].want >= cases[1].want || cases[1].want >= cases[2].want {
			t.Fatalf("scopes do not nest: %v", cases)
		}
	})
	t.Run("FiltersCannotWidenTheScope", func(t *testing.T) {
		cascade := practiceIDs(t, "cascade")
		got := adHoc(t, login(t, seed.AnalystEmail), map[string]any{
			"type": "NUMBER", "measures": []string{"charges"}, "frequency": "MONTHLY",
			"dateRange": map[string]any{"preset": "LAST_YEAR"},
			"filters":   []map[string]any{{"field": "PRACTICE", "operator": "IN", "values": cascade}},
		})
		if v := value(t, got.Datasets[0].Data[0]); v != 0 {
			t.Fatalf("a filter on another organization's practice returned %.2f", v)
		}
	})
}

func slugsOrNil(s []string) any {
	if len(s) == 0 {
		return nil
	}
	return s
}

// practiceIDs returns the ids of the practices of organizations, as strings, sorted numerically.
func practiceIDs(t *testing.T, slugs ...string) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT p.id::text FROM practices p JOIN organizations o ON o.id = p.organization_id
		WHERE o.slug = ANY($1) ORDER BY p.id`, slugs)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// lastYear returns a date of last year, YYYY-MM-DD: always inside the
// seeded data (the seed starts on 1 January of last year).
func lastYear(month time.Month, d int) string {
	return time.Date(time.Now().UTC().Year()-1, month, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}
