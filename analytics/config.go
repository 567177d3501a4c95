package analytics

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dashgraph/dashgraph/apperr"
)

// ChartType is how a chart is drawn; it also decides the shape of its data.
type ChartType string

// Chart types.
const (
	ChartLine          ChartType = "LINE"
	ChartBar           ChartType = "BAR"
	ChartStackedBar    ChartType = "STACKED_BAR"
	ChartHorizontalBar ChartType = "HORIZONTAL_BAR"
	ChartArea          ChartType = "AREA"
	ChartPie           ChartType = "PIE"
	ChartDoughnut      ChartType = "DOUGHNUT"
	ChartTable         ChartType = "TABLE"
	ChartNumber        ChartType = "NUMBER"
	ChartDualAxis      ChartType = "DUAL_AXIS"
)

// ChartTypes lists every chart type.
var ChartTypes = []ChartType{ChartLine, ChartBar, ChartStackedBar, ChartHorizontalBar, ChartArea,
	ChartPie, ChartDoughnut, ChartTable, ChartNumber, ChartDualAxis}

// Frequency is the period length of the pre-aggregated rows a chart reads.
type Frequency string

// SQLValue is the frequency's value in the measure_values.frequency enum.
func (f Frequency) SQLValue() string {
	return string(f[:1]) + strings.ToLower(string(f[1:]))
}

// Frequencies.
const (
	Daily     Frequency = "DAILY"
	Weekly    Frequency = "WEEKLY"
	Monthly   Frequency = "MONTHLY"
	Quarterly Frequency = "QUARTERLY"
)

// GroupBy splits a chart's values by a dimension.
type GroupBy string

// Dimensions to group by.
const (
	GroupByNone     GroupBy = "NONE"
	GroupByPractice GroupBy = "PRACTICE"
	GroupByProvider GroupBy = "PROVIDER"
	GroupByMeasure  GroupBy = "MEASURE"
)

// Aggregation combines the provider-level rows that fall into one bucket.
type Aggregation string

// Aggregations.
const (
	AggSum   Aggregation = "SUM"
	AggAvg   Aggregation = "AVG"
	AggMin   Aggregation = "MIN"
	AggMax   Aggregation = "MAX"
	AggCount Aggregation = "COUNT"
)

// Axis is the y axis a dataset is drawn against (dual-axis charts).
type Axis string

// Axes.
const (
	AxisLeft  Axis = "LEFT"
	AxisRight Axis = "RIGHT"
)

// Comparison adds the same series over an earlier date range.
type Comparison string

// Comparisons.
const (
	ComparisonNone           Comparison = "NONE"
	ComparisonPreviousPeriod Comparison = "PREVIOUS_PERIOD"
	ComparisonPreviousYear   Comparison = "PREVIOUS_YEAR"
)

// CalcOperation is what a calculated field computes.
type CalcOperation string

// Calculated field operations.
const (
	// CalcRatio is Measure divided by Other in each bucket.
	CalcRatio CalcOperation = "RATIO"
	// CalcDifference is Measure minus Other in each bucket.
	CalcDifference CalcOperation = "DIFFERENCE"
	// CalcChange is the percent change of Measure against the comparison range.
	CalcChange CalcOperation = "CHANGE"
)

// SortOrder orders the categories of categorical charts, and picks which
// groups are kept when there are more than the limit.
type SortOrder string

// Sort orders.
const (
	SortLabel     SortOrder = "LABEL"
	SortValueDesc SortOrder = "VALUE_DESC"
	SortValueAsc  SortOrder = "VALUE_ASC"
)

// FilterField is a whitelisted dimension a chart may filter on.
type FilterField string

// Filterable fields.
const (
	FilterPractice     FilterField = "PRACTICE"
	FilterProvider     FilterField = "PROVIDER"
	FilterOrganization FilterField = "ORGANIZATION"
	FilterSpecialty    FilterField = "SPECIALTY"
	FilterValue        FilterField = "VALUE"
)

// FilterOperator is a whitelisted comparison.
type FilterOperator string

