package httperr

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
)

// Detail texts for problems that carry no module-specific message.
const (
	detailInternal    = "An internal error occurred. Quote the request id when reporting it."
	detailUnavailable = "The database is unavailable or busy. Retry shortly."
	detailConcurrent  = "The change conflicted with a concurrent change. Retry the request."
	detailConflict    = "The request conflicts with existing data."
	detailInvalid     = "The request has invalid fields."
)

// ToProblem classifies err. It never copies an unrecognised error's text into the problem:
// unknown errors become a 500 whose detail says nothing about internals.
func (r *Registry) ToProblem(err error) *Problem {
	var fe *fault.Error
	var pgErr *pgconn.PgError
	var connectErr *pgconn.ConnectError
	var refErr *database.ReferenceError
	switch {
	case errors.As(err, &fe):
		return r.fromFault(fe)
	case errors.As(err, &refErr) && refErr.StillReferenced:
		return r.stillReferenced(refErr.Err.ConstraintName)
	case errors.As(err, &connectErr): // may wrap a server error such as 53300 or 57P03
		p := newProblem(http.StatusServiceUnavailable, detailUnavailable)
		p.RetryAfter = 1
		return p
	case errors.As(err, &pgErr):
		return r.fromPg(pgErr)
	case Unavailable(err):
		p := newProblem(http.StatusServiceUnavailable, detailUnavailable)
		p.RetryAfter = 1
		return p
	default:
		return newProblem(http.StatusInternalServerError, detailInternal)
	}
}

func statusOf(k fault.Kind) int {
	switch k {
	case fault.BadRequest:
		return http.StatusBadRequest
	case fault.Unauthorized:
		return http.StatusUnauthorized
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.NotFound:
		return http.StatusNotFound
	case fault.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case fault.Conflict:
		return http.StatusConflict
	case fault.PreconditionFailed:
		return http.StatusPreconditionFailed
	case fault.TooLarge:
		return http.StatusRequestEntityTooLarge
	case fault.UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case fault.Invalid:
		return http.StatusUnprocessableEntity
	case fault.TooManyRequests:
		return http.StatusTooManyRequests
	case fault.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

func (r *Registry) fromFault(fe *fault.Error) *Problem {
	p := newProblem(statusOf(fe.Kind), fe.Detail)
	if fe.Code != "" {
		p.Code = fe.Code
	}
	p.Errors = fe.Fields
	p.Constraint = fe.Constraint
	p.RetryAfter = fe.RetryAfter
	if p.Status == http.StatusServiceUnavailable && p.RetryAfter == 0 {
		p.RetryAfter = 1
	}
	if p.Detail == "" {
		p.Detail = http.StatusText(p.Status) + "."
	}
	if p.Status == http.StatusUnprocessableEntity && len(p.Errors) == 0 {
		p.Errors = []fault.FieldError{{Field: "body", Message: p.Detail}} // every 422 lists fields
	}
	return p
}

// stillReferenced is the 409 for a row that other rows still reference (constraint names the
// foreign key).
func (r *Registry) stillReferenced(constraint string) *Problem {
	p := newProblem(http.StatusConflict, "The resource is still referenced and cannot be removed.")
	p.Constraint = constraint
	if c, ok := r.Lookup(constraint); ok && c.InUseMessage != "" {
		p.Detail = c.InUseMessage
	}
	return p
}

// fromPg maps a PostgreSQL error by SQLSTATE. Class 23 names the constraint (and the field,
// when registered); class 22 is invalid input; 40001/40P01 reach here only after tx.Run's
// retries; connection, resource and timeout classes mean the database is unavailable.
func (r *Registry) fromPg(e *pgconn.PgError) *Problem {
	c, known := r.Lookup(e.ConstraintName)
	switch code := e.Code; {
	case code == "23505" || code == "23P01":
		return conflict(e.ConstraintName, c, known)
	case code == "23503":
		if known && c.Field != "" {
			return invalidField(c.Field, c.Message, e.ConstraintName)
		}
		return conflict(e.ConstraintName, c, known)
	case code == "23514":
		if known && c.Field != "" {
			return invalidField(c.Field, c.Message, e.ConstraintName)
		}
		return invalidField(e.ColumnName, "violates the rule "+e.ConstraintName, e.ConstraintName)
	case code == "23502":
		return invalidField(e.ColumnName, "is required", "")
	case strings.HasPrefix(code, "22"):
		return invalidField(e.ColumnName, "has an invalid value", "")
	case code == "40001" || code == "40P01":
		return newProblem(http.StatusConflict, detailConcurrent)
	case code == "57014" || strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") ||
		strings.HasPrefix(code, "57P") || code == "25006":
		p := newProblem(http.StatusServiceUnavailable, detailUnavailable)
		p.RetryAfter = 1
		return p
	default:
		return newProblem(http.StatusInternalServerError, detailInternal)
	}
}

func conflict(name string, c Constraint, known bool) *Problem {
	p := newProblem(http.StatusConflict, detailConflict)
	p.Constraint = name
	if known {
		p.Detail = c.Message
		if c.Field != "" {
			p.Errors = []fault.FieldError{{Field: c.Field, Message: c.Message}}
		}
	}
	return p
}

// invalidField is a 422 naming field; every 422 lists at least one field, so when the database
// does not say which column was at fault the request body as a whole is named.
func invalidField(field, message, constraint string) *Problem {
	p := newProblem(http.StatusUnprocessableEntity, detailInvalid)
	p.Constraint = constraint
	if field == "" {
		field = "body"
	}
	p.Errors = []fault.FieldError{{Field: field, Message: message}}
	return p
}

// Unavailable reports whether err means the database could not be reached or did not answer
// in time: an exhausted pool, a refused or broken connection, a timeout, a cancelled request.
func Unavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.Is(err, database.ErrPoolTimeout) ||
		errors.As(err, &connectErr) ||
		errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}
