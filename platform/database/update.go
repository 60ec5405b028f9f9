package database

import (
	"strconv"
	"strings"
)

// Update builds the UPDATE of one row by id from the fields a PATCH carries: only the columns
// that are set change, and extra conditions (an If-Match version) are checked in the same
// statement, so of two racing updates with the same precondition exactly one succeeds. Every
// module's PATCH goes through it.
type Update struct {
	table string
	sets  []string
	where []string
	args  []any
}

// NewUpdate starts an UPDATE of table (a trusted identifier from code).
func NewUpdate(table string) *Update { return &Update{table: table} }

// Arg adds a parameter and returns its placeholder ($n).
func (u *Update) Arg(value any) string {
	u.args = append(u.args, value)
	return "$" + strconv.Itoa(len(u.args))
}

// Set assigns value to column.
func (u *Update) Set(column string, value any) { u.sets = append(u.sets, column+" = "+u.Arg(value)) }

// SetIf assigns value to column when present (a PATCH field given in the body).
func (u *Update) SetIf(present bool, column string, value any) {
	if present {
		u.Set(column, value)
	}
}

// SetSQL adds an assignment written in SQL, with placeholders taken from Arg.
func (u *Update) SetSQL(assignment string) { u.sets = append(u.sets, assignment) }

// Where adds a condition (placeholders from Arg); an empty one is ignored.
func (u *Update) Where(condition string) {
	if condition != "" {
		u.where = append(u.where, condition)
	}
}

// Empty reports whether nothing is assigned (PATCH {} changes nothing).
func (u *Update) Empty() bool { return len(u.sets) == 0 }

// SQL returns the statement for the row with id, ending with RETURNING returning (empty for
// none), and its arguments.
func (u *Update) SQL(id int64, returning string) (string, []any) {
	where := append([]string{"id = " + u.Arg(id)}, u.where...)
	q := "UPDATE " + u.table + " SET " + strings.Join(u.sets, ", ") + " WHERE " + strings.Join(where, " AND ")
	if returning != "" {
		q += " RETURNING " + returning
	}
	return q, u.args
}
