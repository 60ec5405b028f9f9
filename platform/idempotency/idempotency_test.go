package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/auth"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/httperr"
	"github.com/erp-foundation/erp/platform/idempotency"
	"github.com/erp-foundation/erp/platform/logging"
)

var pg = dbtest.NewServer(func(ctx context.Context, d *database.DB) error {
	return d.Write(ctx, func(ctx context.Context) error {
		return d.Gorm(ctx).Exec(`
		CREATE TABLE idempotency_keys (
			user_id bigint NOT NULL, key text NOT NULL, request_hash text NOT NULL, status integer NOT NULL,
			headers jsonb NOT NULL DEFAULT '{}', body bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
			expires_at timestamptz NOT NULL, PRIMARY KEY (user_id, key));
		CREATE TABLE things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
			CONSTRAINT ck_things_name CHECK (name <> 'refused-at-commit') NOT DEFERRABLE);
		CREATE FUNCTION things_deferred() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.name = 'fails-at-commit' THEN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END IF; RETURN NULL; END $$;
		CREATE CONSTRAINT TRIGGER things_deferred AFTER INSERT ON things DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION things_deferred();
		-- Keeping the outcome of key "deadlock-once" fails once with a deadlock (a sequence
		-- counts outside the transaction), which the seam's Write retries.
		CREATE SEQUENCE deadlock_once;
		CREATE FUNCTION keys_deadlock_once() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.key = 'deadlock-once' AND nextval('deadlock_once') = 1 THEN
			RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER keys_deadlock_once BEFORE INSERT ON idempotency_keys
			FOR EACH ROW EXECUTE FUNCTION keys_deadlock_once();`).Error
	})
})

func TestMain(m *testing.M) { pg.Main(m) }

// service is one instance: POST /things creates a thing (201 + Location), POST /boom writes a
// thing and then fails with 500; gate, when set, holds /things until it is closed.
type service struct {
	handler http.Handler
	runs    atomic.Int32
	// The first request for a thing named "slow" waits in the handler for gate.
	blocked atomic.Bool
	gate    chan struct{}
	entered chan struct{}
}

func newService(t *testing.T, d *database.DB) *service {
	t.Helper()
	gin.SetMode(gin.TestMode)
	s := &service{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	reg := httperr.NewRegistry()
	log := logging.Discard()
	keys := idempotency.New(d, reg, log)
	e := gin.New()
	e.Use(httperr.Middleware(reg, log), httperr.Recover(log))
	user := func(c *gin.Context) {
		c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), auth.Principal{UserID: 7, Role: auth.RoleAdmin}))
	}
	e.POST("/things", user, keys.Middleware, httperr.Handle(func(c *gin.Context) error {
		s.runs.Add(1)
		var body struct{ Name string }
		if err := c.ShouldBindJSON(&body); err != nil {
			return fault.New(fault.BadRequest, "bad body")
		}
		name := body.Name
		if name == "slow" && s.blocked.CompareAndSwap(false, true) {
			s.entered <- struct{}{}
			<-s.gate
		}
		var id int64
		_, err := d.Change(c.Request.Context(), "INSERT INTO things (name) VALUES ($1) RETURNING id", []any{name},
			func(row pgx.CollectableRow) error { return row.Scan(&id) })
		if err != nil {
			return err
		}
		c.Header("Location", fmt.Sprintf("/things/%d", id))
		c.JSON(http.StatusCreated, gin.H{"id": id, "name": name})
		return nil
	}))
	e.POST("/boom", user, keys.Middleware, httperr.Handle(func(c *gin.Context) error {
		s.runs.Add(1)
		if _, err := d.Change(c.Request.Context(), "INSERT INTO things (name) VALUES ('from-boom')", nil, nil); err != nil {
			return err
		}
		return errors.New("something broke after the write")
	}))
	s.handler = e
	return s
}

