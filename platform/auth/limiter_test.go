package auth

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/fault"
)

func TestMemoryLimiterCountsOnArrivalAndRefunds(t *testing.T) {
	l := NewMemoryLimiter()
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return now }
	ctx := context.Background()
	limits := []Limit{{Key: "a", Max: 3}, {Key: "b", Max: 5}}
	var tickets []Ticket
	for range 3 {
		tk, wait, err := l.Take(ctx, limits)
		require.NoError(t, err)
		require.Zero(t, wait)
		tickets = append(tickets, tk)
		now = now.Add(10 * time.Second)
	}
	_, wait, _ := l.Take(ctx, limits)
	assert.Equal(t, 30, wait, "until the oldest attempt leaves the minute")
	assert.Len(t, l.attempts["b"], 3, "a refused attempt counts nowhere")

	require.NoError(t, l.Refund(ctx, tickets[2]))
	_, wait, _ = l.Take(ctx, limits)
	assert.Zero(t, wait, "a refunded attempt frees its slot")

	for range 2 { // b reaches its 5
		_, wait, _ = l.Take(ctx, []Limit{{Key: "b", Max: 5}, {Key: "c", Max: 10}})
		assert.Zero(t, wait)
	}
	_, wait, _ = l.Take(ctx, []Limit{{Key: "b", Max: 5}, {Key: "c", Max: 10}})
	assert.Equal(t, 30, wait, "any exhausted limit refuses the attempt")
	now = now.Add(31 * time.Second)
	_, wait, _ = l.Take(ctx, limits)
	assert.Zero(t, wait, "a sliding minute")
}

func throttleConfig() config.Auth {
	return config.Auth{LoginFailuresPerMinute: 10, LoginFailuresPerEmail: 50, LoginFailuresPerAddr: 100, MaxPasswordChecks: 4}
}

var errWrongPassword = fault.New(fault.Unauthorized, "Invalid email or password.")

func TestParallelWrongPasswordsAreLimitedAsTheyArrive(t *testing.T) {
	th := NewThrottle(throttleConfig(), NewMemoryLimiter())
	var checked atomic.Int32
	var wg sync.WaitGroup
	kinds := make(chan fault.Kind, 40)
	for range 40 {
		wg.Go(func() {
			err := th.Check(context.Background(), "Victim@example.com", "203.0.113.7", func(context.Context) error {
				checked.Add(1)
				time.Sleep(20 * time.Millisecond)
				return errWrongPassword
			})
			kinds <- fault.KindOf(err)
		})
	}
	wg.Wait()
	close(kinds)
	count := map[fault.Kind]int{}
	for k := range kinds {
		count[k]++
	}
	assert.Equal(t, 10, count[fault.Unauthorized], "exactly the budget is checked")
	assert.Equal(t, 30, count[fault.TooManyRequests], "the rest get 429 at once")
	assert.Equal(t, int32(10), checked.Load(), "refused attempts never reach the password check")
}

func TestLimitScopes(t *testing.T) {
	th := NewThrottle(throttleConfig(), NewMemoryLimiter())
	ctx := context.Background()
	fail := func(email, addr string) fault.Kind {
		return fault.KindOf(th.Check(ctx, email, addr, func(context.Context) error { return errWrongPassword }))
	}
	for range 10 {
		require.Equal(t, fault.Unauthorized, fail("a@example.com", "198.51.100.1"))
	}
	assert.Equal(t, fault.TooManyRequests, fail("A@EXAMPLE.COM", "198.51.100.1"), "one email from one address: 10, any case")
	assert.Equal(t, fault.Unauthorized, fail("a@example.com", "198.51.100.2"), "a stranger's guesses do not lock the account elsewhere")
	correct := th.Check(ctx, "a@example.com", "198.51.100.1", func(context.Context) error { return nil })
	assert.Equal(t, fault.TooManyRequests, fault.KindOf(correct), "a correct password is refused while the limit holds")

	for i := range 39 { // 11 counted so far for this email; 50 across addresses
		require.Equal(t, fault.Unauthorized, fail("a@example.com", "192.0.2."+itoa(i)))
	}
	assert.Equal(t, fault.TooManyRequests, fail("a@example.com", "192.0.2.200"), "one email from all addresses: 50")

	for i := range 100 {
		require.Equal(t, fault.Unauthorized, fail("user"+itoa(i)+"@example.com", "203.0.113.9"))
	}
	assert.Equal(t, fault.TooManyRequests, fail("new@example.com", "203.0.113.9"), "one address: 100")
}

func TestSuccessIsRefunded(t *testing.T) {
	th := NewThrottle(throttleConfig(), NewMemoryLimiter())
	for range 30 {
		require.NoError(t, th.Check(context.Background(), "b@example.com", "192.0.2.1", func(context.Context) error { return nil }))
	}
}

func TestSaturatedPasswordChecksAnswer503WithinASecond(t *testing.T) {
	cfg := throttleConfig()
	cfg.MaxPasswordChecks = 1
	th := NewThrottle(cfg, NewMemoryLimiter())
	release := make(chan struct{})
	busy := make(chan struct{})
	go func() {
		_ = th.Check(context.Background(), "slow@example.com", "192.0.2.1", func(context.Context) error {
			close(busy)
			<-release
			return nil
		})
	}()
	<-busy
	start := time.Now()
	err := th.Check(context.Background(), "other@example.com", "192.0.2.2", func(context.Context) error { return nil })
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, fault.Unavailable, fe.Kind)
	assert.Equal(t, 1, fe.RetryAfter)
	assert.Less(t, time.Since(start), 3*time.Second, "waits about a second, not for the busy check")
	close(release)
	require.NoError(t, th.Check(context.Background(), "other@example.com", "192.0.2.2", func(context.Context) error { return nil }),
		"a 503 did not count as a failure, and the slot is free again")
}

func itoa(i int) string { return fmt.Sprint(i) }