// Filter operators.
const (
	OpEq    FilterOperator = "EQ"
	OpNeq   FilterOperator = "NEQ"
	OpIn    FilterOperator = "IN"
	OpNotIn FilterOperator = "NOT_IN"
	OpGt    FilterOperator = "GT"
	OpGte   FilterOperator = "GTE"
	OpLt    FilterOperator = "LT"
	OpLte   FilterOperator = "LTE"
)

// ChartConfig is a chart definition's configuration: what to plot, over
// which dates, for which slice of the data, and how to draw it. It is stored
// as JSON in chart_definitions.config and accepted as GraphQL input.
type ChartConfig struct {
	Type ChartType `json:"type"`
	// Measures is shorthand for one summed series per measure. Ignored when
	// Series is given.
	Measures   []string         `json:"measures,omitempty"`
	Series     []Series         `json:"series,omitempty"`
	Frequency  Frequency        `json:"frequency"`
	DateRange  DateRange        `json:"dateRange"`
	Filters    []Filter         `json:"filters,omitempty"`
	GroupBy    GroupBy          `json:"groupBy,omitempty"`
	Comparison Comparison       `json:"comparison,omitempty"`
	Calculated *CalculatedField `json:"calculated,omitempty"`
	Palette    string           `json:"palette,omitempty"`
	Sort       SortOrder        `json:"sort,omitempty"`
	// Limit caps the number of groups (practices or providers) shown.
	Limit int `json:"limit,omitempty"`
}

// Series is one measure, aggregated one way, drawn as one dataset (or one
// per group).
type Series struct {
	Label       string      `json:"label,omitempty"`
	Measure     string      `json:"measure"`
	Aggregation Aggregation `json:"aggregation,omitempty"`
	Color       string      `json:"color,omitempty"`
	Axis        Axis        `json:"axis,omitempty"`
	// RenderAs draws this series as another chart type (dual-axis charts).
	RenderAs ChartType `json:"renderAs,omitempty"`
}

// CalculatedField is a dataset computed from other values in each bucket.
type CalculatedField struct {
	Label     string        `json:"label"`
	Operation CalcOperation `json:"operation"`
	Measure   string        `json:"measure"`
	// Other is the second operand of ratio and difference.
	Other string `json:"other,omitempty"`
	// Percent multiplies a ratio by 100.
	Percent bool `json:"percent,omitempty"`
	Axis    Axis `json:"axis,omitempty"`
}

// Filter narrows the rows a chart reads. It can never widen the caller's
// data scope: the scope is applied to every query on its own.
type Filter struct {
	Field    FilterField    `json:"field"`
	Operator FilterOperator `json:"operator"`
	Values   []string       `json:"values"`
}

// Limits on a configuration's size, so that one chart cannot ask for an
// unbounded query.
const (
	maxSeries       = 10
	maxFilters      = 10
	maxFilterValues = 100
	maxLabelLen     = 100
	maxGroups       = 100
	defaultGroups   = 10
	maxRangeDays    = 3700
)

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func isCategorical(t ChartType) bool {
	switch t {
	case ChartPie, ChartDoughnut, ChartHorizontalBar, ChartNumber:
		return true
	}
	return false
}

