package product

import (
	"github.com/erp-foundation/erp/platform/i18n"
)

// The product read: the row and its category in one statement, whatever the page size.
const (
	productColumns  = "p.id, p.sku, p.name, p.description, p.price, p.is_active, p.category_id, p.attributes, p.version, p.created_at, p.updated_at, p.translations"
	categoryColumns = "c.code AS category_code, c.name AS category_name, c.translations AS category_translations"
	joinCategory    = "LEFT JOIN categories c ON c.id = p.category_id"
	selectProducts  = "SELECT " + productColumns + ", " + categoryColumns + " FROM "
)

// row is a product with its category's columns, as the joined query returns it.
type row struct {
	Product              `gorm:"embedded"`
	CategoryCode         *string           `gorm:"column:category_code"`
	CategoryName         *string           `gorm:"column:category_name"`
	CategoryTranslations i18n.Translations `gorm:"column:category_translations"`
}

func (r row) product() Product {
	p := r.Product
	if p.CategoryID != nil && r.CategoryCode != nil {
		p.Category = &CategoryRef{ID: *p.CategoryID, Code: *r.CategoryCode, Name: *r.CategoryName,
			Translations: r.CategoryTranslations}
	}
	return p
}

func products(rows []row) []Product {
	out := make([]Product, len(rows))
	for i, r := range rows {
		out[i] = r.product()
	}
	return out
}
