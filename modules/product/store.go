package product

import (
	"database/sql"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/i18n"
)

// The product read: the row and its category in one statement, whatever the page size.
const (
	productColumns  = "p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations"
	categoryColumns = "c.code AS category_code, c.name AS category_name, c.translations AS category_translations"
	joinCategory    = "LEFT JOIN categories c ON c.id = p.category_id"
	selectProducts  = "SELECT " + productColumns + ", " + categoryColumns + " FROM "
)

// query runs a statement that selects productColumns and categoryColumns, in that order, and
// scans its rows by position: products are read on every request, and positional scanning
// costs a fraction of GORM's reflection per row.
func query(q *gorm.DB) ([]Product, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []Product
	// Products of one category share one CategoryRef, so its translations decode once per page.
	categories := map[int64]*CategoryRef{}
	for rows.Next() {
		p, err := scanProduct(rows, categories)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanProduct(rows *sql.Rows, categories map[int64]*CategoryRef) (Product, error) {
	var p Product
	var code, name *string
	var categoryTranslations i18n.Translations
	err := rows.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.Price, &p.IsActive, &p.CategoryID,
		&p.Attributes, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.Translations,
		&code, &name, &categoryTranslations)
	if err != nil || p.CategoryID == nil || code == nil {
		return p, err
	}
	ref, seen := categories[*p.CategoryID]
	if !seen {
		ref = &CategoryRef{ID: *p.CategoryID, Code: *code, Name: *name, Translations: categoryTranslations}
		categories[*p.CategoryID] = ref
	}
	p.Category = ref
	return p, nil
}
