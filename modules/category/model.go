package category

import (
	"time"

	"github.com/erp-foundation/erp/platform/i18n"
)

// Category is a row of the categories table. The database sets id, version, created_at and
// updated_at (a trigger bumps version and updated_at on every UPDATE), so GORM only reads them.
// Name and description are translatable: other languages live in Translations.
type Category struct {
	ID          int64     `gorm:"primaryKey;->"`
	Code        string    `gorm:"column:code"`
	Name        string    `gorm:"column:name" i18n:"translatable" minLength:"1" maxLength:"255"`
	Description *string   `gorm:"column:description" i18n:"translatable"`
	ParentID    *int64    `gorm:"column:parent_id"`
	Version     int32     `gorm:"column:version;->"`
	CreatedAt   time.Time `gorm:"column:created_at;->"`
	UpdatedAt   time.Time `gorm:"column:updated_at;->"`

	Translations i18n.Translations `gorm:"column:translations;type:jsonb"`
}

// TableName is the table the model maps to.
func (Category) TableName() string { return "categories" }

// SortValue returns the value of a sortable field, for list cursors.
func (c Category) SortValue(field string) any {
	switch field {
	case "code":
		return c.Code
	case "name":
		return c.Name
	case "created_at":
		return c.CreatedAt
	case "updated_at":
		return c.UpdatedAt
	default:
		return c.ID
	}
}
