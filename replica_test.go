package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

// streamingPair starts a primary and a streaming replica made from it with pg_basebackup.
func streamingPair(t *testing.T) (primary, standby *dbtest.Cluster) {
	t.Helper()
	primary = dbtest.StartCluster(t, dbtest.ClusterOptions{
		Settings: map[string]string{"wal_level": "replica", "max_wal_senders": "5", "hot_standby": "on"},
		HBA:      []string{"local all all trust", "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust"},
	})
	primary.Exec("postgres", "CREATE DATABASE erp")
	base, err := os.MkdirTemp("", "erp-basebackup-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o777))
	dir := filepath.Join(base, "data")
	out, err := primary.Command("pg_basebackup", "-h", "127.0.0.1", "-p", fmt.Sprint(primary.Port), "-U", "postgres",
		"-D", dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync").CombinedOutput()
	require.NoError(t, err, "%s", out)
	standby = dbtest.StartCluster(t, dbtest.ClusterOptions{From: dir, Settings: map[string]string{"hot_standby": "on"}})
	return primary, standby
}

// replicaService is one instance of the whole service reading from the replica.
type replicaService struct {
	api *apitest.API
	db  *database.DB
}

func newReplicaService(t *testing.T, primaryURL, replicaURL string) *replicaService {
	t.Helper()
	cfg := dbtest.TestPoolConfig(primaryURL)
	cfg.Replicas, cfg.MaxReplicaLagBytes = []string{replicaURL}, 8<<20
	d, err := database.Open(context.Background(), database.Options{Config: cfg, Logger: logging.Discard()})
	require.NoError(t, err)
	t.Cleanup(d.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = d.MonitorReplicas(ctx) }()
	api := apitest.New(t, &dbtest.DB{DB: d, Owner: d, URL: primaryURL}, func(deps *app.Deps) *app.Assembly {
		asm, err := assemble(deps)
		require.NoError(t, err)
		return asm
	})
	return &replicaService{api: api, db: d}
}

func (s *replicaService) replicaReads() int64 {
	var n int64
	for _, r := range s.db.ReplicaStatuses() {
		n += r.Reads
	}
	return n
}

func (s *replicaService) healthy() bool {
	st := s.db.ReplicaStatuses()
	return len(st) == 1 && st[0].Healthy
}

// TestReadsGoToTheReplicaButNeverBehindTheCallersWrites runs two instances of the service on a
// primary and a real streaming replica: reads move to the replica; with replay paused, a
// client's write on one instance is seen by its very next read on the other (its reads go to
// the primary until the replica has replayed the write), while other clients keep reading from
// the replica; with the replica stopped everything answers from the primary; started again,
// reads return to it.
func TestReadsGoToTheReplicaButNeverBehindTheCallersWrites(t *testing.T) {
	t.Parallel()
	start := time.Now()
	step := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }
	primary, standby := streamingPair(t)
	step("primary and replica up")
	primaryURL := primary.URL("postgres", "erp", "sslmode=disable")
	replicaURL := standby.URL("postgres", "erp", "sslmode=disable")
	ctx := context.Background()
	owner, err := database.Open(ctx, database.Options{Config: dbtest.TestPoolConfig(primaryURL).Owner(), Logger: logging.Discard()})
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, db.Migrate(ctx, owner))
	users := user.NewService(owner, 4, user.NewDirectory(owner, 0))
	_, err = users.CreateAdmin(ctx, "writer@example.com", "Writer", adminPassword)
	require.NoError(t, err)
	_, err = users.CreateAdmin(ctx, "reader@example.com", "Reader", adminPassword)
	require.NoError(t, err)

	a, b := newReplicaService(t, primaryURL, replicaURL), newReplicaService(t, primaryURL, replicaURL)
	writer := login(t, a.api, "writer@example.com", adminPassword)
	reader := login(t, b.api, "reader@example.com", adminPassword)
	as := func(s *replicaService, token, method, path string, body any) *apitest.Response {
		return s.api.Do(method, path, body, "Authorization", "Bearer "+token)
	}
	require.Equal(t, http.StatusCreated, as(a, writer, http.MethodPost, "/api/v1/products", map[string]any{"sku": "P-0", "name": "Before", "price": "1"}).Status)
	require.Eventually(t, func() bool { return a.healthy() && b.healthy() }, 20*time.Second, 50*time.Millisecond, "the replica joins the rotation")

	step("replica healthy")
	before := b.replicaReads()
	require.Eventually(t, func() bool {
		return as(b, reader, http.MethodGet, "/api/v1/products?sku=P-0", nil).Status == http.StatusOK && b.replicaReads() > before
	}, 10*time.Second, 50*time.Millisecond, "reads move to the replica")

	// Two reads in one request: the caller's write position is looked up once (1 round trip on
	// the primary), then each read is one round trip on the replica. The replica monitor's
	// checks may add trips to a measurement, never remove any: the least of a few counts.
	var readerID int64
	require.NoError(t, owner.QueryRow(ctx, "SELECT id FROM users WHERE email = 'reader@example.com'", nil, &readerID))
	fewest := int64(1 << 30)
	for range 5 {
		reqCtx := database.WithActor(ctx, readerID) // the reader never wrote
		before, readsBefore := b.db.Stats().RoundTrips, b.replicaReads()
		var n int64
		require.NoError(t, b.db.QueryRow(reqCtx, "SELECT count(*) FROM products", nil, &n))
		require.NoError(t, b.db.QueryRow(reqCtx, "SELECT count(*) FROM categories", nil, &n))
		require.Equal(t, readsBefore+2, b.replicaReads(), "both reads on the replica")
		fewest = min(fewest, b.db.Stats().RoundTrips-before)
	}
	assert.Equal(t, int64(3), fewest, "one position lookup per request, not per read")

	replica, err := database.Open(ctx, database.Options{Config: dbtest.TestPoolConfig(replicaURL), Logger: logging.Discard()})
	require.NoError(t, err)
	defer replica.Close()
	require.Eventually(t, func() bool {
		var n int64
		return replica.QueryRow(ctx, "SELECT count(*) FROM products", nil, &n) == nil && n == 1
	}, 10*time.Second, 50*time.Millisecond, "the replica has the first product")
	standby.Exec("erp", "SELECT pg_wal_replay_pause()")
	for i := range 5 {
		res := as(a, writer, http.MethodPost, "/api/v1/products", map[string]any{"sku": fmt.Sprintf("P-%d", i+1), "name": "After", "price": "2"})
		require.Equal(t, http.StatusCreated, res.Status)
		// At once, on the other instance: the replica has not replayed the write.
		got := as(b, writer, http.MethodGet, res.Header.Get("Location"), nil)
		assert.Equal(t, http.StatusOK, got.Status, "the writer reads its write on another instance (%d)", i)
	}
	readsBefore := b.replicaReads()
	for range 5 {
		assert.Equal(t, http.StatusOK, as(b, reader, http.MethodGet, "/api/v1/products?limit=5", nil).Status)
	}
	assert.Greater(t, b.replicaReads(), readsBefore, "other clients keep reading from the replica, within the lag limit")
	lists := as(b, reader, http.MethodGet, "/api/v1/products?limit=50", nil)
	var page struct {
		Items []any `json:"items"`
	}
	lists.JSON(&page)
	assert.Len(t, page.Items, 1, "their reads come from the paused replica, which has only the first product")

	step("paused checks done")
	standby.Stop()
	step("replica stopped")
	for range 3 {
		assert.Equal(t, http.StatusOK, as(b, reader, http.MethodGet, "/api/v1/products?limit=5", nil).Status,
			"with the replica down, reads answer from the primary, never a 503")
	}
	require.Eventually(t, func() bool { return !b.healthy() }, 10*time.Second, 50*time.Millisecond)
	step("replica out of rotation")
	standby.Start()
	step("replica started")
	standby.Exec("erp", "SELECT pg_wal_replay_resume()")
	require.Eventually(t, func() bool { return b.healthy() }, 20*time.Second, 100*time.Millisecond, "the replica rejoins")
	step("replica rejoined")
	readsBefore = b.replicaReads()
	require.Eventually(t, func() bool {
		return as(b, reader, http.MethodGet, "/api/v1/products?limit=5", nil).Status == http.StatusOK && b.replicaReads() > readsBefore
	}, 10*time.Second, 50*time.Millisecond, "reads return to the replica")

	// Readiness is about the primary: with it down and the replica up, the instance is not
	// ready (writes, the auth lookups and read-your-writes all need the primary).
	svc, err := app.Assemble(wiring(), apitest.Config(primaryURL), app.Databases{App: b.db, Owner: b.db}, logging.Discard())
	require.NoError(t, err)
	readyz := func() int {
		rec := httptest.NewRecorder()
		svc.HTTP.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, "/readyz", nil))
		return rec.Code
	}
	require.Equal(t, http.StatusOK, readyz())
	primary.Stop()
	step("primary stopped")
	assert.Equal(t, http.StatusServiceUnavailable, readyz(), "/readyz checks the primary")
	require.Error(t, b.db.Ping(ctx), "Ping checks the primary")
}
