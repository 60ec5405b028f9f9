package database

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/erp-foundation/erp/platform/requestid"
)

type scopeKey struct{}

type sessionKey struct{}

type primaryKey struct{}

// session is one request's state in the seam: the user on whose behalf it runs, whether it
// wrote (its later reads then go to the primary), and the user's last write position, looked up
// once per request by its first replica-eligible read.
type session struct {
	actor int64
	wrote atomic.Bool

	positionOnce  sync.Once
	position      uint64
	positionKnown bool
}

// WithActor returns ctx carrying the id of the user on whose behalf statements run, and a fresh
// request session. Every write in ctx records it as the audit event's actor, and reads after a
// write of that user go where the write is visible (the auth guard sets it once per request).
func WithActor(ctx context.Context, userID int64) context.Context {
	return context.WithValue(ctx, sessionKey{}, &session{actor: userID})
}

func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// actorFrom returns the user WithActor put in ctx, if any.
func actorFrom(ctx context.Context) (int64, bool) {
	if s := sessionFrom(ctx); s != nil {
		return s.actor, true
	}
	return 0, false
}

// OnPrimary returns ctx whose reads go to the primary, never a replica: reads that must not lag
// (the auth guard's account lookup, the login's password check).
func OnPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func onPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

// auditContext returns the values the audit triggers read from erp.actor_id and
// erp.request_id: the actor (empty when none: a CLI command, a background job) and the request
// id carried by ctx.
func auditContext(ctx context.Context) (actor, request string) {
	if id, ok := actorFrom(ctx); ok {
		actor = strconv.FormatInt(id, 10)
	}
	return actor, requestid.From(ctx)
}

// setAuditContext is the statement that sets the audit context for the rest of the current
// transaction (set_config(..., true) ends with it, which is also safe behind PgBouncer's
// transaction pooling).
const setAuditContext = "SELECT set_config('erp.actor_id', $1, true), set_config('erp.request_id', $2, true)"

// scope is the transaction of an enclosing Write: the borrowed connection, and GORM on it.
type scope struct {
	db   *DB
	conn *sql.Conn
	gorm *gorm.DB
}

// scopeFrom returns the enclosing Write's transaction when it belongs to d (the application's
// and the owner's connections never share one).
func (d *DB) scopeFrom(ctx context.Context) (*scope, bool) {
	s, ok := ctx.Value(scopeKey{}).(*scope)
	if !ok || s.db != d {
		return nil, false
	}
	return s, true
}
