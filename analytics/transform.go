package analytics

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// ChartData is what a chart draws: labels along the x axis (periods or
// categories) and one dataset per series, group, comparison or calculation.
type ChartData struct {
	Labels   []string  `json:"labels"`
	Datasets []Dataset `json:"datasets"`
	// Start and End are the resolved date range, YYYY-MM-DD.
	Start string `json:"start"`
	End   string `json:"end"`
	// FromCache reports whether this response's copy came from the cache.
	// It describes the response, not the data, and is never stored.
	FromCache bool `json:"fromCache"`
}

// Dataset is one line, set of bars or slices.
type Dataset struct {
	Label string     `json:"label"`
	Data  []*float64 `json:"data"`
	Color string     `json:"color"`
	// Colors has one color per label, for pie and doughnut charts.
	Colors   []string  `json:"colors,omitempty"`
	RenderAs ChartType `json:"renderAs"`
	Axis     Axis      `json:"axis"`
}

// stats summarizes the provider-level rows of one bucket.
type stats struct {
	sum        float64
	count      int64
	min, max   float64
	present    bool
	minMaxSeen bool
}

func (s *stats) add(r Row) {
	s.sum += r.Sum
	s.count += r.Count
	if !s.minMaxSeen || r.Min < s.min {
		s.min = r.Min
	}
	if !s.minMaxSeen || r.Max > s.max {
		s.max = r.Max
	}
	s.present, s.minMaxSeen = true, true
}

// value applies an aggregation. A bucket without rows is 0 for sum and
// count (nothing happened) and null for the others (nothing to average).
func (s stats) value(agg Aggregation) (float64, bool) {
	switch agg {
	case AggSum:
		return s.sum, true
	case AggCount:
		return float64(s.count), true
	}
	if !s.present || s.count == 0 {
		return 0, false
	}
	switch agg {
	case AggAvg:
		return s.sum / float64(s.count), true
	case AggMin:
		return s.min, true
	}
	return s.max, true
}

type bucketKey struct {
	measure int16
	group   int64
	period  int // index into the span's periods; 0 for categorical charts
	current bool
}

type group struct {
	key   int64
	label string
}

// series is one computed line of the output before it is split by group.
type series struct {
	label    string
	color    string
	axis     Axis
	renderAs ChartType
	// value computes the series in one bucket.
	value    func(b buckets, g int64, period int) (float64, bool)
	decimals int
}

// at is the series' value in a bucket, rounded, or nil when it has none.
func (s series) at(b buckets, g int64, period int) *float64 {
	v, ok := s.value(b, g, period)
	return number(v, ok, s.decimals)
}

type buckets map[bucketKey]*stats

func (b buckets) stat(measure int16, g int64, period int, current bool) stats {
	if s := b[bucketKey{measure, g, period, current}]; s != nil {
		return *s
	}
	return stats{}
}

// Transform turns the plan's query rows into chart data.
func (p *Plan) Transform(rows []Row) *ChartData {
	cfg := p.Config
	timeSeries := p.timeSeries()
	var periods, cmpPeriods []time.Time
	if timeSeries {
		periods = Periods(cfg.Frequency, p.Span)
		if p.HasCmp {
			cmpPeriods = Periods(cfg.Frequency, p.Comparison)
		}
	}
	index := func(list []time.Time) map[time.Time]int {
		m := make(map[time.Time]int, len(list))
		for i, t := range list {
			m[t] = i
		}
		return m
	}
	periodIndex, cmpIndex := index(periods), index(cmpPeriods)

	b := make(buckets, len(rows))
	groupLabels := map[int64]string{}
	for _, r := range rows {
		k := bucketKey{measure: r.MeasureID, group: r.GroupKey, current: r.Current}
		if timeSeries && r.Period != nil {
			idx := periodIndex
			if !r.Current {
				idx = cmpIndex
			}
			i, ok := idx[*r.Period]
			if !ok {
				continue
			}
			k.period = i
		}
		s := b[k]
		if s == nil {
			s = &stats{}
			b[k] = s
		}
		s.add(r)
		if r.Current {
			groupLabels[r.GroupKey] = r.GroupLabel
		}
	}

	out := p.seriesList()
	data := &ChartData{
		Start: p.Span.Start.Format(time.DateOnly),
		End:   p.Span.End.Format(time.DateOnly),
	}
	grouped := cfg.GroupBy == GroupByPractice || cfg.GroupBy == GroupByProvider
	groups := []group{{}}
	if grouped {
		groups = p.rankGroups(b, groupLabels, out[0], len(periods))
	}

	switch {
	case timeSeries:
		for _, t := range periods {
			data.Labels = append(data.Labels, periodLabel(cfg.Frequency, t))
		}
		for _, s := range out {
			for _, g := range groups {
				label := s.label
				if grouped {
					label = g.label
					if len(out) > 1 {
						label = s.label + " · " + g.label
					}
				}
				values := make([]*float64, len(periods))
				for i := range periods {
					values[i] = s.at(b, g.key, i)
				}
				data.Datasets = append(data.Datasets, Dataset{Label: label, Data: values, RenderAs: s.renderAs, Axis: s.axis, Color: s.color})
			}
		}
	case grouped:
		for _, g := range groups {
			data.Labels = append(data.Labels, g.label)
		}
		for _, s := range out {
			values := make([]*float64, len(groups))
			for i, g := range groups {
				values[i] = s.at(b, g.key, 0)
			}
			data.Datasets = append(data.Datasets, Dataset{Label: s.label, Data: values, RenderAs: s.renderAs, Axis: s.axis, Color: s.color})
		}
	default:
		// Categorical without groups: each series is a category of one dataset.
		values := make([]*float64, 0, len(out))
		labels := make([]string, 0, len(out))
		order := make([]int, len(out))
		for i := range order {
			order[i] = i
		}
		if cfg.Sort != SortLabel {
			sortByValue(order, cfg.Sort, func(i int) float64 { v, _ := out[i].value(b, 0, 0); return v })
		}
		for _, i := range order {
			labels = append(labels, out[i].label)
			values = append(values, out[i].at(b, 0, 0))
		}
		data.Labels = labels
		data.Datasets = []Dataset{{Label: "Total", Data: values, RenderAs: cfg.Type, Axis: AxisLeft}}
	}

	for i := range data.Datasets {
		d := &data.Datasets[i]
		if d.Color == "" {
			d.Color = color(cfg.Palette, i)
		}
		if cfg.Type == ChartPie || cfg.Type == ChartDoughnut {
			d.Colors = make([]string, len(data.Labels))
			for j := range d.Colors {
				d.Colors[j] = color(cfg.Palette, j)
			}
		}
	}
	if data.Labels == nil {
		data.Labels = []string{}
	}
	if data.Datasets == nil {
		data.Datasets = []Dataset{}
	}
	return data
}

