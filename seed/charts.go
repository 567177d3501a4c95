package seed

import a "github.com/dashgraph/dashgraph/analytics"

// PracticeOverview is the demo dashboard of DESIGN.md's contract.
const PracticeOverview = "Practice Overview"

func preset(p a.DatePreset) a.DateRange { return a.DateRange{Preset: p} }

// charts are the demo chart definitions, every chart type among them.
var charts = []struct {
	name, description string
	config            a.ChartConfig
}{
	{"Charges vs payments", "Monthly charges and payments over the last twelve months.", a.ChartConfig{
		Type: a.ChartLine, Measures: []string{"charges", "payments"}, Frequency: a.Monthly,
		DateRange: preset(a.PresetLast12Months)}},
	{"Weekly visits by practice", "Visits per week and practice, last 90 days.", a.ChartConfig{
		Type: a.ChartStackedBar, Measures: []string{"visits"}, Frequency: a.Weekly,
		DateRange: preset(a.PresetLast90Days), GroupBy: a.GroupByPractice}},
	{"Appointment outcomes", "Visits, cancellations and no-shows this year.", a.ChartConfig{
		Type: a.ChartPie, Measures: []string{"visits", "cancellations", "no_shows"}, Frequency: a.Monthly,
		DateRange: preset(a.PresetThisYear), GroupBy: a.GroupByMeasure}},
	{"Top providers by charges", "The ten providers with the most charges in the last 30 days.", a.ChartConfig{
		Type: a.ChartHorizontalBar, Measures: []string{"charges"}, Frequency: a.Daily,
		DateRange: preset(a.PresetLast30Days), GroupBy: a.GroupByProvider, Limit: 10}},
	{"Charges this month", "Charges month to date against the same days last year.", a.ChartConfig{
		Type: a.ChartNumber, Measures: []string{"charges"}, Frequency: a.Daily,
		DateRange: preset(a.PresetThisMonth), Comparison: a.ComparisonPreviousYear,
		Calculated: &a.CalculatedField{Label: "Change vs last year (%)", Operation: a.CalcChange, Measure: "charges"}}},
	{"Collection rate", "Monthly charges, and payments as a share of charges.", a.ChartConfig{
		Type: a.ChartDualAxis, Series: []a.Series{{Measure: "charges"}}, Frequency: a.Monthly,
		DateRange: preset(a.PresetThisYear),
		Calculated: &a.CalculatedField{Label: "Collection rate (%)", Operation: a.CalcRatio, Measure: "payments",
			Other: "charges", Percent: true}}},
	{"New patients", "New patients per week over the last twelve months.", a.ChartConfig{
		Type: a.ChartArea, Measures: []string{"new_patients"}, Frequency: a.Weekly,
		DateRange: preset(a.PresetLast12Months), Palette: "blues"}},
	{"Monthly summary", "Visits, charges and payments per month last year.", a.ChartConfig{
		Type: a.ChartTable, Measures: []string{"visits", "charges", "payments"}, Frequency: a.Monthly,
		DateRange: preset(a.PresetLastYear)}},
	{"Quarterly charges vs last year", "Charges per quarter this year and last.", a.ChartConfig{
		Type: a.ChartBar, Measures: []string{"charges"}, Frequency: a.Quarterly,
		DateRange: preset(a.PresetThisYear), Comparison: a.ComparisonPreviousYear}},
	{"Charges by practice", "Share of charges per practice over the last twelve months.", a.ChartConfig{
		Type: a.ChartDoughnut, Measures: []string{"charges"}, Frequency: a.Monthly,
		DateRange: preset(a.PresetLast12Months), GroupBy: a.GroupByPractice, Palette: "muted"}},
	{"Average daily visits per provider", "Average visits per provider and day, last 30 days.", a.ChartConfig{
		Type: a.ChartLine, Series: []a.Series{{Label: "Average visits", Measure: "visits", Aggregation: a.AggAvg}},
		Frequency: a.Daily, DateRange: preset(a.PresetLast30Days)}},
	{"Cancellations and no-shows", "Monthly cancellations and no-shows over the last twelve months.", a.ChartConfig{
		Type: a.ChartBar, Measures: []string{"cancellations", "no_shows"}, Frequency: a.Monthly,
		DateRange: preset(a.PresetLast12Months), Palette: "warm"}},
	{"Orthopedics charges", "Monthly charges of orthopedic providers this year.", a.ChartConfig{
		Type: a.ChartLine, Measures: []string{"charges"}, Frequency: a.Monthly, DateRange: preset(a.PresetThisYear),
		Filters: []a.Filter{{Field: a.FilterSpecialty, Operator: a.OpEq, Values: []string{"Orthopedics"}}}}},
}

var dashboards = []struct {
	name, description string
	charts            []string
}{
	{PracticeOverview, "The state of the practices at a glance.", []string{
		"Charges vs payments", "Weekly visits by practice", "Appointment outcomes",
		"Top providers by charges", "Charges this month", "Collection rate"}},
	{"Revenue", "Charges, payments and collections.", []string{
		"Charges vs payments", "Collection rate", "Quarterly charges vs last year",
		"Charges by practice", "Monthly summary", "Orthopedics charges"}},
	{"Operations", "Visits, new patients and missed appointments.", []string{
		"Weekly visits by practice", "New patients", "Average daily visits per provider",
		"Cancellations and no-shows", "Appointment outcomes"}},
}
