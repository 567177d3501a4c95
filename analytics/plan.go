package analytics

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/dashgraph/dashgraph/rbac"
)

// Source identifies the data a chart reads and how current its cached
// forms are: the chart definition's version and the data source's generation.
type Source struct {
	DataSourceID int64
	Generation   int64
	Version      int
}

// Plan is a chart configuration resolved for one caller on one day: concrete
// dates instead of presets, the caller's data scope, and the versions of the
// chart and its data. Everything a chart's data depends on is in its Plan,
// so Key identifies the data.
type Plan struct {
	Config     ChartConfig
	Span       Span
	Comparison Span
	HasCmp     bool
	Scope      rbac.Scope
	Source     Source
	Today      time.Time
	key        string
}

// NewPlan resolves a normalized configuration for a caller's scope on the
// given day (a civil date, see Today).
func NewPlan(cfg ChartConfig, scope rbac.Scope, src Source, today time.Time) (*Plan, error) {
	span, err := cfg.DateRange.Resolve(today)
	if err != nil {
		return nil, err
	}
	p := &Plan{Config: cfg, Span: span, Scope: scope, Source: src, Today: today}
	p.Comparison, p.HasCmp = comparisonSpan(cfg.Comparison, span)
	p.key = p.computeKey()
	return p, nil
}

// Key is the SHA-256, in hex, of the plan's canonical encoding: the config
// with its dates resolved, the comparison dates, the scope, the data source
// and its generation, and the chart version. Relative presets never reach the
// key by name, so "last 30 days" computed yesterday is a different entry.
func (p *Plan) Key() string { return p.key }

func (p *Plan) computeKey() string {
	cfg := p.Config
	start, end := p.Span.Start.Format(time.DateOnly), p.Span.End.Format(time.DateOnly)
	cfg.DateRange = DateRange{Preset: PresetCustom, Start: &start, End: &end}
	cfg.Filters = slices.Clone(cfg.Filters)
	for i := range cfg.Filters {
		cfg.Filters[i].Values = slices.Clone(cfg.Filters[i].Values)
		slices.Sort(cfg.Filters[i].Values)
	}
	canonical := struct {
		Config     ChartConfig `json:"c"`
		CmpStart   string      `json:"cs,omitempty"`
		CmpEnd     string      `json:"ce,omitempty"`
		All        bool        `json:"all"`
		Practices  []int64     `json:"p"`
		DataSource int64       `json:"ds"`
		Generation int64       `json:"g"`
		Version    int         `json:"v"`
	}{
		Config:     cfg,
		All:        p.Scope.All,
		Practices:  p.Scope.Practices,
		DataSource: p.Source.DataSourceID,
		Generation: p.Source.Generation,
		Version:    p.Source.Version,
	}
	if p.HasCmp {
		canonical.CmpStart = p.Comparison.Start.Format(time.DateOnly)
		canonical.CmpEnd = p.Comparison.End.Format(time.DateOnly)
	}
	if p.Scope.All {
		canonical.Practices = nil
	}
	b, err := json.Marshal(canonical)
	if err != nil {
		// Every field is a plain value; encoding cannot fail.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// measureIDs lists the measures the plan reads: its series' and its
// calculated field's, each once.
func (p *Plan) measureIDs() []int16 {
	var ids []int16
	add := func(key string) {
		m, _ := LookupMeasure(key)
		if !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	for _, s := range p.Config.Series {
		add(s.Measure)
	}
	if c := p.Config.Calculated; c != nil {
		add(c.Measure)
		if c.Other != "" {
			add(c.Other)
		}
	}
	return ids
}

// timeSeries reports whether the chart's x axis is time. Categorical charts
// (pie, doughnut, horizontal bar, number) and tables grouped by a practice or
// provider put categories on the x axis instead.
func (p *Plan) timeSeries() bool {
	if isCategorical(p.Config.Type) {
		return false
	}
	if p.Config.Type == ChartTable && p.Config.GroupBy != GroupByNone && p.Config.GroupBy != GroupByMeasure {
		return false
	}
	return true
}

// TTL is how long the chart's data may be cached, by how fresh it is: a
// range that ends today changes within the day (60 s); one that ended in the
// last 7 days may still receive late rows (300 s); older data is history (1 h).
func (p *Plan) TTL() time.Duration {
	switch age := days(p.Span.End, p.Today) - 1; {
	case age <= 0:
		return 60 * time.Second
	case age < 7:
		return 300 * time.Second
	default:
		return time.Hour
	}
}
