package product

import (
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
)

// ErrNotFound means no product has the requested id.
var ErrNotFound = fault.New(fault.NotFound, "Product not found.")

// Constraints describes this module's named constraints for error responses.
func Constraints() []httperr.Constraint {
	return []httperr.Constraint{
		{Name: "uq_products_sku", Field: "sku", Message: "SKU already exists."},
		{Name: "fk_products_category_id", Field: "category_id", Message: "Category does not exist.",
			InUseMessage: "Category is still used by products."},
		{Name: "ck_products_price", Field: "price", Message: "must be greater than or equal to 0"},
		{Name: "ck_products_sku", Field: "sku", Message: "must be 1-100 characters long"},
		{Name: "ck_products_name", Field: "name", Message: "must be 1-255 characters long"},
		{Name: "ck_products_attributes", Field: "attributes", Message: "must be an object"},
	}
}