// seriesList expands the configuration into computed series: the configured
// ones, their comparisons, then the calculated field.
func (p *Plan) seriesList() []series {
	cfg := p.Config
	var out []series
	for _, s := range cfg.Series {
		m, _ := LookupMeasure(s.Measure)
		agg := s.Aggregation
		out = append(out, series{
			label: s.Label, color: s.Color, axis: s.Axis, renderAs: s.RenderAs, decimals: 2,
			value: func(b buckets, g int64, period int) (float64, bool) {
				return b.stat(m.ID, g, period, true).value(agg)
			},
		})
	}
	if p.HasCmp {
		suffix := " (previous period)"
		if cfg.Comparison == ComparisonPreviousYear {
			suffix = " (previous year)"
		}
		for _, s := range cfg.Series {
			m, _ := LookupMeasure(s.Measure)
			agg := s.Aggregation
			out = append(out, series{
				label: s.Label + suffix, axis: s.Axis, renderAs: s.RenderAs, decimals: 2,
				value: func(b buckets, g int64, period int) (float64, bool) {
					return b.stat(m.ID, g, period, false).value(agg)
				},
			})
		}
	}
	if c := cfg.Calculated; c != nil {
		out = append(out, p.calculated(*c))
	}
	return out
}

func (p *Plan) calculated(c CalculatedField) series {
	m, _ := LookupMeasure(c.Measure)
	o, _ := LookupMeasure(c.Other)
	renderAs := p.Config.Type
	if p.Config.Type == ChartDualAxis {
		renderAs = ChartLine
	}
	s := series{label: c.Label, axis: c.Axis, renderAs: renderAs, decimals: 2}
	switch c.Operation {
	case CalcRatio:
		scale := 1.0
		if c.Percent {
			scale = 100
		} else {
			s.decimals = 4
		}
		s.value = func(b buckets, g int64, period int) (float64, bool) {
			den := b.stat(o.ID, g, period, true).sum
			if den == 0 {
				return 0, false
			}
			return scale * b.stat(m.ID, g, period, true).sum / den, true
		}
	case CalcDifference:
		s.value = func(b buckets, g int64, period int) (float64, bool) {
			return b.stat(m.ID, g, period, true).sum - b.stat(o.ID, g, period, true).sum, true
		}
	case CalcChange:
		s.value = func(b buckets, g int64, period int) (float64, bool) {
			before := b.stat(m.ID, g, period, false).sum
			if before == 0 {
				return 0, false
			}
			return 100 * (b.stat(m.ID, g, period, true).sum - before) / before, true
		}
	}
	return s
}

// rankGroups orders the groups by the configured sort and keeps the first
// Limit of them. Value sorts rank by the first series over the whole range.
func (p *Plan) rankGroups(b buckets, labels map[int64]string, first series, periods int) []group {
	groups := make([]group, 0, len(labels))
	for k, l := range labels {
		groups = append(groups, group{key: k, label: l})
	}
	slices.SortFunc(groups, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.label, b.label), cmp.Compare(a.key, b.key))
	})
	if p.Config.Sort != SortLabel {
		total := func(i int) float64 {
			if periods == 0 {
				v, _ := first.value(b, groups[i].key, 0)
				return v
			}
			var sum float64
			for j := range periods {
				v, _ := first.value(b, groups[i].key, j)
				sum += v
			}
			return sum
		}
		order := make([]int, len(groups))
		for i := range order {
			order[i] = i
		}
		sortByValue(order, p.Config.Sort, total)
		ranked := make([]group, len(groups))
		for i, j := range order {
			ranked[i] = groups[j]
		}
		groups = ranked
	}
	if len(groups) > p.Config.Limit {
		groups = groups[:p.Config.Limit]
	}
	return groups
}

// sortByValue sorts indexes by their values, stably, so ties keep label order.
func sortByValue(order []int, sort SortOrder, value func(int) float64) {
	values := make([]float64, len(order))
	for _, i := range order {
		values[i] = value(i)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if sort == SortValueAsc {
			return cmp.Compare(values[a], values[b])
		}
		return cmp.Compare(values[b], values[a])
	})
}

func number(v float64, ok bool, decimals int) *float64 {
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	scale := math.Pow10(decimals)
	r := math.Round(v*scale) / scale
	return &r
}
