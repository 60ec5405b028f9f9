package product

import (
	"net/http"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/openapi"
)

// Routes is the module's route table (paths relative to /api/v1).
func (h *Handler) Routes() []httpserver.Route {
	const tag = "products"
	ifMatch := map[string]string{"If-Match": `Optimistic lock: "<version>" or *; a stale version answers 412.`}
	etagHeader := map[string]string{"ETag": `"<version>"`}
	lang := []openapi.Param{i18n.LangParam()}
	routes := []httpserver.Route{
		{Handler: httperr.Handle(h.create), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/products", Tag: tag, Roles: auth.Writers(), Summary: "Create a product",
			Description: "translations (other languages of name and description) are saved in the same transaction.",
			Request:     CreateRequest{}, Response: Response{}, Status: http.StatusCreated, Query: lang,
			Headers: map[string]string{"Location": "Path of the new product.", "ETag": `"<version>"`},
			Errors:  []int{http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/products", Tag: tag, Roles: auth.Readers(), Summary: "List products",
			Description: "Attribute filters: attr.<key>=<value> (a key of 1-64 characters A-Z, a-z, 0-9, _ and -) matches " +
				"products whose attributes.<key> equals the value as a string, or as the number or boolean it spells " +
				"(attr.size=42 matches 42 and \"42\"); several keys combine with AND. OpenAPI 3.0 cannot declare parameters " +
				"by prefix, so they are described here.",
			Response: listing.Result[Response]{}, Errors: []int{http.StatusBadRequest},
			Query: append(listing.QueryParams(ListSpec()),
				openapi.Param{Name: "category_id", Type: "integer", Description: "Products of this category."},
				openapi.Param{Name: "is_active", Type: "boolean", Description: "true or false; absent lists all."},
				openapi.Param{Name: "q", Description: "Case-insensitive substring of sku or name (in the requested language too)."},
				openapi.Param{Name: "min_price", Description: "Inclusive lower bound, a money amount."},
				openapi.Param{Name: "max_price", Description: "Inclusive upper bound, a money amount."},
				i18n.LangParam()),
		}},
		{Handler: httperr.Handle(h.get), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/products/:id", Tag: tag, Roles: auth.Readers(), Summary: "Read a product",
			Response: Response{}, Headers: etagHeader, Errors: []int{http.StatusNotFound}, Query: lang,
		}},
		{Handler: httperr.Handle(h.update), Operation: openapi.Operation{
			Method: http.MethodPatch, Path: "/products/:id", Tag: tag, Roles: auth.Writers(), Summary: "Change a product (partial)",
			Description: "Only the fields present change; false, 0 and \"\" are values; null clears an optional field; attributes are replaced whole; {} changes nothing.",
			Request:     UpdateRequest{}, Response: Response{}, Headers: etagHeader, RequestHeaders: ifMatch, Query: lang,
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed},
		}},
		{Handler: httperr.Handle(h.remove), Operation: openapi.Operation{
			Method: http.MethodDelete, Path: "/products/:id", Tag: tag, Roles: auth.Writers(), Summary: "Delete a product",
			RequestHeaders: ifMatch, Status: http.StatusNoContent,
			Errors: []int{http.StatusNotFound, http.StatusPreconditionFailed},
		}},
	}
	return append(routes, h.tr.Routes(h.svc.db, i18n.Resource{
		Path: "/products", Table: "products", Model: Product{}, NotFound: ErrNotFound, Tag: tag, Name: "product",
		ReadRoles: auth.Readers(), WriteRoles: auth.Writers(),
	})...)
}

// Constraints describes the module's constraints for the error middleware.
func (h *Handler) Constraints() []httperr.Constraint { return Constraints() }
