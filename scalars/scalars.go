// Package scalars holds the GraphQL marshalling of dashgraph's own scalar
// mappings, which gqlgen's generated code in graph/ calls.
package scalars

import (
	"encoding/json"
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
