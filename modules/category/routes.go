package category

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
	const tag = "categories"
	ifMatch := map[string]string{"If-Match": `Optimistic lock: "<version>" or *; a stale version answers 412.`}
	etagHeader := map[string]string{"ETag": `"<version>"`}
	lang := []openapi.Param{i18n.LangParam()}
	routes := []httpserver.Route{
		{Handler: httperr.Handle(h.create), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/categories", Tag: tag, Roles: auth.Writers(), Summary: "Create a category",
			Request: CreateRequest{}, Response: Response{}, Status: http.StatusCreated,
			Headers: map[string]string{"Location": "Path of the new category.", "ETag": `"<version>"`},
			Errors:  []int{http.StatusConflict}, Query: lang,
		}},
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/categories", Tag: tag, Roles: auth.Readers(), Summary: "List categories",
			Response: listing.Result[Response]{}, Errors: []int{http.StatusBadRequest},
			Query: append(listing.QueryParams(ListSpec()),
				openapi.Param{Name: "parent_id", Description: "Children of this category; null lists root categories."},
				openapi.Param{Name: "q", Description: "Case-insensitive substring of code or name (in the requested language too)."},
				i18n.LangParam()),
		}},
		{Handler: httperr.Handle(h.get), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/categories/:id", Tag: tag, Roles: auth.Readers(), Summary: "Read a category",
			Response: Response{}, Headers: etagHeader, Errors: []int{http.StatusNotFound}, Query: lang,
		}},
		{Handler: httperr.Handle(h.update), Operation: openapi.Operation{
			Method: http.MethodPatch, Path: "/categories/:id", Tag: tag, Roles: auth.Writers(), Summary: "Change a category (partial)",
			Description: "Only the fields present change; null clears an optional field; {} changes nothing.",
			Request:     UpdateRequest{}, Response: Response{}, Headers: etagHeader, RequestHeaders: ifMatch, Query: lang,
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed},
		}},
		{Handler: httperr.Handle(h.remove), Operation: openapi.Operation{
			Method: http.MethodDelete, Path: "/categories/:id", Tag: tag, Roles: auth.Writers(), Summary: "Delete a category",
			Description:    "A category still used by products or child categories answers 409 naming the foreign key.",
			RequestHeaders: ifMatch, Status: http.StatusNoContent,
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed},
		}},
	}
	return append(routes, h.tr.Routes(h.svc.db, i18n.Resource{
		Path: "/categories", Table: "categories", Model: Category{}, NotFound: ErrNotFound, Tag: tag, Name: "category",
		ReadRoles: auth.Readers(), WriteRoles: auth.Writers(),
	})...)
}

// Constraints describes the module's constraints for the error middleware.
func (h *Handler) Constraints() []httperr.Constraint { return Constraints() }
