package product

import (
	"time"

	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/money"
)

// Product is a row of the products table. The database sets id, version, created_at and
// updated_at (a trigger bumps version and updated_at on every UPDATE).
type Product struct {
	ID           int64             `gorm:"column:id;primaryKey;->"`
	SKU          string            `gorm:"column:sku"`
	Name         string            `gorm:"column:name" i18n:"translatable" minLength:"1" maxLength:"255"`
	Description  *string           `gorm:"column:description" i18n:"translatable"`
	Price        money.Amount      `gorm:"column:price"`
	IsActive     bool              `gorm:"column:is_active"`
	CategoryID   *int64            `gorm:"column:category_id"`
	Attributes   Attributes        `gorm:"column:attributes"`
	Version      int32             `gorm:"column:version;->"`
	CreatedAt    time.Time         `gorm:"column:created_at;->"`
	UpdatedAt    time.Time         `gorm:"column:updated_at;->"`
	Translations i18n.Translations `gorm:"column:translations"`
	// Category is the product's category, read in the same query; nil without one.
	Category *CategoryRef `gorm:"-"`
}

// TableName is the table the model maps to.
func (Product) TableName() string { return "products" }

// CategoryRef is the part of a category embedded in product responses. Its name is
// translatable like the category's own.
type CategoryRef struct {
	ID           int64
	Code         string
	Name         string `gorm:"column:name" i18n:"translatable"`
	Translations i18n.Translations
}

// SortValue returns the value of a sortable field, for list cursors.
func (p Product) SortValue(field string) any {
	switch field {
	case "sku":
		return p.SKU
	case "name":
		return p.Name
	case "price":
		return p.Price.String()
	case "created_at":
		return p.CreatedAt
	case "updated_at":
		return p.UpdatedAt
	default:
		return p.ID
	}
}
