package analytics

import (
	"strings"
	"testing"

	"github.com/dashgraph/dashgraph/apperr"
	"github.com/dashgraph/dashgraph/rbac"
)

func str(s string) *string { return &s }

func validConfig() ChartConfig {
	return ChartConfig{Type: ChartLine, Measures: []string{"charges"}, Frequency: Monthly, DateRange: DateRange{Preset: PresetThisYear}}
}

func TestNormalizeFillsDefaults(t *testing.T) {
	cfg, err := ChartConfig{Type: ChartDualAxis, Measures: []string{"charges", "payments"}, Frequency: Monthly,
		DateRange: DateRange{Start: str("2026-01-01"), End: str("2026-03-31")}}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Series) != 2 || cfg.Measures != nil {
		t.Fatalf("measures not expanded into series: %+v", cfg)
	}
	s0, s1 := cfg.Series[0], cfg.Series[1]
	if s0.Label != "Charges" || s0.Aggregation != AggSum || s0.Axis != AxisLeft || s0.RenderAs != ChartBar {
		t.Fatalf("first dual-axis series = %+v", s0)
	}
	if s1.Axis != AxisRight || s1.RenderAs != ChartLine {
		t.Fatalf("second dual-axis series = %+v", s1)
	}
	if cfg.GroupBy != GroupByNone || cfg.Comparison != ComparisonNone || cfg.Palette != "default" ||
		cfg.Sort != SortLabel || cfg.Limit != 10 || cfg.DateRange.Preset != PresetCustom {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestNormalizeRefusesBadInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ChartConfig)
		want   string
	}{
		{"UnknownMeasure", func(c *ChartConfig) { c.Measures = []string{"revenue; DROP TABLE users"} }, "is not known"},
		{"NoMeasure", func(c *ChartConfig) { c.Measures = nil }, "at least one measure"},
		{"UnknownType", func(c *ChartConfig) { c.Type = "RADAR" }, "chart type"},
		{"UnknownFrequency", func(c *ChartConfig) { c.Frequency = "HOURLY" }, "frequency"},
		{"InvertedDates", func(c *ChartConfig) {
			c.DateRange = DateRange{Preset: PresetCustom, Start: str("2026-05-01"), End: str("2026-04-01")}
		}, "before it starts"},
		{"MalformedDate", func(c *ChartConfig) {
			c.DateRange = DateRange{Preset: PresetCustom, Start: str("01/05/2026"), End: str("2026-04-01")}
		}, "YYYY-MM-DD"},
		{"CustomWithoutDates", func(c *ChartConfig) { c.DateRange = DateRange{Preset: PresetCustom} }, "start and end"},
		{"PresetWithDates", func(c *ChartConfig) { c.DateRange.Start = str("2026-01-01") }, "only allowed with the custom preset"},
		{"UnknownPreset", func(c *ChartConfig) { c.DateRange = DateRange{Preset: "next_week"} }, "preset"},
		{"RangeTooLong", func(c *ChartConfig) {
			c.DateRange = DateRange{Preset: PresetCustom, Start: str("2000-01-01"), End: str("2026-01-01")}
		}, "at most"},
		{"UnknownFilterField", func(c *ChartConfig) {
			c.Filters = []Filter{{Field: "password_hash", Operator: OpEq, Values: []string{"x"}}}
		}, "filter field"},
		{"UnknownOperator", func(c *ChartConfig) {
			c.Filters = []Filter{{Field: FilterPractice, Operator: "like", Values: []string{"1"}}}
		}, "cannot be used"},
		{"NonNumericID", func(c *ChartConfig) {
			c.Filters = []Filter{{Field: FilterPractice, Operator: OpIn, Values: []string{"1", "2 OR 1=1"}}}
		}, "needs ids"},
		{"NonNumericValue", func(c *ChartConfig) {
			c.Filters = []Filter{{Field: FilterValue, Operator: OpGt, Values: []string{"ten"}}}
		}, "needs a number"},
		{"FilterWithoutValues", func(c *ChartConfig) {
			c.Filters = []Filter{{Field: FilterSpecialty, Operator: OpIn}}
		}, "at least one value"},
		{"UnknownAggregation", func(c *ChartConfig) { c.Series = []Series{{Measure: "charges", Aggregation: "median"}} }, "aggregation"},
		{"BadColor", func(c *ChartConfig) { c.Series = []Series{{Measure: "charges", Color: "red"}} }, "color"},
		{"UnknownPalette", func(c *ChartConfig) { c.Palette = "neon" }, "palette"},
		{"LimitTooLarge", func(c *ChartConfig) { c.Limit = 1000 }, "limit"},
		{"ChangeWithoutComparison", func(c *ChartConfig) {
			c.Calculated = &CalculatedField{Label: "x", Operation: CalcChange, Measure: "charges"}
		}, "needs a comparison"},
		{"RatioWithoutOther", func(c *ChartConfig) {
			c.Calculated = &CalculatedField{Label: "x", Operation: CalcRatio, Measure: "charges"}
		}, "is not known"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.change(&cfg)
			_, err := cfg.Normalize()
			if err == nil {
				t.Fatal("config accepted")
			}
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("code = %s, want BAD_USER_INPUT", apperr.CodeOf(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("message %q does not say %q", err, tt.want)
			}
		})
	}
}

