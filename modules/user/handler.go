package user

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/listing"
	"github.com/erp-foundation/erp/platform/rest"
)

// Handler serves the user and sign-in routes.
type Handler struct {
	svc      *Service
	lists    *listing.Codec
	tokens   *auth.Tokens
	throttle *auth.Throttle
	decoder  input.Decoder
}

// NewHandler returns the HTTP handler of svc; tokens signs access tokens and throttle limits
// login attempts.
func NewHandler(svc *Service, lists *listing.Codec, tokens *auth.Tokens, throttle *auth.Throttle) *Handler {
	return &Handler{svc: svc, lists: lists, tokens: tokens, throttle: throttle}
}

func location(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }

func (h *Handler) login(c *gin.Context) error {
	var req LoginRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	var u *User
	err := h.throttle.Check(c.Request.Context(), req.Email, c.ClientIP(), func(ctx context.Context) error {
		var err error
		u, err = h.svc.Authenticate(ctx, req.Email, req.Password)
		return err
	})
	if err != nil {
		return err
	}
	token, err := h.tokens.Issue(u.ID, u.Role, u.TokenGeneration)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, TokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: int(h.tokens.TTL().Seconds())})
	return nil
}

func (h *Handler) create(c *gin.Context) error {
	var req CreateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	u, err := h.svc.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	rest.Created(c, location(u.ID), toResponse(*u))
	return nil
}

func (h *Handler) me(c *gin.Context) error {
	p, ok := auth.FromContext(c.Request.Context())
	if !ok {
		return fault.New(fault.Unauthorized, "A valid bearer token is required.")
	}
	u, err := h.svc.Get(c.Request.Context(), p.UserID)
	if err != nil {
		return err
	}
	rest.Read(c, toResponse(*u))
	return nil
}

func (h *Handler) get(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	rest.Read(c, toResponse(*u))
	return nil
}

func (h *Handler) list(c *gin.Context) error {
	q := c.Request.URL.Query()
	page, err := h.lists.Parse(q, ListSpec())
	filter, ferr := ParseFilter(q)
	if err = listing.JoinErrors(err, ferr); err != nil {
		return err
	}
	rows, total, err := h.svc.List(c.Request.Context(), filter, page)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, listing.Map(listing.Finish(h.lists, page, rows, total), toResponse))
	return nil
}

func (h *Handler) update(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	var req UpdateRequest
	if err := h.decoder.Decode(c.Request, &req); err != nil {
		return err
	}
	u, err := h.svc.Update(c.Request.Context(), id, req, cond)
	if err != nil {
		return err
	}
	rest.JSON(c, http.StatusOK, toResponse(*u))
	return nil
}

func (h *Handler) revokeOwnTokens(c *gin.Context) error {
	p, ok := auth.FromContext(c.Request.Context())
	if !ok {
		return fault.New(fault.Unauthorized, "A valid bearer token is required.")
	}
	if err := h.svc.RevokeTokens(c.Request.Context(), p.UserID); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}

func (h *Handler) revokeTokens(c *gin.Context) error {
	id, err := rest.ID(c)
	if err != nil {
		return err
	}
	if err := h.svc.RevokeTokens(c.Request.Context(), id); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}

func (h *Handler) deactivate(c *gin.Context) error {
	id, cond, err := rest.Target(c)
	if err != nil {
		return err
	}
	if err := h.svc.Deactivate(c.Request.Context(), id, cond); err != nil {
		return err
	}
	rest.NoContent(c)
	return nil
}
