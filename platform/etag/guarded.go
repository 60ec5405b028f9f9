package etag

import (
	"context"

	"github.com/erp-foundation/erp/platform/database"
)

// Explain says why an UPDATE or DELETE guarded by id (and If-Match) touched no row of table:
// the row does not exist (notFound) or its version has moved on (412). table is a trusted
// identifier from code.
func Explain(ctx context.Context, db *database.DB, table string, id int64, notFound error) error {
	var exists bool
	if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" WHERE id = $1)", []any{id}, &exists); err != nil {
		return err
	}
	if exists {
		return Stale()
	}
	return notFound
}

// Delete deletes the row of table with id in one statement that also checks cond; when no row
// was deleted it says why (notFound, or 412).
func Delete(ctx context.Context, db *database.DB, table string, id int64, cond *Match, notFound error) error {
	args := []any{id}
	q := "DELETE FROM " + table + " WHERE id = $1"
	if where := cond.Condition(func(v any) string { args = append(args, v); return "$2" }); where != "" {
		q += " AND " + where
	}
	n, err := db.Change(ctx, q, args, nil)
	if err != nil {
		return err
	}
	if n == 0 {
		return Explain(ctx, db, table, id, notFound)
	}
	return nil
}
