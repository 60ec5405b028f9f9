package user

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
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
	db  *database.DB
	ttl time.Duration
	now func() time.Time

	listening     chan struct{}
	listeningOnce sync.Once

	mu      sync.RWMutex
	entries map[int64]cached
}

type cached struct {
	acct  auth.Account
	found bool
	at    time.Time
}

// NewDirectory returns a directory reading users through db, trusting a cached account for
// ttl (CacheTTL when 0).
func NewDirectory(db *database.DB, ttl time.Duration) *Directory {
	if ttl <= 0 {
		ttl = CacheTTL
	}
	return &Directory{db: db, ttl: ttl, now: time.Now, entries: map[int64]cached{}, listening: make(chan struct{})}
}

// Listening is closed once the directory follows change notifications for the first time.
func (d *Directory) Listening() <-chan struct{} { return d.listening }

// Account returns the user's role and status, from the cache when it is fresh.
func (d *Directory) Account(ctx context.Context, userID int64) (auth.Account, bool, error) {
	d.mu.RLock()
	e, hit := d.entries[userID]
	d.mu.RUnlock()
	if hit && d.now().Sub(e.at) < d.ttl {
		return e.acct, e.found, nil
	}
	var acct auth.Account
	// The primary, never a replica: a revocation must not lag.
	err := d.db.QueryRow(database.OnPrimary(ctx), "SELECT role, is_active, token_generation FROM users WHERE id = $1", []any{userID},
		&acct.Role, &acct.Active, &acct.TokenGeneration)
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

// Listen follows the change notifications until ctx ends (reconnecting after failures; every
// reconnection empties the cache, since changes made meanwhile are unknown). It runs in the
// background for the life of the service.
func (d *Directory) Listen(ctx context.Context) error {
	return d.db.Listen(ctx, database.Listener{
		Channel: Channel,
		Connected: func() {
			d.ForgetAll()
			d.listeningOnce.Do(func() { close(d.listening) })
		},
		Notify: func(payload string) {
			if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
				d.Forget(id)
			}
		},
	})
}
