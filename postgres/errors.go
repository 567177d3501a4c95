package postgres

import (
	"errors"
	"slices"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dashgraph/dashgraph/apperr"
)

// missing is the error of a write whose input names an id that does not
// exist: bad input, not a missing page.
func missing(what string, id int64) error {
	return apperr.Errorf(apperr.BadUserInput, "%s %d does not exist", what, id)
}

// constraintMessages say, for the constraints a write can violate through
// its input, what was wrong.
var constraintMessages = map[string]string{
	"users_email_key":                           "that email is already in use",
	"organizations_slug_key":                    "that slug is already in use",
	"roles_name_key":                            "a role of that name already exists there",
	"user_roles_assignment_key":                 "the user already has that role there",
	"user_organizations_pkey":                   "the user already belongs to that organization",
	"role_permissions_pkey":                     "the role already has that permission",
	"dashboard_charts_pkey":                     "a chart is listed twice",
	"organizations_parent_organization_id_fkey": "the parent organization does not exist",
}

// inputError turns a constraint violation caused by the input into
// BAD_USER_INPUT, and leaves anything else alone.
func inputError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if msg, ok := constraintMessages[pgErr.ConstraintName]; ok {
			return apperr.New(apperr.BadUserInput, msg)
		}
	}
	return err
}

// uniq sorts and deduplicates.
func uniq[T string | int64](s []T) []T {
	slices.Sort(s)
	return slices.Compact(s)
}

func badInputf(format string, args ...any) error {
	return apperr.Errorf(apperr.BadUserInput, format, args...)
}
