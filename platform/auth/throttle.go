package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
)

// Throttle protects the login: failed attempts are limited per email from one address, per
// address and per email (counted as they arrive, so parallel guesses are limited too), and
// password checks, which are deliberately slow, run a bounded number at a time overall and per
// email, so that a burst of logins cannot starve the service.
type Throttle struct {
	limiter  Limiter
	perPair  int
	perEmail int
	perAddr  int
	overall  *semaphore.Weighted
	wait     time.Duration

	mu      sync.Mutex
	byEmail map[string]*emailSlots
}

type emailSlots struct {
	sem   *semaphore.Weighted
	users int
}

// perEmailChecks is how many password checks of one email may run at once.
const perEmailChecks = 2

// SaturatedWait is how long a login waits for a password check slot before it gets 503.
const SaturatedWait = time.Second

// NewThrottle returns the login throttle configured by cfg, counting with limiter.
func NewThrottle(cfg config.Auth, limiter Limiter) *Throttle {
	return &Throttle{
		limiter: limiter, perPair: cfg.LoginFailuresPerMinute, perEmail: cfg.LoginFailuresPerEmail,
		perAddr: cfg.LoginFailuresPerAddr, overall: semaphore.NewWeighted(int64(cfg.MaxPasswordChecks)),
		wait: SaturatedWait, byEmail: map[string]*emailSlots{},
	}
}

// tooManyAttempts is the 429 of a login while a limit holds.
func tooManyAttempts(retryAfter int) error {
	return &fault.Error{Kind: fault.TooManyRequests, RetryAfter: retryAfter, Detail: "Too many failed logins. Retry later."}
}

// Check runs verify (the password check of email's login from addr) under the limits. When a
// limit is exhausted it answers 429 without running verify (a correct password too, so a
// guesser learns nothing) and counts nothing. The attempt is counted when it arrives and
// refunded unless verify says Unauthorized (a wrong password): a success, a server error or a
// saturation 503 does not count.
func (t *Throttle) Check(ctx context.Context, email, addr string, verify func(context.Context) error) error {
	email = strings.ToLower(email)
	ticket, retryAfter, err := t.limiter.Take(ctx, []Limit{
		{Key: "email+addr:" + email + "|" + addr, Max: t.perPair},
		{Key: "addr:" + addr, Max: t.perAddr},
		{Key: "email:" + email, Max: t.perEmail},
	})
	if err != nil {
		return err
	}
	if retryAfter > 0 {
		return tooManyAttempts(retryAfter)
	}
	err = t.checkBounded(ctx, email, verify)
	if fault.KindOf(err) != fault.Unauthorized {
		if refundErr := t.limiter.Refund(context.WithoutCancel(ctx), ticket); refundErr != nil && err == nil {
			err = refundErr
		}
	}
	return err
}

// checkBounded runs verify once a slot is free overall and for email, waiting at most t.wait.
func (t *Throttle) checkBounded(ctx context.Context, email string, verify func(context.Context) error) error {
	waitCtx, cancel := context.WithTimeout(ctx, t.wait)
	defer cancel()
	slots := t.slotsOf(email)
	defer t.release(email)
	if err := slots.Acquire(waitCtx, 1); err != nil {
		return saturated(ctx, err)
	}
	defer slots.Release(1)
	if err := t.overall.Acquire(waitCtx, 1); err != nil {
		return saturated(ctx, err)
	}
	defer t.overall.Release(1)
	return verify(ctx)
}

func saturated(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &fault.Error{Kind: fault.Unavailable, RetryAfter: 1, Err: errors.Join(err, errSaturated),
		Detail: "Too many sign-ins are being checked right now. Retry shortly."}
}

var errSaturated = errors.New("auth: password checks saturated")

// slotsOf returns email's semaphore, creating it; release drops it when unused.
func (t *Throttle) slotsOf(email string) *semaphore.Weighted {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.byEmail[email]
	if !ok {
		s = &emailSlots{sem: semaphore.NewWeighted(perEmailChecks)}
		t.byEmail[email] = s
	}
	s.users++
	return s.sem
}

func (t *Throttle) release(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.byEmail[email]; s != nil {
		if s.users--; s.users == 0 {
			delete(t.byEmail, email)
		}
	}
}
