package tests

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/auth"
)

func TestEveryBadLoginLooksTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "gone@example.com", "viewer")
	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status)

	var bodies []map[string]any
	for _, creds := range [][2]string{
		{"nobody@example.com", password},         // unknown email
		{"admin@example.com", "wrong password!"}, // wrong password
		{"gone@example.com", password},           // deactivated
	} {
		res := e.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": creds[0], "password": creds[1]})
		require.Equal(t, http.StatusUnauthorized, res.Status, creds[0])
		assert.Equal(t, "Bearer", res.Header.Get("WWW-Authenticate"))
		body := res.Map()
		delete(body, "request_id")
		bodies = append(bodies, body)
	}
	assert.Equal(t, bodies[0], bodies[1])
	assert.Equal(t, bodies[0], bodies[2])
	assert.Equal(t, "Invalid email or password.", bodies[0]["detail"])
}

func TestLoginBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assert.Equal(t, http.StatusBadRequest, e.Do(http.MethodPost, "/api/v1/auth/token", `{"email":`).Status)
	res := e.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": 5, "extra": true})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{"email": "must be a string", "extra": "unknown field", "password": "is required"}, res.FieldErrors())
	assert.Equal(t, http.StatusUnsupportedMediaType, e.Do(http.MethodPost, "/api/v1/auth/token", `{}`, "Content-Type", "text/plain").Status)
}

func TestRepeatedFailuresAreLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 10 {
		res := e.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": "admin@example.com", "password": "guess number " + strconv.Itoa(i)})
		require.Equal(t, http.StatusUnauthorized, res.Status, "attempt %d", i+1)
	}
	res := e.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": "admin@example.com", "password": password})
	require.Equal(t, http.StatusTooManyRequests, res.Status, "the 11th attempt in a minute is refused, even with the right password")
	assert.Equal(t, "too_many_requests", res.Problem().Code)
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.InDelta(t, 60, retry, 5)
}

func TestDeactivatedAndDemotedUsersLoseAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "v@example.com", "admin")
	token := e.login(t, "v@example.com", password)
	require.Equal(t, http.StatusOK, e.as(token, http.MethodGet, "/api/v1/users", nil).Status)

	require.Equal(t, http.StatusOK, e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"role": "viewer"}).Status)
	assert.Equal(t, http.StatusForbidden, e.as(token, http.MethodGet, "/api/v1/users", nil).Status, "demoted: at once on this instance")
	assert.Equal(t, http.StatusOK, e.as(token, http.MethodGet, "/api/v1/users/me", nil).Status)

	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status)
	res := e.as(token, http.MethodGet, "/api/v1/users/me", nil)
	assert.Equal(t, http.StatusUnauthorized, res.Status, "deactivated: its token stops working")
}

// TestOtherInstancesLearnWithinSeconds runs a second directory, as another instance of the
// service would, with a cache that would trust a stale account for an hour: only the change
// notification can tell it that the user was deactivated through the first instance.
func TestOtherInstancesLearnWithinSeconds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "far@example.com", "staff")
	other := user.NewDirectory(e.DB.DB, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = other.Listen(ctx) }()
	select {
	case <-other.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("the other instance never started listening")
	}

	acct, ok, err := other.Account(ctx, id)
	require.NoError(t, err)
	require.True(t, ok && acct.Active)

	start := time.Now()
	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status)
	require.Eventually(t, func() bool {
		acct, _, err := other.Account(ctx, id)
		return err == nil && !acct.Active
	}, 5*time.Second, 20*time.Millisecond)
	t.Logf("the other instance saw the deactivation after %s", time.Since(start).Round(time.Millisecond))
}

// TestLoginLimitsHoldAcrossInstances: two instances on one database count failed logins in
// PostgreSQL, so together they give a guesser the budget of one, also when the guesses arrive
// in parallel on both.
func TestLoginLimitsHoldAcrossInstances(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	instance := func() *apitest.API {
		return apitest.New(t, d, func(deps *app.Deps) *app.Assembly {
			tokens := auth.NewTokens(deps.Config.Auth)
			dir := user.NewDirectory(deps.DB, 0)
			svc := user.NewService(deps.DB, deps.Config.Auth.BcryptCost, dir)
			return &app.Assembly{
				Modules: []app.Module{user.NewHandler(svc, deps.Lists, tokens, auth.NewThrottle(deps.Config.Auth, auth.NewPostgresLimiter(deps.DB)))},
				Guard:   auth.NewGuard(tokens, dir).Require,
			}
		})
	}
	a, b := instance(), instance()
	_, err := user.NewService(d.DB, 4, user.NewDirectory(d.DB, 0)).CreateAdmin(context.Background(), "admin@example.com", "Admin", password)
	require.NoError(t, err)

	var wg sync.WaitGroup
	statuses := make(chan int, 40)
	for i := range 40 {
		api := a
		if i%2 == 1 {
			api = b
		}
		wg.Go(func() {
			statuses <- api.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": "admin@example.com", "password": "wrong guess " + strconv.Itoa(i)}).Status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	// At most the budget of one instance was checked (two separate budgets would allow 20); the
	// rest were refused, with 429, or with 503 when a password check waited over a second on
	// a loaded machine (such an attempt is refunded, so another guess may take its place).
	assert.LessOrEqual(t, count[http.StatusUnauthorized], 10, "the budget of one instance, for both: %v", count)
	assert.Equal(t, 40, count[http.StatusUnauthorized]+count[http.StatusTooManyRequests]+count[http.StatusServiceUnavailable], "%v", count)
	assert.Positive(t, count[http.StatusTooManyRequests], "%v", count)
	// Once the shared budget is spent (a refunded 503 may have left a guess in it), every
	// instance refuses, even the right password.
	for range 10 {
		if a.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": "admin@example.com", "password": "one more guess"}).Status == http.StatusTooManyRequests {
			break
		}
	}
	for _, api := range []*apitest.API{a, b} {
		res := api.Do(http.MethodPost, "/api/v1/auth/token", map[string]any{"email": "admin@example.com", "password": password})
		assert.Equal(t, http.StatusTooManyRequests, res.Status, "every instance refuses, even the right password")
	}
}

func TestPurgeOldLeavesTheAttemptsOfTheLastMinute(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	_, err := d.Change(ctx, `INSERT INTO login_attempts (key, at)
		VALUES ('old', now() - interval '2 minutes'), ('recent', now() - interval '10 seconds')`, nil, nil)
	require.NoError(t, err)
	auth.NewPostgresLimiter(d.DB).PurgeOld(ctx)
	var keys []string
	require.NoError(t, d.Query(ctx, "SELECT key FROM login_attempts", nil, func(row pgx.CollectableRow) error {
		var key string
		err := row.Scan(&key)
		keys = append(keys, key)
		return err
	}))
	assert.Equal(t, []string{"recent"}, keys)
}
