package auth

import (
	"math"
	"sync"
	"time"
)

// FailureLimiter counts failed logins per key (an email, a client address) over a sliding
// minute. It lives in the process: with several instances each enforces the limit on the
// traffic it sees.
type FailureLimiter struct {
	mu       sync.Mutex
	limit    int
	window   time.Duration
	failures map[string][]time.Time
	now      func() time.Time
}

// NewFailureLimiter allows limit failures per key per minute.
func NewFailureLimiter(limit int) *FailureLimiter {
	return &FailureLimiter{limit: limit, window: time.Minute, failures: map[string][]time.Time{}, now: time.Now}
}

// Blocked reports whether any key is over the limit, and for how long (whole seconds, at
// least 1) it stays so.
func (l *FailureLimiter) Blocked(keys ...string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := time.Duration(0)
	for _, k := range keys {
		recent := l.prune(k, now)
		if len(recent) >= l.limit {
			wait = max(wait, recent[len(recent)-l.limit].Add(l.window).Sub(now))
		}
	}
	if wait <= 0 {
		return false, 0
	}
	return true, max(1, int(math.Ceil(wait.Seconds())))
}

// Fail records a failure for each key.
func (l *FailureLimiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		l.failures[k] = append(l.prune(k, now), now)
	}
	if len(l.failures) > 100_000 { // bound memory under a flood of distinct keys
		for k := range l.failures {
			if len(l.prune(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// Reset forgets a key's failures (after a successful login).
func (l *FailureLimiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// prune drops failures older than the window; the caller holds mu.
func (l *FailureLimiter) prune(k string, now time.Time) []time.Time {
	list := l.failures[k]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.window {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(l.failures, k)
		return nil
	}
	l.failures[k] = list
	return list
}
