package database

import (
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestForeignKeyViolationsAreClassifiedByStatement(t *testing.T) {
	fk := func(table string) *pgconn.PgError {
		return &pgconn.PgError{Code: "23503", ConstraintName: "fk_products_category_id", TableName: table}
	}
	for _, tc := range []struct {
		sql   string
		table string
		still bool
	}{
		{"DELETE FROM categories WHERE id = $1", "products", true},
		{"delete from categories where id = $1", "categories", true}, // a parent of child categories
		{"INSERT INTO products (sku) VALUES ($1)", "products", false},
		{"WITH p AS (\n INSERT INTO products (sku) VALUES ($1) RETURNING *) SELECT * FROM p", "products", false},
		{"WITH p AS (UPDATE products SET category_id = $1 WHERE id = $2 RETURNING *) SELECT 1", "products", false},
		{"UPDATE categories SET id = $1 WHERE id = $2", "products", true},
		{`UPDATE ONLY public."categories" SET parent_id = 9`, "categories", false},
	} {
		var ref *ReferenceError
		err := classifyReference(tc.sql, fk(tc.table))
		if assert.ErrorAs(t, err, &ref, tc.sql) {
			assert.Equal(t, tc.still, ref.StillReferenced, tc.sql)
		}
	}
	other := &pgconn.PgError{Code: "23505"}
	assert.Same(t, error(other), classifyReference("DELETE FROM x", other), "other errors pass through")
	assert.NoError(t, classifyReference("DELETE FROM x", nil))
}
