package seed

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dashgraph/dashgraph/analytics"
)

// provider is a seeded provider and what its generated measures depend on.
type provider struct {
	id, practiceID int64
	ordinal        int // position in seeding order: the seed of its numbers
	dailyVisits    float64
	chargePerVisit float64
}

func newProvider(ordinal int, practiceID int64) provider {
	return provider{
		practiceID:     practiceID,
		ordinal:        ordinal,
		dailyVisits:    10 + 15*unit(uint64(ordinal), 0, 100),
		chargePerVisit: 120 + 140*unit(uint64(ordinal), 0, 101),
	}
}

// unit is a deterministic number in [0, 1) drawn from three integers
// (splitmix64 of their mix).
func unit(a, b, c uint64) float64 {
	x := a*0x9E3779B97F4A7C15 ^ b*0xBF58476D1CE4E5B9 ^ c*0x94D049BB133111EB
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

func round(v float64, decimals int) float64 {
	s := math.Pow10(decimals)
	return math.Round(v*s) / s
}

// daily computes a provider's measures for one day, in the order of
// analytics.Measures: weekday pattern, yearly season, growth and noise.
func (p provider) daily(day time.Time, dayNum int, start time.Time) [10]float64 {
	var v [10]float64
	weekday := [7]float64{0, 1, 1, 1, 1, 1, 0.35}[day.Weekday()]
	if weekday == 0 {
		return v
	}
	season := 1 + 0.12*math.Sin(2*math.Pi*float64(day.YearDay())/365.25)
	growth := 1 + 0.06*day.Sub(start).Hours()/(24*365.25)
	noise := func(m uint64) float64 { return 0.75 + 0.5*unit(uint64(p.ordinal), uint64(dayNum), m) }

	visits := math.Round(p.dailyVisits * weekday * season * growth * noise(0))
	charges := round(visits*p.chargePerVisit*noise(1), 2)
	v[0] = charges
	v[1] = round(charges*0.82*noise(2), 2)      // payments
	v[2] = round(charges*0.12*noise(3), 2)      // adjustments
	v[3] = round(charges*0.01*noise(4), 2)      // refunds
	v[4] = visits                               // visits
	v[5] = math.Round(visits * 0.15 * noise(5)) // new patients
	v[6] = math.Round(visits * 0.08 * noise(6)) // cancellations
	v[7] = math.Round(visits * 0.05 * noise(7)) // no-shows
	v[8] = math.Round(visits * 1.4 * noise(8))  // procedures
	v[9] = math.Round(visits * 0.1 * noise(9))  // referrals
	return v
}

// measureRows streams every measure row of every provider to COPY: daily
// rows, and weekly, monthly and quarterly rows that are their sums.
type measureRows struct {
	providers  []provider
	start, end time.Time
	next       int // next provider to generate
	buf        [][]any
	pos        int
}

var coarser = []analytics.Frequency{analytics.Weekly, analytics.Monthly, analytics.Quarterly}

func (m *measureRows) Next() bool {
	m.pos++
	for m.pos >= len(m.buf) {
		if m.next >= len(m.providers) {
			return false
		}
		m.fill(m.providers[m.next])
		m.next++
		m.pos = 0
	}
	return true
}

func (m *measureRows) Values() ([]any, error) { return m.buf[m.pos], nil }

func (m *measureRows) Err() error { return nil }

// fill generates one provider's rows.
func (m *measureRows) fill(p provider) {
	m.buf = m.buf[:0]
	emit := func(f analytics.Frequency, period time.Time, values [10]float64) {
		// The week holding the first day started earlier: it has no whole row.
		if period.Before(m.start) {
			return
		}
		for i, ms := range analytics.Measures {
			m.buf = append(m.buf, []any{ms.ID, f.SQLValue(), period, p.practiceID, p.id, round(values[i], 2)})
		}
	}
	type acc struct {
		period time.Time
		values [10]float64
	}
	accs := make([]acc, len(coarser))
	for i, f := range coarser {
		accs[i].period = analytics.PeriodStart(f, m.start)
	}
	dayNum := 0
	for day := m.start; !day.After(m.end); day = day.AddDate(0, 0, 1) {
		v := p.daily(day, dayNum, m.start)
		emit(analytics.Daily, day, v)
		for i, f := range coarser {
			if ps := analytics.PeriodStart(f, day); !ps.Equal(accs[i].period) {
				emit(f, accs[i].period, accs[i].values)
				accs[i] = acc{period: ps}
			}
			for j := range v {
				accs[i].values[j] += v[j]
			}
		}
		dayNum++
	}
	for i, f := range coarser {
		emit(f, accs[i].period, accs[i].values)
	}
}

func (w *writer) measureValues(ctx context.Context) error {
	// COPY writes binary; the frequency enum must be known to the connection.
	conn := w.tx.Conn()
	t, err := conn.LoadType(ctx, "frequency")
	if err != nil {
		return fmt.Errorf("load frequency type: %w", err)
	}
	conn.TypeMap().RegisterType(t)

	today := w.opts.Today
	src := &measureRows{
		providers: w.providers,
		start:     time.Date(today.Year()-w.opts.Years, 1, 1, 0, 0, 0, 0, time.UTC),
		end:       today,
		pos:       -1,
	}
	n, err := w.tx.CopyFrom(ctx, pgx.Identifier{"measure_values"},
		[]string{"measure_id", "frequency", "period_date", "practice_id", "provider_id", "value"}, src)
	if err != nil {
		return fmt.Errorf("copy measure values: %w", err)
	}
	w.sum.MeasureRows = n
	return nil
}
