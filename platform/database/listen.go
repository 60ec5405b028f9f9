package database

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener receives the notifications of one channel (see Listen).
type Listener struct {
	// Channel is the PostgreSQL notification channel.
	Channel string
	// Notify is called with each notification's payload.
	Notify func(payload string)
	// Connected is called each time the listener (re)connects, before any notification:
	// notifications sent while it was not listening are lost, so caches drop what they hold.
	Connected func()
	// Probe is how long the connection may stay silent before it is checked with a query
	// (default 15 s): a server that hangs is noticed within Probe plus the query timeout.
	Probe time.Duration
}

// Listen follows l.Channel on a connection of its own until ctx ends, reconnecting with
// backoff after failures and logging when it stops and when it resumes. LISTEN needs a session,
// so this connection never goes through a transaction-pooling proxy.
func (d *DB) Listen(ctx context.Context, l Listener) error {
	if l.Probe <= 0 {
		l.Probe = 15 * time.Second
	}
	interrupted := false
	for wait := time.Second; ctx.Err() == nil; wait = min(wait*2, 30*time.Second) {
		err := d.listenOnce(ctx, l, func() {
			if interrupted {
				d.log.Info("notifications resumed", "channel", l.Channel)
			}
			interrupted = false
			wait = time.Second
		})
		if ctx.Err() != nil {
			return nil
		}
		interrupted = true
		d.log.Warn("notifications interrupted; retrying", "channel", l.Channel, "error", err.Error(),
			"retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
	return nil
}

func (d *DB) listenOnce(ctx context.Context, l Listener, connected func()) error {
	cfg, err := d.listenConfig()
	if err != nil {
		return err
	}
	connectCtx, cancel := context.WithTimeout(ctx, d.cfg.ConnectTimeout)
	conn, err := pgx.ConnectConfig(connectCtx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if err := d.probe(ctx, conn, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	if l.Connected != nil {
		l.Connected()
	}
	for {
		waitCtx, cancel := context.WithTimeout(ctx, l.Probe)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			l.Notify(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			// Silence: make sure the server still answers (a frozen one would not).
			if err := d.probe(ctx, conn, "SELECT 1"); err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// listenConfig is the listener's direct connection: database.listen_url, else owner_url (both
// never through a transaction-pooling proxy), else the pool's own.
func (d *DB) listenConfig() (*pgx.ConnConfig, error) {
	raw := d.cfg.ListenURL
	if raw == "" {
		raw = d.cfg.OwnerURL
	}
	if raw == "" {
		return d.pool.Config().ConnConfig.Copy(), nil
	}
	c := d.cfg
	c.URL = raw
	c.QueryExecMode = "cache_statement"
	cfg, err := poolConfig(Options{Config: c, Logger: d.log, ApplicationName: "erp-listener"}, d.tracer)
	if err != nil {
		return nil, err
	}
	return cfg.ConnConfig, nil
}

// probe runs one statement on the listener's connection within the query timeout.
func (d *DB) probe(ctx context.Context, conn *pgx.Conn, sql string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	_, err := conn.Exec(ctx, sql)
	return err
}
