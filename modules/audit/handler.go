package audit

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the audit routes.
type Handler struct {
	svc   *Service
	lists *listing.Codec
}

// NewHandler returns the HTTP handler of svc; lists signs list cursors.
func NewHandler(svc *Service, lists *listing.Codec) *Handler { return &Handler{svc: svc, lists: lists} }

func (h *Handler) list(c *gin.Context) error {
	caller, ok := auth.FromContext(c.Request.Context())
	if !ok {
		return fault.New(fault.Unauthorized, "A valid bearer token is required.")
	}
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	filter, ferr := ParseFilter(q)
	if err = listing.JoinErrors(err, ferr); err != nil {
		return err
	}
	rows, total, err := h.svc.ListFor(c.Request.Context(), caller, filter, page)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
	return nil
}

// Constraints describes the module's constraints for the error middleware (none: events are
// written by the database only).
func (h *Handler) Constraints() []httperr.Constraint { return nil }
