package analytics

import (
	"fmt"
	"time"
)

// DatePreset is a date range relative to today, in the server's time zone.
type DatePreset string

// Date presets.
const (
	PresetToday        DatePreset = "TODAY"
	PresetYesterday    DatePreset = "YESTERDAY"
	PresetLast7Days    DatePreset = "LAST_7_DAYS"
	PresetLast30Days   DatePreset = "LAST_30_DAYS"
	PresetLast90Days   DatePreset = "LAST_90_DAYS"
	PresetThisMonth    DatePreset = "THIS_MONTH"
	PresetLastMonth    DatePreset = "LAST_MONTH"
	PresetThisQuarter  DatePreset = "THIS_QUARTER"
	PresetLastQuarter  DatePreset = "LAST_QUARTER"
	PresetThisYear     DatePreset = "THIS_YEAR"
	PresetLastYear     DatePreset = "LAST_YEAR"
	PresetLast12Months DatePreset = "LAST_12_MONTHS"
	// PresetCustom means the range's Start and End dates.
	PresetCustom DatePreset = "CUSTOM"
)

// DateRange is a preset or a custom pair of dates, both inclusive.
type DateRange struct {
	Preset DatePreset `json:"preset"`
	Start  *string    `json:"start,omitempty"`
	End    *string    `json:"end,omitempty"`
}

func (r DateRange) validate() error {
	if r.Preset == PresetCustom || r.Preset == "" {
		if r.Start == nil || r.End == nil {
			return badInput("a custom date range needs start and end dates")
		}
		start, err := parseDate("start date", *r.Start)
		if err != nil {
			return err
		}
		end, err := parseDate("end date", *r.End)
		if err != nil {
			return err
		}
		if end.Before(start) {
			return badInput("the date range ends (%s) before it starts (%s)", *r.End, *r.Start)
		}
		if days(start, end) > maxRangeDays {
			return badInput("a date range spans at most %d days", maxRangeDays)
		}
		return nil
	}
	if _, err := r.Preset.resolve(time.Now()); err != nil {
		return err
	}
	if r.Start != nil || r.End != nil {
		return badInput("dates are only allowed with the custom preset")
	}
	return nil
}

// Span is a resolved range of calendar dates, both ends inclusive. Dates are
// civil dates held as midnight UTC, whatever the configured time zone.
type Span struct {
	Start time.Time
	End   time.Time
}

// Resolve turns the range into concrete dates, today being the given civil date.
func (r DateRange) Resolve(today time.Time) (Span, error) {
	if r.Preset == PresetCustom || r.Preset == "" {
		if r.Start == nil || r.End == nil {
			return Span{}, badInput("a custom date range needs start and end dates")
		}
		start, err := parseDate("start date", *r.Start)
		if err != nil {
			return Span{}, err
		}
		end, err := parseDate("end date", *r.End)
		if err != nil {
			return Span{}, err
		}
		return Span{start, end}, nil
	}
	return r.Preset.resolve(today)
}

func (p DatePreset) resolve(today time.Time) (Span, error) {
	y, m, d := today.Date()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	today = date(y, m, d)
	quarterStart := date(y, m-(m-1)%3, 1)
	switch p {
	case PresetToday:
		return Span{today, today}, nil
	case PresetYesterday:
		yd := today.AddDate(0, 0, -1)
		return Span{yd, yd}, nil
	case PresetLast7Days:
		return Span{today.AddDate(0, 0, -6), today}, nil
	case PresetLast30Days:
		return Span{today.AddDate(0, 0, -29), today}, nil
	case PresetLast90Days:
		return Span{today.AddDate(0, 0, -89), today}, nil
	case PresetThisMonth:
		return Span{date(y, m, 1), today}, nil
	case PresetLastMonth:
		first := date(y, m, 1)
		return Span{first.AddDate(0, -1, 0), first.AddDate(0, 0, -1)}, nil
	case PresetThisQuarter:
		return Span{quarterStart, today}, nil
	case PresetLastQuarter:
		return Span{quarterStart.AddDate(0, -3, 0), quarterStart.AddDate(0, 0, -1)}, nil
	case PresetThisYear:
		return Span{date(y, 1, 1), today}, nil
	case PresetLastYear:
		return Span{date(y-1, 1, 1), date(y-1, 12, 31)}, nil
	case PresetLast12Months:
		// Twelve calendar months, the current one included.
		return Span{date(y, m-11, 1), today}, nil
	}
	return Span{}, badInput("date preset %q is not known", p)
}

// Days is the number of days in the span.
func (s Span) Days() int { return days(s.Start, s.End) }

func days(start, end time.Time) int { return int(end.Sub(start).Hours()/24) + 1 }

// comparisonSpan returns the span a comparison reads.
func comparisonSpan(c Comparison, s Span) (Span, bool) {
	switch c {
	case ComparisonPreviousPeriod:
		n := s.Days()
		return Span{s.Start.AddDate(0, 0, -n), s.Start.AddDate(0, 0, -1)}, true
	case ComparisonPreviousYear:
		return Span{minusYear(s.Start), minusYear(s.End)}, true
	}
	return Span{}, false
}

// minusYear is the same date a year earlier; 29 February becomes 28 February.
func minusYear(t time.Time) time.Time {
	y, m, d := t.Date()
	if m == time.February && d == 29 {
		d = 28
	}
	return time.Date(y-1, m, d, 0, 0, 0, 0, time.UTC)
}

// PeriodStart is the first day of the period of the given frequency that
// contains t.
func PeriodStart(f Frequency, t time.Time) time.Time {
	y, m, d := t.Date()
	switch f {
	case Weekly:
		offset := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return time.Date(y, m, d-offset, 0, 0, 0, 0, time.UTC)
	case Monthly:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case Quarterly:
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func nextPeriod(f Frequency, t time.Time) time.Time {
	switch f {
	case Weekly:
		return t.AddDate(0, 0, 7)
	case Monthly:
		return t.AddDate(0, 1, 0)
	case Quarterly:
		return t.AddDate(0, 3, 0)
	}
	return t.AddDate(0, 0, 1)
}

// Periods lists the starts of the periods that begin inside the span: a
// chart reads the pre-aggregated rows of exactly those periods.
func Periods(f Frequency, s Span) []time.Time {
	p := PeriodStart(f, s.Start)
	if p.Before(s.Start) {
		p = nextPeriod(f, p)
	}
	var out []time.Time
	for ; !p.After(s.End); p = nextPeriod(f, p) {
		out = append(out, p)
	}
	return out
}

// periodLabel is how a period is named on a chart's axis.
func periodLabel(f Frequency, t time.Time) string {
	switch f {
	case Monthly:
		return t.Format("2006-01")
	case Quarterly:
		return fmt.Sprintf("%d Q%d", t.Year(), (int(t.Month())-1)/3+1)
	}
	return t.Format(time.DateOnly)
}

// Today is the civil date of now in loc, as midnight UTC.
func Today(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
