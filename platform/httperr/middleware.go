package httperr

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/erp-foundation/erp/platform/requestid"
)

const problemKey = "httperr.problem"

// Abort records err for the error middleware and stops the handler chain. Handlers call it and
// return; they never write error bodies themselves.
func Abort(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// Middleware writes the problem document for the last error a handler recorded, and logs that
// error once, with the request id, at a level that matches its status.
func Middleware(reg *Registry, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		Flush(c, reg, log)
	}
}

// Flush writes the problem for the last error recorded so far (if any) and clears the errors,
// so that it is written once. Middleware calls it after the handlers; a middleware that must
// see the whole response before the client does (idempotency) calls it earlier.
func Flush(c *gin.Context, reg *Registry, log *slog.Logger) {
	if len(c.Errors) == 0 {
		return
	}
	err := c.Errors.Last().Err
	c.Errors = c.Errors[:0]
	ctx := c.Request.Context()
	if c.Writer.Written() {
		log.WarnContext(ctx, "error after the response was written", "error", err.Error(),
			"request_id", requestid.From(ctx))
		return
	}
	p := reg.ToProblem(err)
	p.RequestID = requestid.From(ctx)
	log.Log(ctx, levelFor(p, err), "request failed",
		"status", p.Status, "code", p.Code, "constraint", p.Constraint,
		"error", err.Error(), "request_id", p.RequestID)
	c.Set(problemKey, p)
	p.Write(c.Writer)
}

// FromContext returns the problem the middleware wrote for this request, if any (metrics use it).
func FromContext(c *gin.Context) (*Problem, bool) {
	v, ok := c.Get(problemKey)
	if !ok {
		return nil, false
	}
	p, ok := v.(*Problem)
	return p, ok
}

// levelFor logs server faults loudly and client mistakes quietly. Violations of NOT NULL and
// CHECK constraints are warnings: they mean a validation rule is missing in the service.
func levelFor(p *Problem, err error) slog.Level {
	var pgErr *pgconn.PgError
	switch {
	case p.Status == http.StatusServiceUnavailable:
		return slog.LevelWarn
	case p.Status >= 500:
		return slog.LevelError
	case errors.As(err, &pgErr) && (pgErr.Code == "23502" || pgErr.Code == "23514"):
		return slog.LevelWarn
	default:
		return slog.LevelDebug
	}
}

// Recover turns a panic in a handler into a 500 problem (through Middleware, which must run
// before it) and logs the stack; the client never sees it.
func Recover(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(rec)
			}
			log.ErrorContext(c.Request.Context(), "panic in handler", "panic", fmt.Sprint(rec),
				"stack", string(debug.Stack()), "request_id", requestid.From(c.Request.Context()))
			Abort(c, fmt.Errorf("panic: %v", rec))
		}()
		c.Next()
	}
}

// Handle adapts a handler that returns its error: a non-nil error goes to Abort. Module
// handlers are written this way so that each failure is one `return err`.
func Handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			Abort(c, err)
		}
	}
}
