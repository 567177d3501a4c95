// Package scalars holds the GraphQL marshalling of dashgraph's own scalar
// mappings, which gqlgen's generated code in graph/ calls.
package scalars

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dashgraph/dashgraph/apperr"
)

// MarshalInt64ID writes a database id as a GraphQL ID (a string).
func MarshalInt64ID(id int64) graphql.Marshaler {
	return graphql.MarshalString(strconv.FormatInt(id, 10))
}

// UnmarshalInt64ID reads a GraphQL ID into a database id. Ids are positive
// integers, sent as strings or numbers; anything else is BAD_USER_INPUT.
func UnmarshalInt64ID(v any) (int64, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int64:
		s = strconv.FormatInt(v, 10)
	case int:
		s = strconv.Itoa(v)
	default:
		return 0, apperr.Errorf(apperr.BadUserInput, "an id is a positive integer, not %v", v)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Errorf(apperr.BadUserInput, "id %q is not valid: ids are positive integers", s)
	}
	return id, nil
}

// MarshalFloat64 writes a GraphQL Float. gqlgen's own goes through
// fmt.Fprintf, which was a tenth of a warm dashboard query's CPU: a
// dashboard has hundreds of values. Chart values are never NaN or infinite
// (the analytics engine makes them null).
func MarshalFloat64(f float64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		var buf [32]byte
		_, _ = w.Write(strconv.AppendFloat(buf[:0], f, 'g', -1, 64))
	})
}

// UnmarshalFloat64 reads a GraphQL Float.
func UnmarshalFloat64(v any) (float64, error) { return graphql.UnmarshalFloat(v) }
