package tests

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

func TestPasswordChangeRevokesEarlierTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "p@example.com", "staff")
	before := e.login(t, "p@example.com", password)
	require.Equal(t, http.StatusOK, e.as(before, http.MethodGet, "/api/v1/users/me", nil).Status)

	res := e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"password": "a brand new passphrase"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, http.StatusUnauthorized, e.as(before, http.MethodGet, "/api/v1/users/me", nil).Status,
		"a token issued before the password change stops working at once")
	after := e.login(t, "p@example.com", "a brand new passphrase")
	assert.Equal(t, http.StatusOK, e.as(after, http.MethodGet, "/api/v1/users/me", nil).Status)

	res = e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"full_name": "Renamed"})
	require.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, http.StatusOK, e.as(after, http.MethodGet, "/api/v1/users/me", nil).Status, "other changes keep tokens")
}

func TestReactivationDoesNotRevive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "r@example.com", "viewer")
	old := e.login(t, "r@example.com", password)
	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status)
	require.Equal(t, http.StatusOK, e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"is_active": true}).Status)
	assert.Equal(t, http.StatusUnauthorized, e.as(old, http.MethodGet, "/api/v1/users/me", nil).Status,
		"a reactivated user's old tokens stay dead")
	assert.Equal(t, http.StatusOK, e.as(e.login(t, "r@example.com", password), http.MethodGet, "/api/v1/users/me", nil).Status)
}

func TestRevokeTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "s@example.com", "viewer")
	first, second := e.login(t, "s@example.com", password), e.login(t, "s@example.com", password)

	res := e.as(first, http.MethodPost, "/api/v1/users/me/revoke-tokens", nil)
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	assert.Equal(t, http.StatusUnauthorized, e.as(first, http.MethodGet, "/api/v1/users/me", nil).Status)
	assert.Equal(t, http.StatusUnauthorized, e.as(second, http.MethodGet, "/api/v1/users/me", nil).Status, "sign out everywhere")

	third := e.login(t, "s@example.com", password)
	assert.Equal(t, http.StatusForbidden, e.as(third, http.MethodPost, userPath(e.adminID(t))+"/revoke-tokens", nil).Status,
		"only admins revoke other people's tokens")
	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodPost, userPath(id)+"/revoke-tokens", nil).Status)
	assert.Equal(t, http.StatusUnauthorized, e.as(third, http.MethodGet, "/api/v1/users/me", nil).Status)
	assert.Equal(t, http.StatusNotFound, e.as(e.admin, http.MethodPost, userPath(999999)+"/revoke-tokens", nil).Status)
}

// TestRevocationReachesOtherInstances: a second directory (another instance) trusting its cache
// for an hour learns of a revocation from the notification, within 5 seconds.
func TestRevocationReachesOtherInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "o@example.com", "viewer")
	other := user.NewDirectory(e.DB.DB, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = other.Listen(ctx) }()
	<-other.Listening()
	before, _, err := other.Account(ctx, id)
	require.NoError(t, err)

	require.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodPost, userPath(id)+"/revoke-tokens", nil).Status)
	require.Eventually(t, func() bool {
		acct, _, err := other.Account(ctx, id)
		return err == nil && acct.TokenGeneration == before.TokenGeneration+1
	}, 5*time.Second, 20*time.Millisecond)
}

func TestPasswordRulesCountCharactersAndRefuseCommonOnes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for pw, msg := range map[string]string{
		"🔥🔥🔥":          "must be at least 12 characters long",
		"Password1234": "is one of the most commonly used passwords",
		"ééééééééééééééééééééééééééééééééééééé": "must be at most 72 bytes long (in UTF-8)",
	} {
		res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
			"email": "x@example.com", "password": pw, "full_name": "X", "role": "viewer",
		})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, pw)
		assert.Equal(t, msg, res.FieldErrors()["password"], pw)
	}
	res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": "x@example.com", "password": "déjà vu à l'été", "full_name": "X", "role": "viewer",
	})
	assert.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
}

// TestGuardedRequestAnswers503WhenThePoolIsExhausted: the guard's account lookup waits for a
// connection no longer than the acquire timeout, like every other statement.
func TestGuardedRequestAnswers503WhenThePoolIsExhausted(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	cfg := dbtest.TestPoolConfig(d.URL)
	cfg.PoolSize, cfg.MaxOverflow, cfg.AcquireTimeout = 1, 1, time.Second
	small, err := database.Open(context.Background(), database.Options{Config: cfg, Logger: logging.Discard()})
	require.NoError(t, err)
	t.Cleanup(small.Close)
	e := newEnvOn(t, &dbtest.DB{DB: small, Owner: d.DB, Name: d.Name, URL: d.URL})
	e.newUser(t, "late@example.com", "viewer")
	token := e.login(t, "late@example.com", password) // not yet looked up by the guard

	release := make(chan struct{})
	held := make(chan struct{}, 2)
	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			_ = small.Write(context.Background(), func(context.Context) error { held <- struct{}{}; <-release; return nil })
			done <- struct{}{}
		}()
		<-held
	}
	start := time.Now()
	res := e.as(token, http.MethodGet, "/api/v1/users/me", nil)
	elapsed := time.Since(start)
	close(release)
	<-done
	<-done
	assert.Equal(t, http.StatusServiceUnavailable, res.Status, "%s", res.Body)
	assert.Less(t, elapsed, 5*time.Second, "answered within the acquire timeout, not the request deadline")
	assert.Equal(t, http.StatusOK, e.as(token, http.MethodGet, "/api/v1/users/me", nil).Status, "and recovers")
}
