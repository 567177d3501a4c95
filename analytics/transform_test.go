package analytics

import (
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/rbac"
)

// rowsFor builds the rows a query would return for a monthly chart of two
// measures grouped by practice.
func rowsFor(p *Plan, practices int) []Row {
	var rows []Row
	for _, m := range p.measureIDs() {
		for g := range practices {
			for i, period := range Periods(p.Config.Frequency, p.Span) {
				rows = append(rows, Row{MeasureID: m, GroupKey: int64(g + 1), GroupLabel: "Practice " + string(rune('A'+g)),
					Period: &period, Current: true, Sum: float64(1000 * (i + 1)), Count: 4, Min: 100, Max: 400})
			}
		}
	}
	return rows
}

func TestTransformGroupsAndSums(t *testing.T) {
	p := plan(t, ChartConfig{Type: ChartStackedBar, Measures: []string{"charges", "payments"}, Frequency: Monthly,
		DateRange: DateRange{Preset: PresetLastYear}, GroupBy: GroupByPractice}, rbac.Scope{All: true}, Source{}, "2026-11-26")
	d := p.Transform(rowsFor(p, 3))
	if len(d.Labels) != 12 || len(d.Datasets) != 6 {
		t.Fatalf("%d labels, %d datasets; want 12 and 2 series x 3 practices", len(d.Labels), len(d.Datasets))
	}
	if d.Datasets[0].Label != "Charges · Practice A" || *d.Datasets[0].Data[11] != 12000 {
		t.Fatalf("first dataset %q ends %v", d.Datasets[0].Label, *d.Datasets[0].Data[11])
	}
}

func BenchmarkTransform(b *testing.B) {
	n, err := ChartConfig{Type: ChartStackedBar, Measures: []string{"charges", "payments"}, Frequency: Monthly,
		DateRange: DateRange{Preset: PresetLast12Months}, GroupBy: GroupByPractice}.Normalize()
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPlan(n, rbac.Scope{All: true}, Source{}, Today(time.Now(), time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	rows := rowsFor(p, 6)
	b.ReportAllocs()
	for b.Loop() {
		p.Transform(rows)
	}
}
