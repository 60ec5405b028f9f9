// Package idempotency makes POST requests safe to retry. A client that sends
// Idempotency-Key (1-255 printable ASCII characters) with a POST gets, for 24 hours, the outcome
// of its first request with that key again (status, body, Location, ETag, with
// Idempotent-Replayed: true) instead of a second change; the same key with another body is a
// 422 idempotency_key_reused, and while the first request runs, a 409 idempotency_key_in_flight.
//
// The outcome is stored in PostgreSQL (every instance sees it) in the same transaction as the
// change it records: either both commit or neither does, so a 503 on a write (the database hung
// and the commit's fate is unknown to the client) is answered by retrying with the same key. A
// request that fails with 5xx is not kept: its retry runs again.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader marks a replayed outcome.
const ReplayedHeader = "Idempotent-Replayed"

// TTL is how long an outcome is kept.
const TTL = 24 * time.Hour

// keptHeaders are the response headers a replay repeats.
func keptHeaders() []string { return []string{"Content-Type", "Location", "ETag", "Content-Language"} }

// Keys serves the Idempotency-Key header of POST routes.
type Keys struct {
	db  *database.DB
	reg *httperr.Registry
	log *slog.Logger
	now func() time.Time
}

// New returns the idempotency middleware's state on db; reg and log render the problems of the
// requests it buffers.
func New(db *database.DB, reg *httperr.Registry, log *slog.Logger) *Keys {
	return &Keys{db: db, reg: reg, log: log, now: time.Now}
}

var (
	errInFlight = &fault.Error{Kind: fault.Conflict, Code: "idempotency_key_in_flight",
		Detail: "A request with this Idempotency-Key is still being processed. Retry when it has finished."}
	errReused = &fault.Error{Kind: fault.Invalid, Code: "idempotency_key_reused",
		Detail: "This Idempotency-Key was used with a different request body.",
		Fields: []fault.FieldError{fault.Field(Header, "was used with a different request body")}}
)

// stored is a kept outcome.
type stored struct {
	hash    string
	status  int
	headers map[string]string
	body    []byte
}

// Middleware runs a POST under its Idempotency-Key, if it has one (after the guard: keys are
// per user).
func (k *Keys) Middleware(c *gin.Context) {
	key := c.GetHeader(Header)
	if key == "" {
		c.Next()
		return
	}
	if !validKey(key) {
		httperr.Abort(c, &fault.Error{Kind: fault.BadRequest, Detail: "Idempotency-Key must be 1-255 printable ASCII characters.",
			Fields: []fault.FieldError{fault.Field(Header, "must be 1-255 printable ASCII characters")}})
		return
	}
	p, ok := auth.FromContext(c.Request.Context())
	if !ok {
		c.Next()
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = fault.New(fault.TooLarge, "The request body is larger than "+strconv.FormatInt(tooLarge.Limit, 10)+" bytes.")
		}
		httperr.Abort(c, err)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.Path+"\n"), body...))
	k.run(c, p.UserID, key, hex.EncodeToString(sum[:]))
}

// run holds the key's lock for one transaction: replays a kept outcome, or runs the handler
// with its response buffered and keeps the outcome with the change.
func (k *Keys) run(c *gin.Context, userID int64, key, hash string) {
	original := c.Writer
	defer func() { c.Writer = original }() // also when a handler panics: Recover answers on it
	buf := newBuffer(original)
	var replay *stored
	handled := false
	err := k.db.Write(c.Request.Context(), func(ctx context.Context) error {
		// Write retries a transaction that failed with a deadlock or a serialization failure.
		// Once the handler has run, its change went with the failed transaction and the handler
		// cannot run again in this request: answer 503, keep nothing, and the client's retry
		// with the same key runs it afresh.
		if handled {
			return errRetryLater
		}
		var locked bool
		if err := k.db.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", []any{lockKey(userID, key)}, &locked); err != nil {
			return err
		}
		if !locked {
			return errInFlight
		}
		found, err := k.find(ctx, userID, key)
		if err != nil || found != nil {
			if found != nil && found.hash != hash {
				return errReused
			}
			replay = found
			return err
		}
		c.Writer = buf
		c.Request = c.Request.WithContext(ctx) // the handler's writes join this transaction
		handled = true
		err = k.db.Savepoint(ctx, func(context.Context) error {
			c.Next()
			httperr.Flush(c, k.reg, k.log)
			return nil
		}, func() bool { return buf.status >= 400 }) // a failed request changes nothing
		c.Writer = original
		if err != nil {
			return err
		}
		if buf.status >= 500 {
			return errNotKept
		}
		return k.keep(ctx, userID, key, hash, buf)
	})
	c.Writer = original
	switch {
	case errors.Is(err, errNotKept):
		buf.flushTo(original)
	case err != nil:
		httperr.Abort(c, err)
	case replay != nil:
		for name, value := range replay.headers {
			original.Header().Set(name, value)
		}
		original.Header().Set(ReplayedHeader, "true")
		original.WriteHeader(replay.status)
		_, _ = original.Write(replay.body)
		c.Abort()
	default:
		buf.flushTo(original)
	}
}

// errNotKept rolls back a request that ended in 5xx: its outcome is not kept.
var errNotKept = errors.New("idempotency: 5xx outcomes are not kept")

// errRetryLater answers a request whose transaction failed after its handler ran.
var errRetryLater = &fault.Error{Kind: fault.Unavailable, RetryAfter: 1,
	Detail: "The request could not be completed and changed nothing. Retry it with the same Idempotency-Key."}

func (k *Keys) find(ctx context.Context, userID int64, key string) (*stored, error) {
	s := &stored{}
	err := k.db.QueryRow(ctx, `SELECT request_hash, status, headers, body FROM idempotency_keys
		WHERE user_id = $1 AND key = $2 AND expires_at > $3`, []any{userID, key, k.now()},
		&s.hash, &s.status, &s.headers, &s.body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil //nolint:nilnil // no outcome kept
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (k *Keys) keep(ctx context.Context, userID int64, key, hash string, buf *buffer) error {
	headers := map[string]string{}
	for _, name := range keptHeaders() {
		if v := buf.header.Get(name); v != "" {
			headers[name] = v
		}
	}
	now := k.now()
	_, err := k.db.Change(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, headers, body, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,
			headers = EXCLUDED.headers, body = EXCLUDED.body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
		[]any{userID, key, hash, buf.status, headers, buf.body.Bytes(), now, now.Add(TTL)}, nil)
	return err
}

// PurgeExpired deletes the expired outcomes (a pass app.Every runs); a failure is logged and
// left to the next pass.
func (k *Keys) PurgeExpired(ctx context.Context) {
	if _, err := k.db.Change(ctx, "DELETE FROM idempotency_keys WHERE expires_at < $1", []any{k.now()}, nil); err != nil {
		k.log.Warn("purging expired idempotency keys failed; retrying later", "error", err.Error())
	}
}

// validKey accepts 1-255 printable ASCII characters.
func validKey(key string) bool {
	if len(key) > 255 {
		return false
	}
	for i := range len(key) {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// lockKey maps a user's key to the advisory lock that marks it in flight.
func lockKey(userID int64, key string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strconv.FormatInt(userID, 10) + "\x00" + key))
	return int64(h.Sum64()) //nolint:gosec // a lock id: any 64 bits will do
}
