package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Query is a parameterized SQL statement. Every value a caller supplies is
// an argument; the SQL text is assembled only from fixed fragments chosen by
// whitelisted enum values.
type Query struct {
	SQL  string
	Args []any
}

// Row is one bucket of a chart query: the provider-level rows of one measure,
// one group and one period (or the whole range, for categorical charts),
// summarized so that every aggregation can be computed from it.
type Row struct {
	MeasureID  int16
	GroupKey   int64
	GroupLabel string
	// Period is the period start; nil for categorical charts.
	Period  *time.Time
	Current bool
	Sum     float64
	Count   int64
	Min     float64
	Max     float64
}

// Query builds the plan's SQL. It returns rows in the shape of Row, in this
// column order: measure_id, group_key, group_label, period, current, sum,
// count, min, max. A comparison reads its range in a second SELECT joined
// with UNION ALL: with the two ranges in one OR, Postgres cannot use them
// to bound the index scan.
func (p *Plan) Query() Query {
	var q queryBuilder
	cfg := p.Config

	groupKey, groupLabel := "0::bigint", "''"
	joinPractices := false
	joinProviders := false
	switch cfg.GroupBy {
	case GroupByPractice:
		groupKey, groupLabel, joinPractices = "mv.practice_id", "p.name", true
	case GroupByProvider:
		groupKey, groupLabel, joinProviders = "mv.provider_id", "pr.name", true
	}
	period := "NULL::date"
	if p.timeSeries() {
		period = "mv.period_date"
	}

	where := []string{
		"mv.measure_id = ANY(" + q.arg(p.measureIDs()) + "::smallint[])",
		"mv.frequency = " + q.arg(cfg.Frequency.SQLValue()) + "::frequency",
	}
	if !p.Scope.All {
		where = append(where, "mv.practice_id = ANY("+q.arg(p.Scope.Practices)+"::bigint[])")
	}
	for _, f := range cfg.Filters {
		// Filters were checked when the config was normalized.
		cf, _ := f.compile()
		var cond string
		switch cf.field {
		case FilterPractice:
			cond = "mv.practice_id = ANY(" + q.arg(cf.ids) + "::bigint[])"
		case FilterProvider:
			cond = "mv.provider_id = ANY(" + q.arg(cf.ids) + "::bigint[])"
		case FilterOrganization:
			cond, joinPractices = "p.organization_id = ANY("+q.arg(cf.ids)+"::bigint[])", true
		case FilterSpecialty:
			cond, joinProviders = "pr.specialty = ANY("+q.arg(cf.texts)+"::text[])", true
		case FilterValue:
			cond = "mv.value " + valueOperators[cf.op] + " " + q.arg(cf.number) + "::float8"
		}
		if cf.negate {
			cond = "NOT (" + cond + ")"
		}
		where = append(where, cond)
	}

	var from strings.Builder
	from.WriteString("FROM measure_values mv\n")
	if joinPractices {
		from.WriteString("JOIN practices p ON p.id = mv.practice_id\n")
	}
	if joinProviders {
		from.WriteString("JOIN providers pr ON pr.id = mv.provider_id\n")
	}
	common := strings.Join(where, "\n  AND ")
	selectRange := func(s Span, current bool) string {
		return fmt.Sprintf("SELECT mv.measure_id, %s, %s, %s, %t,\n"+
			"  sum(mv.value), count(*), min(mv.value), max(mv.value)\n%s"+
			"WHERE %s\n  AND mv.period_date BETWEEN %s AND %s\nGROUP BY 1, 2, 3, 4",
			groupKey, groupLabel, period, current, from.String(), common, q.arg(s.Start), q.arg(s.End))
	}
	sql := selectRange(p.Span, true)
	if p.HasCmp {
		sql += "\nUNION ALL\n" + selectRange(p.Comparison, false)
	}
	return Query{SQL: sql, Args: q.args}
}

var valueOperators = map[FilterOperator]string{
	OpEq: "=", OpNeq: "<>", OpGt: ">", OpGte: ">=", OpLt: "<", OpLte: "<=",
}

type queryBuilder struct{ args []any }

// arg adds a query argument and returns its placeholder.
func (q *queryBuilder) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}