// Normalize fills in defaults and checks the configuration, returning a
// BAD_USER_INPUT error that names the first problem. A normalized config has
// an explicit value for every enum, so it reads the same however it was
// written, which the chart-data cache key relies on.
func (c ChartConfig) Normalize() (ChartConfig, error) {
	if !slices.Contains(ChartTypes, c.Type) {
		return c, badInput("chart type %q is not known", c.Type)
	}
	switch c.Frequency {
	case Daily, Weekly, Monthly, Quarterly:
	default:
		return c, badInput("frequency %q is not known; use DAILY, WEEKLY, MONTHLY or QUARTERLY", c.Frequency)
	}
	if err := c.DateRange.validate(); err != nil {
		return c, err
	}
	if c.DateRange.Preset == "" {
		c.DateRange.Preset = PresetCustom
	}

	series := slices.Clone(c.Series)
	if len(series) == 0 {
		for _, m := range c.Measures {
			series = append(series, Series{Measure: m})
		}
	}
	if len(series) == 0 {
		return c, badInput("a chart needs at least one measure or series")
	}
	if len(series) > maxSeries {
		return c, badInput("a chart has at most %d series", maxSeries)
	}
	for i := range series {
		s := &series[i]
		m, ok := LookupMeasure(s.Measure)
		if !ok {
			return c, unknownMeasure(s.Measure)
		}
		if s.Label == "" {
			s.Label = m.Label
		}
		if len(s.Label) > maxLabelLen {
			return c, badInput("series label is longer than %d characters", maxLabelLen)
		}
		if s.Aggregation == "" {
			s.Aggregation = AggSum
		}
		switch s.Aggregation {
		case AggSum, AggAvg, AggMin, AggMax, AggCount:
		default:
			return c, badInput("aggregation %q is not known; use SUM, AVG, MIN, MAX or COUNT", s.Aggregation)
		}
		if s.Color != "" && !colorPattern.MatchString(s.Color) {
			return c, badInput("color %q is not a #rrggbb color", s.Color)
		}
		if s.Axis == "" {
			s.Axis = AxisLeft
			if c.Type == ChartDualAxis && i > 0 {
				s.Axis = AxisRight
			}
		}
		if s.Axis != AxisLeft && s.Axis != AxisRight {
			return c, badInput("axis %q is not known; use LEFT or RIGHT", s.Axis)
		}
		if s.RenderAs == "" {
			s.RenderAs = c.Type
			if c.Type == ChartDualAxis {
				s.RenderAs = ChartBar
				if i > 0 {
					s.RenderAs = ChartLine
				}
			}
		}
		if !slices.Contains([]ChartType{ChartLine, ChartBar, ChartArea}, s.RenderAs) && s.RenderAs != c.Type {
			return c, badInput("a series can be rendered as LINE, BAR or AREA, not %q", s.RenderAs)
		}
	}
	c.Series = series
	c.Measures = nil

	if c.GroupBy == "" {
		c.GroupBy = GroupByNone
	}
	switch c.GroupBy {
	case GroupByNone, GroupByPractice, GroupByProvider, GroupByMeasure:
	default:
		return c, badInput("groupBy %q is not known; use NONE, PRACTICE, PROVIDER or MEASURE", c.GroupBy)
	}
	if c.Comparison == "" {
		c.Comparison = ComparisonNone
	}
	switch c.Comparison {
	case ComparisonNone, ComparisonPreviousPeriod, ComparisonPreviousYear:
	default:
		return c, badInput("comparison %q is not known; use NONE, PREVIOUS_PERIOD or PREVIOUS_YEAR", c.Comparison)
	}
	if c.Calculated != nil {
		calc := *c.Calculated
		if err := calc.validate(c.Comparison); err != nil {
			return c, err
		}
		if calc.Axis == "" {
			calc.Axis = AxisLeft
			if c.Type == ChartDualAxis {
				calc.Axis = AxisRight
			}
		}
		c.Calculated = &calc
	}
	if len(c.Filters) > maxFilters {
		return c, badInput("a chart has at most %d filters", maxFilters)
	}
	for _, f := range c.Filters {
		if _, err := f.compile(); err != nil {
			return c, err
		}
	}
	if c.Palette == "" {
		c.Palette = defaultPalette
	}
	if _, ok := palettes[c.Palette]; !ok {
		return c, badInput("palette %q is not known; use one of %s", c.Palette, strings.Join(paletteNames(), ", "))
	}
	if c.Sort == "" {
		c.Sort = SortLabel
		if c.Type == ChartHorizontalBar || c.Type == ChartPie || c.Type == ChartDoughnut {
			c.Sort = SortValueDesc
		}
	}
	switch c.Sort {
	case SortLabel, SortValueDesc, SortValueAsc:
	default:
		return c, badInput("sort %q is not known; use LABEL, VALUE_DESC or VALUE_ASC", c.Sort)
	}
	if c.Limit == 0 {
		c.Limit = defaultGroups
	}
	if c.Limit < 1 || c.Limit > maxGroups {
		return c, badInput("limit must be between 1 and %d", maxGroups)
	}
	return c, nil
}

