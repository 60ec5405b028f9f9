package audit

import (
	"net/http"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/openapi"
)

// Readers may read audit events: admins all of them, staff their own.
func Readers() []string { return []string{auth.RoleAdmin, auth.RoleStaff} }

// Routes is the module's route table (paths relative to /api/v1).
func (h *Handler) Routes() []httpserver.Route {
	return []httpserver.Route{
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/audit-events", Tag: "audit", Roles: Readers(),
			Summary: "List audit events, newest first",
			Description: "Every create, update and delete of an audited entity, written in the same transaction as the change " +
				"(also changes made outside the service, with a null actor_user_id). Admins see every event; staff see " +
				"the events they caused (filters naming other people's changes return an empty list).",
			Response: listing.Result[Response]{}, Errors: []int{http.StatusBadRequest},
			Query: append(listing.QueryParams(ListSpec()),
				openapi.Param{Name: "entity_type", Description: "product, category, user or backup."},
				openapi.Param{Name: "entity_id", Type: "integer"},
				openapi.Param{Name: "actor_user_id", Type: "integer"},
				openapi.Param{Name: "action", Enum: []string{"create", "update", "delete"}},
				openapi.Param{Name: "since", Description: "RFC 3339 timestamp, inclusive."},
				openapi.Param{Name: "until", Description: "RFC 3339 timestamp, exclusive."}),
		}},
	}
}
