package database

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// ReferenceError is a foreign-key violation (SQLSTATE 23503) classified by the statement that
// raised it, so that no call site has to: StillReferenced means the statement removed (or
// re-keyed) a row that other rows still reference (a DELETE, or an UPDATE of a referenced
// table); otherwise the statement pointed a row at one that does not exist (an INSERT, or an
// UPDATE that sets a reference). PostgreSQL names the constraint either way.
type ReferenceError struct {
	StillReferenced bool
	Err             *pgconn.PgError
}

// Error implements error.
func (e *ReferenceError) Error() string { return e.Err.Error() }

// Unwrap returns the PostgreSQL error.
func (e *ReferenceError) Unwrap() error { return e.Err }

// classifyReference wraps a foreign-key violation raised by statement sql in a ReferenceError;
// other errors are returned unchanged.
func classifyReference(sql string, err error) error {
	var pgErr *pgconn.PgError
	if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "23503" {
		return err
	}
	var already *ReferenceError
	if errors.As(err, &already) {
		return err
	}
	verb, table := statementKind(sql)
	still := verb == "delete" || verb == "update" && !strings.EqualFold(table, pgErr.TableName)
	return &ReferenceError{StillReferenced: still, Err: pgErr}
}

// statementKind returns the verb of the data-changing statement in sql (insert, update, delete
// or select) and, for an UPDATE, the table it updates. A statement that starts with a WITH is
// judged by its first common table expression (the service's write-and-return statements:
// WITH p AS (UPDATE ...) SELECT ...).
func statementKind(sql string) (verb, table string) {
	words := strings.Fields(strings.ToLower(sql))
	if len(words) > 0 && words[0] == "with" {
		if i := strings.Index(strings.ToLower(sql), "("); i >= 0 {
			words = strings.Fields(strings.ToLower(sql[i+1:]))
		}
	}
	if len(words) == 0 {
		return "", ""
	}
	verb = words[0]
	if verb == "update" && len(words) > 1 {
		table = words[1]
		if table == "only" && len(words) > 2 {
			table = words[2]
		}
		if dot := strings.LastIndexByte(table, '.'); dot >= 0 {
			table = table[dot+1:]
		}
		table = strings.Trim(table, `"`)
	}
	return verb, table
}

// registerReferenceClassifier classifies the foreign-key violations of GORM statements.
func registerReferenceClassifier(g *gorm.DB) error {
	classify := func(db *gorm.DB) {
		if db.Error != nil {
			db.Error = classifyReference(db.Statement.SQL.String(), db.Error)
		}
	}
	cb := g.Callback()
	return errors.Join(
		cb.Create().After("gorm:create").Register("erp:classify_reference", classify),
		cb.Update().After("gorm:update").Register("erp:classify_reference", classify),
		cb.Delete().After("gorm:delete").Register("erp:classify_reference", classify),
		cb.Raw().After("gorm:raw").Register("erp:classify_reference", classify),
		cb.Query().After("gorm:query").Register("erp:classify_reference", classify),
	)
}