func (calc CalculatedField) validate(cmp Comparison) error {
	if strings.TrimSpace(calc.Label) == "" {
		return badInput("a calculated field needs a label")
	}
	if len(calc.Label) > maxLabelLen {
		return badInput("calculated field label is longer than %d characters", maxLabelLen)
	}
	if _, ok := LookupMeasure(calc.Measure); !ok {
		return unknownMeasure(calc.Measure)
	}
	switch calc.Operation {
	case CalcRatio, CalcDifference:
		if _, ok := LookupMeasure(calc.Other); !ok {
			return unknownMeasure(calc.Other)
		}
	case CalcChange:
		if cmp == ComparisonNone {
			return badInput("a CHANGE calculation needs a comparison (PREVIOUS_PERIOD or PREVIOUS_YEAR)")
		}
	default:
		return badInput("calculated operation %q is not known; use RATIO, DIFFERENCE or CHANGE", calc.Operation)
	}
	if calc.Axis != "" && calc.Axis != AxisLeft && calc.Axis != AxisRight {
		return badInput("axis %q is not known; use LEFT or RIGHT", calc.Axis)
	}
	return nil
}

// compiledFilter is a filter whose values have been parsed for its field.
type compiledFilter struct {
	field  FilterField
	negate bool
	op     FilterOperator // for value comparisons
	ids    []int64
	texts  []string
	number float64
}

func (f Filter) compile() (compiledFilter, error) {
	cf := compiledFilter{field: f.Field, op: f.Operator}
	if len(f.Values) == 0 {
		return cf, badInput("filter on %q needs at least one value", f.Field)
	}
	if len(f.Values) > maxFilterValues {
		return cf, badInput("a filter has at most %d values", maxFilterValues)
	}
	switch f.Field {
	case FilterPractice, FilterProvider, FilterOrganization, FilterSpecialty:
		switch f.Operator {
		case OpEq, OpIn:
		case OpNeq, OpNotIn:
			cf.negate = true
		default:
			return cf, badInput("operator %q cannot be used on %q; use EQ, NEQ, IN or NOT_IN", f.Operator, f.Field)
		}
		if (f.Operator == OpEq || f.Operator == OpNeq) && len(f.Values) != 1 {
			return cf, badInput("operator %q takes exactly one value", f.Operator)
		}
		if f.Field == FilterSpecialty {
			cf.texts = f.Values
			return cf, nil
		}
		for _, v := range f.Values {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return cf, badInput("filter on %q needs ids, and %q is not one", f.Field, v)
			}
			cf.ids = append(cf.ids, id)
		}
	case FilterValue:
		switch f.Operator {
		case OpEq, OpNeq, OpGt, OpGte, OpLt, OpLte:
		default:
			return cf, badInput("operator %q cannot be used on VALUE; use EQ, NEQ, GT, GTE, LT or LTE", f.Operator)
		}
		if len(f.Values) != 1 {
			return cf, badInput("a value filter takes exactly one number")
		}
		n, err := strconv.ParseFloat(f.Values[0], 64)
		if err != nil {
			return cf, badInput("value filter needs a number, and %q is not one", f.Values[0])
		}
		cf.number = n
	default:
		return cf, badInput("filter field %q is not known; use PRACTICE, PROVIDER, ORGANIZATION, SPECIALTY or VALUE", f.Field)
	}
	return cf, nil
}

func unknownMeasure(key string) error {
	keys := make([]string, len(Measures))
	for i, m := range Measures {
		keys[i] = m.Key
	}
	return badInput("measure %q is not known; use one of %s", key, strings.Join(keys, ", "))
}

func badInput(format string, args ...any) error {
	return apperr.Errorf(apperr.BadUserInput, format, args...)
}

// parseDate reads a YYYY-MM-DD date.
func parseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, badInput("%s %q is not a date in YYYY-MM-DD form", field, s)
	}
	return t, nil
}
