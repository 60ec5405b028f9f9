package ops

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the operations routes.
type Handler struct {
	svc     *Service
	lists   *listing.Codec
	app     AppPool
	decoder input.Decoder
}

// AppPool is what /ops/db reports of the application's pools (a *database.DB).
type AppPool interface {
	Stats() database.PoolStats
	ReplicaStatuses() []database.ReplicaStatus
}

// NewHandler returns the HTTP handler of svc; app reports the application's pools for /ops/db.
func NewHandler(svc *Service, lists *listing.Codec, app AppPool) *Handler {
	return &Handler{svc: svc, lists: lists, app: app}
}

func location(id int64) string { return "/api/v1/ops/backups/" + strconv.FormatInt(id, 10) }

func (h *Handler) create(c *gin.Context) error {
	b, err := h.svc.Create(c.Request.Context())
	if err != nil {
		return err
	}
	c.Header("Location", location(b.ID))
	rest.JSON(c, http.StatusAccepted, toResponse(*b))
	return nil
}

func (h *Handler) list(c *gin.Context) error {
	if h.svc.cfg.Mode == "managed" {
		return ErrManaged
	}
	page, err := h.lists.Parse(c.Request.URL.Query(), ListSpec())
	if err != nil {
		return err
	}
	rows, total, err := h.svc.List(c.Request.Context(), page)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
	return nil
}

func (h *Handler) get(c *gin.Context) error {
	if h.svc.cfg.Mode == "managed" {
		return ErrManaged
	}
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, toResponse(*b))
	return nil
}

func (h *Handler) verify(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	switch c.Request.URL.Query().Get("deep") {
	case "", "false":
	case "true":
		b, err := h.svc.VerifyDeep(c.Request.Context(), id)
		if err != nil {
			return err
		}
		c.Header("Location", location(id))
		rest.JSON(c, http.StatusAccepted, toResponse(*b))
		return nil
	default:
		return &fault.Error{Kind: fault.BadRequest, Detail: "The request has invalid query parameters.",
			Fields: []fault.FieldError{fault.Field("deep", "must be true or false")}}
	}
	v, err := h.svc.Verify(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, v)
	return nil
}

func (h *Handler) restore(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	var req RestoreRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	r, err := h.svc.Restore(c.Request.Context(), id, req.TargetDatabase)
	if err != nil {
		return err
	}
	c.Header("Location", location(id)+"/restores/"+strconv.FormatInt(r.ID, 10))
	rest.JSON(c, http.StatusAccepted, toRestoreResponse(*r))
	return nil
}

func (h *Handler) restoreStatus(c *gin.Context) error {
	if h.svc.cfg.Mode == "managed" {
		return ErrManaged
	}
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	rid, err := strconv.ParseInt(c.Param("restore_id"), 10, 64)
	if err != nil || rid < 1 {
		return ErrRestoreNotFound
	}
	r, err := h.svc.GetRestore(c.Request.Context(), id, rid)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, toRestoreResponse(*r))
	return nil
}

func (h *Handler) remove(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request.Context(), id); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}

func (h *Handler) info(c *gin.Context) error {
	info, err := h.svc.Info(c.Request.Context(), h.app.Stats(), h.app.ReplicaStatuses())
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, info)
	return nil
}

// Constraints describes the module's constraints for the error middleware.
func (h *Handler) Constraints() []httperr.Constraint { return nil }
