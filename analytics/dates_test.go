package analytics

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPresetsResolve(t *testing.T) {
	today := day("2026-11-26") // a Thursday in the fourth quarter
	tests := []struct {
		preset     DatePreset
		start, end string
	}{
		{PresetToday, "2026-11-26", "2026-11-26"},
		{PresetYesterday, "2026-11-25", "2026-11-25"},
		{PresetLast7Days, "2026-11-20", "2026-11-26"},
		{PresetLast30Days, "2026-10-28", "2026-11-26"},
		{PresetLast90Days, "2026-08-29", "2026-11-26"},
		{PresetThisMonth, "2026-11-01", "2026-11-26"},
		{PresetLastMonth, "2026-10-01", "2026-10-31"},
		{PresetThisQuarter, "2026-10-01", "2026-11-26"},
		{PresetLastQuarter, "2026-07-01", "2026-09-30"},
		{PresetThisYear, "2026-01-01", "2026-11-26"},
		{PresetLastYear, "2025-01-01", "2025-12-31"},
		{PresetLast12Months, "2025-12-01", "2026-11-26"},
	}
	for _, tt := range tests {
		t.Run(string(tt.preset), func(t *testing.T) {
			s, err := DateRange{Preset: tt.preset}.Resolve(today)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Start.Format(time.DateOnly) + ".." + s.End.Format(time.DateOnly); got != tt.start+".."+tt.end {
				t.Fatalf("got %s, want %s..%s", got, tt.start, tt.end)
			}
		})
	}
}

func TestPresetsAtYearAndQuarterBoundaries(t *testing.T) {
	s, _ := DateRange{Preset: PresetLastMonth}.Resolve(day("2026-01-15"))
	if s.Start != day("2025-12-01") || s.End != day("2025-12-31") {
		t.Fatalf("last month of 2026-01-15 = %v..%v", s.Start, s.End)
	}
	s, _ = DateRange{Preset: PresetLastQuarter}.Resolve(day("2026-02-10"))
	if s.Start != day("2025-10-01") || s.End != day("2025-12-31") {
		t.Fatalf("last quarter of 2026-02-10 = %v..%v", s.Start, s.End)
	}
	s, _ = DateRange{Preset: PresetLast12Months}.Resolve(day("2026-03-31"))
	if s.Start != day("2025-04-01") {
		t.Fatalf("last 12 months of 2026-03-31 starts %v", s.Start)
	}
}

func TestTodayUsesTimeZone(t *testing.T) {
	// 03:00 UTC on 26 November is still 25 November in Los Angeles.
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	if got := Today(now, la); got != day("2026-11-25") {
		t.Fatalf("today in LA = %v, want 2026-11-25", got)
	}
	if got := Today(now, time.UTC); got != day("2026-11-26") {
		t.Fatalf("today in UTC = %v, want 2026-11-26", got)
	}
}

func TestComparisonSpans(t *testing.T) {
	s := Span{day("2026-11-01"), day("2026-11-26")}
	prev, _ := comparisonSpan(ComparisonPreviousPeriod, s)
	if prev.Start != day("2026-10-06") || prev.End != day("2026-10-31") {
		t.Fatalf("previous period = %v..%v", prev.Start, prev.End)
	}
	year, _ := comparisonSpan(ComparisonPreviousYear, Span{day("2024-02-29"), day("2024-03-01")})
	if year.Start != day("2023-02-28") || year.End != day("2023-03-01") {
		t.Fatalf("previous year of a leap day = %v..%v", year.Start, year.End)
	}
}

func TestPeriodsStartInsideSpan(t *testing.T) {
	s := Span{day("2026-11-01"), day("2026-11-26")} // 1 Nov 2026 is a Sunday
	weeks := Periods(Weekly, s)
	want := []string{"2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"}
	if len(weeks) != len(want) {
		t.Fatalf("weeks = %v", weeks)
	}
	for i, w := range weeks {
		if w.Format(time.DateOnly) != want[i] {
			t.Fatalf("week %d = %v, want %s", i, w, want[i])
		}
	}
	if q := Periods(Quarterly, Span{day("2026-01-01"), day("2026-11-26")}); len(q) != 4 {
		t.Fatalf("quarters of 2026 so far = %d, want 4", len(q))
	}
	if d := Periods(Daily, s); len(d) != 26 {
		t.Fatalf("days = %d, want 26", len(d))
	}
	if got := periodLabel(Quarterly, day("2026-10-01")); got != "2026 Q4" {
		t.Fatalf("quarter label = %q", got)
	}
}

func TestTTLByFreshness(t *testing.T) {
	today := day("2026-11-26")
	tests := []struct {
		end  string
		want time.Duration
	}{
		{"2026-11-26", time.Minute},
		{"2027-01-01", time.Minute},
		{"2026-11-25", 5 * time.Minute},
		{"2026-11-20", 5 * time.Minute},
		{"2026-11-19", time.Hour},
		{"2025-12-31", time.Hour},
	}
	for _, tt := range tests {
		p := &Plan{Span: Span{day("2025-01-01"), day(tt.end)}, Today: today}
		if got := p.TTL(); got != tt.want {
			t.Errorf("range ending %s: TTL %v, want %v", tt.end, got, tt.want)
		}
	}
}