func (s *service) post(path, body, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(idempotency.Header, key)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

func things(t *testing.T, d *dbtest.DB) int64 {
	t.Helper()
	var n int64
	require.NoError(t, d.Outside(t).Raw("SELECT count(*) FROM things").Scan(&n).Error)
	return n
}

func TestARetryGetsTheFirstOutcome(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newService(t, d.DB)
	first := s.post("/things", `{"name":"a"}`, "key-1")
	require.Equal(t, http.StatusCreated, first.Code, first.Body.String())
	again := s.post("/things", `{"name":"a"}`, "key-1")
	assert.Equal(t, http.StatusCreated, again.Code)
	assert.Equal(t, "true", again.Header().Get(idempotency.ReplayedHeader))
	assert.Equal(t, first.Body.String(), again.Body.String())
	assert.Equal(t, first.Header().Get("Location"), again.Header().Get("Location"))
	assert.Empty(t, first.Header().Get(idempotency.ReplayedHeader))
	assert.Equal(t, int32(1), s.runs.Load(), "the retry changed nothing")
	assert.Equal(t, int64(1), things(t, d))

	other := s.post("/things", `{"name":"b"}`, "key-1")
	assert.Equal(t, http.StatusUnprocessableEntity, other.Code)
	assert.Contains(t, other.Body.String(), `"code":"idempotency_key_reused"`)
	assert.Equal(t, http.StatusCreated, s.post("/things", `{"name":"b"}`, "key-2").Code, "another key is another request")
	assert.Equal(t, http.StatusCreated, s.post("/things", `{"name":"c"}`, "").Code, "no key, no bookkeeping")

	for _, bad := range []string{strings.Repeat("k", 256), "tab\there", "é"} {
		assert.Equal(t, http.StatusBadRequest, s.post("/things", `{"name":"z"}`, bad).Code, "%q", bad)
	}
}

func TestAFailedRequestIsKeptUnlessItIsA5xx(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newService(t, d.DB)
	require.Equal(t, http.StatusCreated, s.post("/things", `{"name":"taken"}`, "").Code)

	dup := s.post("/things", `{"name":"taken"}`, "dup")
	require.Equal(t, http.StatusConflict, dup.Code, dup.Body.String())
	again := s.post("/things", `{"name":"taken"}`, "dup")
	assert.Equal(t, http.StatusConflict, again.Code, "a 4xx outcome is kept")
	assert.Equal(t, "true", again.Header().Get(idempotency.ReplayedHeader))
	assert.Equal(t, int32(2), s.runs.Load())

	boom := s.post("/boom", `{}`, "b5")
	require.Equal(t, http.StatusInternalServerError, boom.Code)
	assert.Equal(t, int64(1), things(t, d), "the 500's write was rolled back")
	assert.Equal(t, http.StatusInternalServerError, s.post("/boom", `{}`, "b5").Code)
	assert.Equal(t, int32(4), s.runs.Load(), "a 5xx is not kept: the retry ran again")

	commit := s.post("/things", `{"name":"fails-at-commit"}`, "c1")
	require.Equal(t, http.StatusUnprocessableEntity, commit.Code, "the COMMIT failed: %s", commit.Body)
	assert.Empty(t, commit.Header().Get("Location"), "the buffered 201 never reached the client")
	assert.Equal(t, int64(1), things(t, d))
	var kept int64
	require.NoError(t, d.Outside(t).Raw("SELECT count(*) FROM idempotency_keys WHERE key = 'c1'").Scan(&kept).Error)
	assert.Zero(t, kept, "the outcome commits with the change or not at all")
}

// TestATransactionRetryNeverKeepsAnOutcomeWithoutItsChange: when keeping the outcome fails
// with a deadlock, the transaction (the handler's change included) is rolled back. The handler
// cannot run a second time inside the retry, so the request answers 503 and keeps nothing;
// the client's retry with the same key then runs it for real.
func TestATransactionRetryNeverKeepsAnOutcomeWithoutItsChange(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newService(t, d.DB)
	first := s.post("/things", `{"name":"a"}`, "deadlock-once")
	assert.Equal(t, http.StatusServiceUnavailable, first.Code, first.Body.String())
	assert.Equal(t, "1", first.Header().Get("Retry-After"))
	assert.Zero(t, things(t, d), "the change was rolled back with the outcome")
	again := s.post("/things", `{"name":"a"}`, "deadlock-once")
	require.Equal(t, http.StatusCreated, again.Code, again.Body.String())
	assert.Empty(t, again.Header().Get(idempotency.ReplayedHeader), "nothing was kept to replay")
	assert.Equal(t, int64(1), things(t, d))
	assert.Equal(t, int32(2), s.runs.Load())
}

func TestARetryWhileTheFirstRunsIsAConflict(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newService(t, d.DB)
	first := make(chan int, 1)
	go func() { first <- s.post("/things", `{"name":"slow"}`, "k").Code }()
	<-s.entered
	busy := s.post("/things", `{"name":"slow"}`, "k")
	assert.Equal(t, http.StatusConflict, busy.Code)
	assert.Contains(t, busy.Body.String(), `"code":"idempotency_key_in_flight"`)
	close(s.gate)
	assert.Equal(t, http.StatusCreated, <-first)
	assert.Equal(t, http.StatusCreated, s.post("/things", `{"name":"slow"}`, "k").Code, "then replayed")
	assert.Equal(t, int64(1), things(t, d))
}

// TestKeysHoldAcrossInstances: two instances on one database; concurrent retries of one key
// create exactly one row, and every answer is the same 201 or the in-flight 409.
func TestKeysHoldAcrossInstances(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	a, b := newService(t, d.DB), newService(t, d.DB)
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() { codes <- s.post("/things", `{"name":"once"}`, "shared").Code })
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		assert.Contains(t, []int{http.StatusCreated, http.StatusConflict}, c)
	}
	assert.Equal(t, int64(1), things(t, d), "exactly one row")
	replay := b.post("/things", `{"name":"once"}`, "shared")
	assert.Equal(t, http.StatusCreated, replay.Code)
	assert.Equal(t, "true", replay.Header().Get(idempotency.ReplayedHeader))
}

func TestPurgeExpiredDeletesOnlyExpiredOutcomes(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	_, err := d.Change(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, expires_at)
		VALUES (1, 'old', 'h', 201, '', now() - interval '1 second'), (1, 'live', 'h', 201, '', now() + interval '1 hour')`, nil, nil)
	require.NoError(t, err)
	idempotency.New(d.DB, httperr.NewRegistry(), logging.Discard()).PurgeExpired(ctx)
	var left []string
	require.NoError(t, d.Query(ctx, "SELECT key FROM idempotency_keys ORDER BY key", nil, func(row pgx.CollectableRow) error {
		var key string
		err := row.Scan(&key)
		left = append(left, key)
		return err
	}))
	assert.Equal(t, []string{"live"}, left)
}