func plan(t *testing.T, cfg ChartConfig, scope rbac.Scope, src Source, today string) *Plan {
	t.Helper()
	n, err := cfg.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(n, scope, src, day(today))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeyIdentifiesTheData(t *testing.T) {
	north := rbac.Scope{Practices: []int64{2, 3}}
	src := Source{DataSourceID: 1, Generation: 1, Version: 1}
	base := plan(t, validConfig(), north, src, "2026-11-26")
	if len(base.Key()) != 64 {
		t.Fatalf("key %q is not a full SHA-256 in hex", base.Key())
	}
	different := map[string]*Plan{
		"OtherScope":      plan(t, validConfig(), rbac.Scope{Practices: []int64{2}}, src, "2026-11-26"),
		"AllScope":        plan(t, validConfig(), rbac.Scope{All: true}, src, "2026-11-26"),
		"OtherGeneration": plan(t, validConfig(), north, Source{DataSourceID: 1, Generation: 2, Version: 1}, "2026-11-26"),
		"OtherVersion":    plan(t, validConfig(), north, Source{DataSourceID: 1, Generation: 1, Version: 2}, "2026-11-26"),
		"OtherDay":        plan(t, validConfig(), north, src, "2026-11-27"),
		"OtherType": plan(t, func() ChartConfig { c := validConfig(); c.Type = ChartBar; return c }(),
			north, src, "2026-11-26"),
	}
	for name, p := range different {
		if p.Key() == base.Key() {
			t.Errorf("%s: same key as the base plan", name)
		}
	}
	// The same resolved dates are the same data, however they were written.
	custom := validConfig()
	custom.DateRange = DateRange{Preset: PresetCustom, Start: str("2026-01-01"), End: str("2026-11-26")}
	if plan(t, custom, north, src, "2026-11-26").Key() != base.Key() {
		t.Error("THIS_YEAR and the same custom dates have different keys")
	}
	// A preset resolved on another day is another entry: "last 30 days"
	// cached yesterday is not today's.
	last30 := validConfig()
	last30.DateRange = DateRange{Preset: PresetLast30Days}
	if plan(t, last30, north, src, "2026-11-26").Key() == plan(t, last30, north, src, "2026-11-25").Key() {
		t.Error("last 30 days has the same key on two days")
	}
}

func TestQueryKeepsValuesOutOfSQL(t *testing.T) {
	cfg := validConfig()
	hostile := "Orthopedics' OR '1'='1"
	cfg.Filters = []Filter{
		{Field: FilterSpecialty, Operator: OpIn, Values: []string{hostile}},
		{Field: FilterValue, Operator: OpGt, Values: []string{"0"}},
		{Field: FilterOrganization, Operator: OpNotIn, Values: []string{"5"}},
	}
	q := plan(t, cfg, rbac.Scope{Practices: []int64{2, 3}}, Source{}, "2026-11-26").Query()
	if strings.Contains(q.SQL, "Orthopedics") || strings.Contains(q.SQL, "'1'") {
		t.Fatalf("a filter value reached the SQL text:\n%s", q.SQL)
	}
	found := false
	for _, a := range q.Args {
		if v, ok := a.([]string); ok && len(v) == 1 && v[0] == hostile {
			found = true
		}
	}
	if !found {
		t.Fatalf("the specialty is not an argument: %v", q.Args)
	}
	if !strings.Contains(q.SQL, "mv.practice_id = ANY(") || !strings.Contains(q.SQL, "NOT (p.organization_id = ANY(") {
		t.Fatalf("scope or negated filter missing:\n%s", q.SQL)
	}
}

func BenchmarkPlanKey(b *testing.B) {
	n, err := validConfig().Normalize()
	if err != nil {
		b.Fatal(err)
	}
	scope := rbac.Scope{Practices: []int64{2, 3, 5, 8, 13, 21}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPlan(n, scope, Source{1, 1, 1}, day("2026-11-26")); err != nil {
			b.Fatal(err)
		}
	}
}
