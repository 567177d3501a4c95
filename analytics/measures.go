package analytics

// Unit says how a measure's values read.
type Unit string

// Units of measures.
const (
	UnitCurrency Unit = "CURRENCY"
	UnitCount    Unit = "COUNT"
)

// Measure is one pre-aggregated measure a chart can plot.
type Measure struct {
	ID    int16  `json:"id"`
	Key   string `json:"key"`
	Label string `json:"label"`
	Unit  Unit   `json:"unit"`
}

// Measures is the catalogue of measures, the whitelist chart configurations
// are checked against. Ids are stable: they are stored in measure_values.
// Every measure is additive over providers and periods, so coarser periods
// and groups are sums of finer ones.
var Measures = []Measure{
	{ID: 1, Key: "charges", Label: "Charges", Unit: UnitCurrency},
	{ID: 2, Key: "payments", Label: "Payments", Unit: UnitCurrency},
	{ID: 3, Key: "adjustments", Label: "Adjustments", Unit: UnitCurrency},
	{ID: 4, Key: "refunds", Label: "Refunds", Unit: UnitCurrency},
	{ID: 5, Key: "visits", Label: "Visits", Unit: UnitCount},
	{ID: 6, Key: "new_patients", Label: "New patients", Unit: UnitCount},
	{ID: 7, Key: "cancellations", Label: "Cancellations", Unit: UnitCount},
	{ID: 8, Key: "no_shows", Label: "No-shows", Unit: UnitCount},
	{ID: 9, Key: "procedures", Label: "Procedures", Unit: UnitCount},
	{ID: 10, Key: "referrals", Label: "Referrals", Unit: UnitCount},
}

var measuresByKey = func() map[string]Measure {
	m := make(map[string]Measure, len(Measures))
	for _, ms := range Measures {
		m[ms.Key] = ms
	}
	return m
}()

// LookupMeasure returns the measure with the given key.
func LookupMeasure(key string) (Measure, bool) {
	m, ok := measuresByKey[key]
	return m, ok
}
