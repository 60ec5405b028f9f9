package user

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erp-foundation/erp/platform/auth"
)

// Channel is the PostgreSQL notification channel on which the users table announces changes
// (a trigger sends the user id).
const Channel = "erp_user_changed"

// CacheTTL bounds how long an account is trusted without asking the database, should
// notifications be lost or unavailable (behind PgBouncer in transaction mode, say).
const CacheTTL = 4 * time.Second

// Directory implements auth.Directory: the current role and status of a user, from a cache
// that LISTEN/NOTIFY empties as soon as a user changes, and that expires after CacheTTL
// anyway. Authenticated requests therefore cost no query, and a deactivated or demoted user
// loses access within seconds on every instance.
type Directory struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	ttl  time.Duration
	now  func() time.Time

	mu      sync.RWMutex
	entries map[int64]cached
}

type cached struct {
	acct  auth.Account
	found bool
	at    time.Time
}

// NewDirectory returns a directory reading users through pool.
func NewDirectory(pool *pgxpool.Pool, log *slog.Logger) *Directory {
	return &Directory{pool: pool, log: log, ttl: CacheTTL, now: time.Now, entries: map[int64]cached{}}
}

// Account returns the user's role and status, from the cache when it is fresh.
func (d *Directory) Account(ctx context.Context, userID int64) (auth.Account, bool, error) {
	d.mu.RLock()
	e, hit := d.entries[userID]
	d.mu.RUnlock()
	if hit && d.now().Sub(e.at) < d.ttl {
		return e.acct, e.found, nil
	}
	var acct auth.Account
	err := d.pool.QueryRow(ctx, "SELECT role, is_active FROM users WHERE id = $1", userID).Scan(&acct.Role, &acct.Active)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return auth.Account{}, false, err
	}
	d.mu.Lock()
	d.entries[userID] = cached{acct: acct, found: found, at: d.now()}
	d.mu.Unlock()
	return acct, found, nil
}

// Forget drops one user from the cache.
func (d *Directory) Forget(userID int64) {
	d.mu.Lock()
	delete(d.entries, userID)
	d.mu.Unlock()
}

// ForgetAll empties the cache (after notifications may have been missed).
func (d *Directory) ForgetAll() {
	d.mu.Lock()
	d.entries = map[int64]cached{}
	d.mu.Unlock()
}

// Listen follows the change notifications until ctx ends, reconnecting after failures. It
// runs in the background for the life of the service.
func (d *Directory) Listen(ctx context.Context) error {
	for wait := time.Second; ctx.Err() == nil; wait = min(wait*2, 30*time.Second) {
		err := d.listenOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		d.log.Warn("user change notifications interrupted; relying on the cache TTL until they resume",
			"error", err.Error(), "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	return nil
}

func (d *Directory) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	d.ForgetAll() // changes made while not listening are unknown
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if id, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
			d.Forget(id)
		}
	}
}
