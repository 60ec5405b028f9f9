package auth

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// Limit is one budget of login attempts: at most Max attempts a minute under Key.
type Limit struct {
	Key string
	Max int
}

// Ticket is one counted attempt, for Refund.
type Ticket struct {
	Keys []string
	At   time.Time
	// IDs are the stored attempts (PostgresLimiter).
	IDs []int64
}

// Limiter counts login attempts against several limits at once. The login throttle keeps it
// behind this interface so that the counters can live in this process (MemoryLimiter) or in a
// store every instance shares.
type Limiter interface {
	// Take counts one attempt against every limit, atomically, unless one of them is
	// exhausted: then it counts nothing and returns how many seconds (1-60) until that limit
	// frees a slot.
	Take(ctx context.Context, limits []Limit) (t Ticket, retryAfter int, err error)
	// Refund takes back a counted attempt (the login succeeded, or was never checked).
	Refund(ctx context.Context, t Ticket) error
}

// window is how long an attempt counts.
const window = time.Minute

// MemoryLimiter is a Limiter over a sliding minute kept in this process: with several
// instances, each counts only the attempts it sees.
type MemoryLimiter struct {
	mu       sync.Mutex
	attempts map[string][]time.Time
	now      func() time.Time
}

// NewMemoryLimiter returns an empty in-process limiter.
func NewMemoryLimiter() *MemoryLimiter {
	return &MemoryLimiter{attempts: map[string][]time.Time{}, now: time.Now}
}

// Take implements Limiter.
func (l *MemoryLimiter) Take(_ context.Context, limits []Limit) (Ticket, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := time.Duration(0)
	for _, lim := range limits {
		recent := l.prune(lim.Key, now)
		if len(recent) >= lim.Max {
			wait = max(wait, recent[len(recent)-lim.Max].Add(window).Sub(now))
		}
	}
	if wait > 0 {
		return Ticket{}, min(60, max(1, int(math.Ceil(wait.Seconds())))), nil
	}
	t := Ticket{At: now}
	for _, lim := range limits {
		l.attempts[lim.Key] = append(l.attempts[lim.Key], now)
		t.Keys = append(t.Keys, lim.Key)
	}
	l.sweep(now)
	return t, 0, nil
}

// Refund implements Limiter.
func (l *MemoryLimiter) Refund(_ context.Context, t Ticket) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range t.Keys {
		list := l.attempts[k]
		if i := slices.IndexFunc(list, t.At.Equal); i >= 0 {
			l.attempts[k] = slices.Delete(list, i, i+1)
		}
	}
	return nil
}

// prune drops attempts older than the window; the caller holds mu.
func (l *MemoryLimiter) prune(k string, now time.Time) []time.Time {
	list := l.attempts[k]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= window {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(l.attempts, k)
		return nil
	}
	l.attempts[k] = list
	return list
}

// sweep bounds memory under a flood of distinct keys; the caller holds mu.
func (l *MemoryLimiter) sweep(now time.Time) {
	if len(l.attempts) <= 100_000 {
		return
	}
	for k := range l.attempts {
		l.prune(k, now)
	}
}
