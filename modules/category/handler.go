package category

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the category routes.
type Handler struct {
	svc     *Service
	lists   *listing.Codec
	decoder input.Decoder
}

// NewHandler returns the HTTP handler of svc; lists signs list cursors.
func NewHandler(svc *Service, lists *listing.Codec) *Handler {
	return &Handler{svc: svc, lists: lists}
}

func location(id int64) string { return "/api/v1/categories/" + strconv.FormatInt(id, 10) }

func (h *Handler) create(c *gin.Context) {
	var req CreateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		httperr.Abort(c, err)
		return
	}
	cat, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.Created(c, location(cat.ID), toResponse(*cat))
}

func (h *Handler) get(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	cat, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.Read(c, toResponse(*cat))
}

func (h *Handler) list(c *gin.Context) {
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	filter, err := ParseFilter(q)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rows, total, err := h.svc.List(c.Request.Context(), filter, page)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
}

func (h *Handler) update(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	cond, err := rest.IfMatch(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	var req UpdateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		httperr.Abort(c, err)
		return
	}
	cat, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.JSON(c, http.StatusOK, toResponse(*cat))
}

func (h *Handler) remove(c *gin.Context) {
	id, err := rest.ID(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	cond, err := rest.IfMatch(c)
	if err != nil {
		httperr.Abort(c, err)
		return
	}
	if err := h.svc.Delete(c.Request.Context(), id, cond); err != nil {
		httperr.Abort(c, err)
		return
	}
	rest.NoContent(c)
}
