package product

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/tx"
)

// The product read: the row and its category in one statement, whatever the page size.
const (
	productColumns  = "p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations"
	categoryColumns = "c.code AS category_code, c.name AS category_name, c.translations AS category_translations"
	joinCategory    = "LEFT JOIN categories c ON c.id = p.category_id"
	selectProducts  = "SELECT " + productColumns + ", " + categoryColumns + " FROM "
)

// query runs a statement built by GORM (lists: dynamic filters) that selects productColumns
// and categoryColumns, in that order.
func query(q *gorm.DB) ([]Product, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// queryRaw runs fixed SQL with $n placeholders straight on the connection (see tx.Pool):
// reads and writes of one product happen on every request, and skipping GORM's statement
// building and reflection there roughly halves their allocations.
func queryRaw(ctx context.Context, db *gorm.DB, sql string, args ...any) ([]Product, error) {
	rows, err := tx.Pool(ctx, db).QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return scan(rows)
}

// scan reads rows of productColumns and categoryColumns by position.
func scan(rows *sql.Rows) ([]Product, error) {
	defer func() { _ = rows.Close() }()
	out := make([]Product, 0, 1)
	// Products of one category share one CategoryRef, so its translations decode once per page.
	var categories map[int64]*CategoryRef
	for rows.Next() {
		p, err := scanProduct(rows, &categories)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanProduct(rows *sql.Rows, categories *map[int64]*CategoryRef) (Product, error) {
	var p Product
	var code, name *string
	var categoryTranslations i18n.Translations
	err := rows.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.Price, &p.IsActive, &p.CategoryID,
		&p.Attributes, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.Translations,
		&code, &name, &categoryTranslations)
	if err != nil || p.CategoryID == nil || code == nil {
		return p, err
	}
	ref, seen := (*categories)[*p.CategoryID]
	if !seen {
		ref = &CategoryRef{ID: *p.CategoryID, Code: *code, Name: *name, Translations: categoryTranslations}
		if *categories == nil {
			*categories = map[int64]*CategoryRef{}
		}
		(*categories)[*p.CategoryID] = ref
	}
	p.Category = ref
	return p, nil
}
