package app_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dashgraph/dashgraph/seed"
)

// Every chart type and feature, checked against values computed here with
// plain SQL from the seeded rows.

func customRange(start, end string) map[string]any {
	return map[string]any{"preset": "CUSTOM", "start": start, "end": end}
}

// sum is the total of a measure's rows of one frequency over dates, within
// the practices of the given organizations (all when none).
func sum(t *testing.T, measureID int, freq, from, to string, slugs ...string) float64 {
	t.Helper()
	return sqlFloat(t, `SELECT sum(mv.value) FROM measure_values mv
		JOIN practices p ON p.id = mv.practice_id JOIN organizations o ON o.id = p.organization_id
		WHERE mv.measure_id = $1 AND mv.frequency = $2::frequency AND mv.period_date BETWEEN $3 AND $4
		AND ($5::text[] IS NULL OR o.slug = ANY($5))`, measureID, freq, from, to, slugsOrNil(slugs))
}

var northSlugs = []string{"bend-north", "bend-north-peds"}

const (
	charges       = 1
	payments      = 2
	visits        = 5
	cancellations = 7
	noShows       = 8
)

func monthStart(m time.Month) string { return lastYear(m, 1) }

func TestChartTypes(t *testing.T) {
	admin := login(t, seed.AdminEmail)
	analyst := login(t, seed.AnalystEmail)
	year := customRange(lastYear(1, 1), lastYear(12, 31))

	t.Run("LineWithTwoSeries", func(t *testing.T) {
		d := adHoc(t, admin, map[string]any{"type": "LINE", "measures": []string{"charges", "payments"},
			"frequency": "MONTHLY", "dateRange": year})
		if len(d.Labels) != 12 || len(d.Datasets) != 2 || d.Datasets[0].Label != "Charges" || d.Datasets[1].Label != "Payments" {
			t.Fatalf("labels %v datasets %d", d.Labels, len(d.Datasets))
		}
		for i := range 12 {
			m := monthStart(time.Month(i + 1))
			if d.Labels[i] != m[:7] {
				t.Fatalf("label %d = %q, want %q", i, d.Labels[i], m[:7])
			}
			for j, measure := range []int{charges, payments} {
				if got, want := value(t, d.Datasets[j].Data[i]), sum(t, measure, "Monthly", m, m); !near(got, want) {
					t.Fatalf("%s %s = %.2f, want %.2f", d.Datasets[j].Label, m, got, want)
				}
			}
		}
	})

	t.Run("StackedBarGroupedByPractice", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "STACKED_BAR", "measures": []string{"visits"},
			"frequency": "WEEKLY", "dateRange": customRange(lastYear(3, 1), lastYear(3, 31)), "groupBy": "PRACTICE"})
		var names []string
		for _, ds := range d.Datasets {
			names = append(names, ds.Label)
		}
		if !slices.Equal(names, []string{"North Family Medicine", "North Pediatrics Clinic"}) {
			t.Fatalf("groups = %v, want the analyst's two practices", names)
		}
		for i, week := range d.Labels {
			for _, ds := range d.Datasets {
				want := sqlFloat(t, `SELECT sum(mv.value) FROM measure_values mv JOIN practices p ON p.id = mv.practice_id
					WHERE mv.measure_id = $1 AND mv.frequency = 'Weekly' AND mv.period_date = $2 AND p.name = $3`,
					visits, week, ds.Label)
				if got := value(t, ds.Data[i]); !near(got, want) {
					t.Fatalf("%s week %s = %v, want %v", ds.Label, week, got, want)
				}
			}
		}
	})

	t.Run("PieOfMeasures", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "PIE", "measures": []string{"cancellations", "visits", "no_shows"},
			"frequency": "MONTHLY", "dateRange": year, "groupBy": "MEASURE"})
		// Pie slices are ordered largest first.
		if !slices.Equal(d.Labels, []string{"Visits", "Cancellations", "No-shows"}) {
			t.Fatalf("labels = %v", d.Labels)
		}
		for i, m := range []int{visits, cancellations, noShows} {
			if got, want := value(t, d.Datasets[0].Data[i]), sum(t, m, "Monthly", lastYear(1, 1), lastYear(12, 31), northSlugs...); !near(got, want) {
				t.Fatalf("%s = %v, want %v", d.Labels[i], got, want)
			}
		}
		if len(d.Datasets) != 1 {
			t.Fatalf("datasets = %d", len(d.Datasets))
		}
	})

	t.Run("HorizontalBarTopProviders", func(t *testing.T) {
		d := adHoc(t, admin, map[string]any{"type": "HORIZONTAL_BAR", "measures": []string{"charges"},
			"frequency": "DAILY", "dateRange": customRange(lastYear(12, 1), lastYear(12, 31)), "groupBy": "PROVIDER", "limit": 3})
		rows, err := pool.Query(t.Context(), `SELECT pr.name, sum(mv.value) FROM measure_values mv JOIN providers pr ON pr.id = mv.provider_id
			WHERE mv.measure_id = 1 AND mv.frequency = 'Daily' AND mv.period_date BETWEEN $1 AND $2
			GROUP BY pr.id, pr.name ORDER BY 2 DESC LIMIT 3`, lastYear(12, 1), lastYear(12, 31))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		for rows.Next() {
			var name string
			var want float64
			if err := rows.Scan(&name, &want); err != nil {
				t.Fatal(err)
			}
			if d.Labels[i] != name || !near(value(t, d.Datasets[0].Data[i]), want) {
				t.Fatalf("rank %d = %s %v, want %s %v", i, d.Labels[i], value(t, d.Datasets[0].Data[i]), name, want)
			}
			i++
		}
		if i != 3 || len(d.Labels) != 3 {
			t.Fatalf("ranked %d providers, chart has %d", i, len(d.Labels))
		}
	})

	t.Run("NumberWithComparisonAndChange", func(t *testing.T) {
		thisYear := time.Date(time.Now().UTC().Year(), 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		d := adHoc(t, analyst, map[string]any{"type": "NUMBER", "measures": []string{"charges"}, "frequency": "MONTHLY",
			"dateRange": customRange(thisYear, thisYear), "comparison": "PREVIOUS_YEAR",
			"calculated": map[string]any{"label": "Change", "operation": "CHANGE", "measure": "charges"}})
		cur := sum(t, charges, "Monthly", thisYear, thisYear, northSlugs...)
		prev := sum(t, charges, "Monthly", lastYear(1, 1), lastYear(1, 1), northSlugs...)
		want := []float64{cur, prev, 100 * (cur - prev) / prev}
		if !slices.Equal(d.Labels, []string{"Charges", "Charges (previous year)", "Change"}) {
			t.Fatalf("labels = %v", d.Labels)
		}
		for i, w := range want {
			if got := value(t, d.Datasets[0].Data[i]); !near(got, w) {
				t.Fatalf("%s = %v, want %v", d.Labels[i], got, w)
			}
		}
	})

	t.Run("DualAxisWithRatio", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "DUAL_AXIS", "measures": []string{"charges"}, "frequency": "MONTHLY",
			"dateRange": year, "calculated": map[string]any{"label": "Collection rate", "operation": "RATIO",
				"measure": "payments", "other": "charges", "percent": true}})
		if len(d.Datasets) != 2 || d.Datasets[0].Axis != "LEFT" || d.Datasets[1].Axis != "RIGHT" {
			t.Fatalf("datasets = %+v", d.Datasets)
		}
		for i := range 12 {
			m := monthStart(time.Month(i + 1))
			want := 100 * sum(t, payments, "Monthly", m, m, northSlugs...) / sum(t, charges, "Monthly", m, m, northSlugs...)
			if got := value(t, d.Datasets[1].Data[i]); !near(got, want) {
				t.Fatalf("rate %s = %v, want %v", m, got, want)
			}
		}
	})

	t.Run("TableOfMonths", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "TABLE", "measures": []string{"visits", "charges"},
			"frequency": "MONTHLY", "dateRange": year})
		if len(d.Labels) != 12 || len(d.Datasets) != 2 {
			t.Fatalf("table is %d x %d", len(d.Labels), len(d.Datasets))
		}
		june := monthStart(time.June)
		if got, want := value(t, d.Datasets[0].Data[5]), sum(t, visits, "Monthly", june, june, northSlugs...); !near(got, want) {
			t.Fatalf("June visits = %v, want %v", got, want)
		}
	})

	t.Run("AreaWithAverage", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "AREA", "frequency": "DAILY",
			"series":    []map[string]any{{"measure": "visits", "aggregation": "AVG", "label": "Average visits"}},
			"dateRange": customRange(lastYear(12, 1), lastYear(12, 7))})
		for i, dayLabel := range d.Labels {
			want := sqlFloat(t, `SELECT avg(mv.value) FROM measure_values mv JOIN practices p ON p.id = mv.practice_id
				JOIN organizations o ON o.id = p.organization_id
				WHERE mv.measure_id = $1 AND mv.frequency = 'Daily' AND mv.period_date = $2 AND o.slug = ANY($3)`,
				visits, dayLabel, northSlugs)
			if got := value(t, d.Datasets[0].Data[i]); !near(got, want) {
				t.Fatalf("average visits %s = %v, want %v", dayLabel, got, want)
			}
		}
		if len(d.Labels) != 7 {
			t.Fatalf("labels = %v", d.Labels)
		}
	})

	t.Run("DoughnutByPractice", func(t *testing.T) {
		d := adHoc(t, login(t, seed.OrgAdminEmail), map[string]any{"type": "DOUGHNUT", "measures": []string{"charges"},
			"frequency": "MONTHLY", "dateRange": year, "groupBy": "PRACTICE"})
		if len(d.Labels) != 5 {
			t.Fatalf("the org admin's doughnut has %d practices, want the 5 of Bend Health Group", len(d.Labels))
		}
		var total float64
		for _, v := range d.Datasets[0].Data {
			total += value(t, v)
		}
		want := sum(t, charges, "Monthly", lastYear(1, 1), lastYear(12, 31), "bend-health", "bend-north", "bend-north-peds", "bend-south")
		if !near(total, want) {
			t.Fatalf("slices add up to %v, want %v", total, want)
		}
	})

	t.Run("BarWithFilters", func(t *testing.T) {
		d := adHoc(t, admin, map[string]any{"type": "BAR", "measures": []string{"charges"}, "frequency": "MONTHLY",
			"dateRange": year, "filters": []map[string]any{
				{"field": "SPECIALTY", "operator": "EQ", "values": []string{"Orthopedics"}},
				{"field": "VALUE", "operator": "GT", "values": []string{"50000"}},
			}})
		for i := range 12 {
			m := monthStart(time.Month(i + 1))
			want := sqlFloat(t, `SELECT sum(mv.value) FROM measure_values mv JOIN providers pr ON pr.id = mv.provider_id
				WHERE mv.measure_id = 1 AND mv.frequency = 'Monthly' AND mv.period_date = $1
				AND pr.specialty = 'Orthopedics' AND mv.value > 50000`, m)
			if got := value(t, d.Datasets[0].Data[i]); !near(got, want) {
				t.Fatalf("filtered %s = %v, want %v", m, got, want)
			}
		}
	})

	t.Run("PreviousPeriodComparison", func(t *testing.T) {
		d := adHoc(t, analyst, map[string]any{"type": "BAR", "measures": []string{"visits"}, "frequency": "DAILY",
			"dateRange": customRange(lastYear(3, 11), lastYear(3, 20)), "comparison": "PREVIOUS_PERIOD"})
		if len(d.Datasets) != 2 || d.Datasets[1].Label != "Visits (previous period)" {
			t.Fatalf("datasets = %+v", d.Datasets)
		}
		for i := range 10 {
			prevDay := lastYear(3, 1+i)
			if got, want := value(t, d.Datasets[1].Data[i]), sum(t, visits, "Daily", prevDay, prevDay, northSlugs...); !near(got, want) {
				t.Fatalf("previous period day %d (%s) = %v, want %v", i, prevDay, got, want)
			}
		}
	})

	t.Run("PresetsResolveToday", func(t *testing.T) {
		today := time.Now().UTC()
		d := adHoc(t, analyst, map[string]any{"type": "LINE", "measures": []string{"visits"}, "frequency": "DAILY",
			"dateRange": map[string]any{"preset": "LAST_30_DAYS"}})
		if len(d.Labels) != 30 || d.Labels[29] != today.Format(time.DateOnly) {
			t.Fatalf("last 30 days: %d labels ending %q", len(d.Labels), d.Labels[len(d.Labels)-1])
		}
		d = adHoc(t, analyst, map[string]any{"type": "LINE", "measures": []string{"visits"}, "frequency": "MONTHLY",
			"dateRange": map[string]any{"preset": "THIS_YEAR"}})
		if len(d.Labels) != int(today.Month()) {
			t.Fatalf("this year has %d monthly labels in %s", len(d.Labels), today.Month())
		}
	})
}

// TestDemoDashboard checks the contract's one dashboard query.
func TestDemoDashboard(t *testing.T) {
	var d struct {
		Dashboard struct {
			Name   string
			Charts []struct {
				ID   string
				Type string
				Data *chartData
			}
		}
	}
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT id FROM dashboards WHERE name = $1`, seed.PracticeOverview).Scan(&id); err != nil {
		t.Fatal(err)
	}
	r := post(t, login(t, seed.AnalystEmail), fmt.Sprintf(`{ dashboard(id: %d) { name charts { id name type data { %s } } } }`, id, chartDataFields), nil)
	r.mustData(t, &d)
	types := map[string]bool{}
	for _, c := range d.Dashboard.Charts {
		if c.Data == nil || len(c.Data.Labels) == 0 || len(c.Data.Datasets) == 0 {
			t.Fatalf("chart %s (%s) has no data", c.ID, c.Type)
		}
		types[c.Type] = true
	}
	if len(d.Dashboard.Charts) != 6 || len(types) != 6 {
		t.Fatalf("%d charts of %d types, want 6 of 6", len(d.Dashboard.Charts), len(types))
	}
	t.Logf("demo dashboard cost: %+v", *r.Extensions.Cost)
}
