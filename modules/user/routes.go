package user

import (
	"net/http"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/httpserver"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/openapi"
)

// Routes is the module's route table (paths relative to /api/v1).
func (h *Handler) Routes() []httpserver.Route {
	const tag = "users"
	ifMatch := map[string]string{"If-Match": `Optimistic lock: "<version>" or *.`}
	etagHeader := map[string]string{"ETag": `"<version>"`}
	return []httpserver.Route{
		{Handler: httperr.Handle(h.login), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/auth/token", Tag: "auth", Public: true,
			Summary:     "Exchange an email and password for a bearer token",
			Description: "An unknown email, a wrong password and a deactivated account get the same 401. More than the configured number of failures a minute for one email or client address answer 429 with Retry-After.",
			Request:     LoginRequest{}, Response: TokenResponse{},
			Errors: []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable},
		}},
		{Handler: httperr.Handle(h.me), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/users/me", Tag: tag, Roles: auth.Readers(),
			Summary: "The signed-in user", Response: Response{}, Headers: etagHeader,
		}},
		{Handler: httperr.Handle(h.revokeOwnTokens), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/users/me/revoke-tokens", Tag: tag, Roles: auth.Readers(),
			Summary:     "Sign out everywhere: revoke every token issued to the signed-in user",
			Description: "Every token issued before stops working at once on this instance and within 5 s on every other. Sign in again for a new one.",
			Status:      http.StatusNoContent,
		}},
		{Handler: httperr.Handle(h.revokeTokens), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/users/:id/revoke-tokens", Tag: tag, Roles: auth.Admins(),
			Summary:     "Revoke every token issued to a user",
			Description: "Every token issued before stops working at once on this instance and within 5 s on every other.",
			Status:      http.StatusNoContent, Errors: []int{http.StatusNotFound},
		}},
		{Handler: httperr.Handle(h.create), Operation: openapi.Operation{
			Method: http.MethodPost, Path: "/users", Tag: tag, Roles: auth.Admins(), Summary: "Create a user",
			Request: CreateRequest{}, Response: Response{}, Status: http.StatusCreated,
			Headers: map[string]string{"Location": "Path of the new user.", "ETag": `"<version>"`},
			Errors:  []int{http.StatusConflict},
		}},
		{Handler: httperr.Handle(h.list), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/users", Tag: tag, Roles: auth.Admins(), Summary: "List users",
			Response: listing.Result[Response]{}, Errors: []int{http.StatusBadRequest},
			Query: append(listing.QueryParams(ListSpec()),
				openapi.Param{Name: "q", Description: "Case-insensitive substring of email or full name."},
				openapi.Param{Name: "role", Enum: auth.Roles()},
				openapi.Param{Name: "is_active", Type: "boolean"}),
		}},
		{Handler: httperr.Handle(h.get), Operation: openapi.Operation{
			Method: http.MethodGet, Path: "/users/:id", Tag: tag, Roles: auth.Admins(), Summary: "Read a user",
			Response: Response{}, Headers: etagHeader, Errors: []int{http.StatusNotFound},
		}},
		{Handler: httperr.Handle(h.update), Operation: openapi.Operation{
			Method: http.MethodPatch, Path: "/users/:id", Tag: tag, Roles: auth.Admins(), Summary: "Change a user (partial)",
			Description: "email, password, full_name, role, is_active. The last active admin cannot be demoted or deactivated (409).",
			Request:     UpdateRequest{}, Response: Response{}, Headers: etagHeader, RequestHeaders: ifMatch,
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed},
		}},
		{Handler: httperr.Handle(h.deactivate), Operation: openapi.Operation{
			Method: http.MethodDelete, Path: "/users/:id", Tag: tag, Roles: auth.Admins(), Summary: "Deactivate a user",
			Description: "The user stays (history is kept) with is_active false; a second call answers 204 too.",
			Status:      http.StatusNoContent, RequestHeaders: ifMatch,
			Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed},
		}},
	}
}

// Constraints describes the module's constraints for the error middleware.
func (h *Handler) Constraints() []httperr.Constraint { return Constraints() }
