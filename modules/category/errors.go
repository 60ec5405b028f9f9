package category

import (
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
)

// ErrNotFound means no category has the requested id.
var ErrNotFound = fault.New(fault.NotFound, "Category not found.")

// errCycle means a parent_id change would make a category its own ancestor.
func errCycle() error {
	return fault.Validation(fault.Field("parent_id", "would make the category its own ancestor"))
}

// Constraints describes this module's named constraints for error responses.
func Constraints() []httperr.Constraint {
	return []httperr.Constraint{
		{Name: "uq_categories_code", Field: "code", Message: "Category code already exists."},
		{Name: "fk_categories_parent_id", Field: "parent_id", Message: "Parent category does not exist.",
			InUseMessage: "Category still has child categories."},
		{Name: "ck_categories_code", Field: "code", Message: "must be 1-64 characters of A-Z, a-z, 0-9, _ and -"},
		{Name: "ck_categories_name", Field: "name", Message: "must be 1-255 characters long"},
		{Name: "ck_categories_parent_not_self", Field: "parent_id", Message: "would make the category its own ancestor"},
	}
}
