package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/modules/user"
	"github.com/erp-foundation/erp/platform/apitest"
	"github.com/erp-foundation/erp/platform/app"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

// freezer stops and resumes every process of a cluster (the postmaster and its children), as
// a frozen VM, a `docker pause` or a partition that drops packets looks to a client.
type freezer struct {
	t    *testing.T
	pids []int
}

func (f *freezer) signal(sig syscall.Signal, postmaster int) {
	f.t.Helper()
	if sig == syscall.SIGSTOP {
		f.pids = append([]int{postmaster}, descendants(postmaster)...)
	}
	for _, pid := range f.pids {
		_ = syscall.Kill(pid, sig)
	}
}

// descendants lists the processes below pid (from /proc).
func descendants(pid int) []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
		if len(fields) > 1 {
			ppid, _ := strconv.Atoi(fields[1])
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []int
	for queue := []int{pid}; len(queue) > 0; queue = queue[1:] {
		for _, c := range children[queue[0]] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// TestAHungDatabaseAnswersEveryRequestWithinBounds runs the whole service, over real HTTP, on a
// PostgreSQL of its own, and freezes that server (SIGSTOP) while requests of every kind are in
// flight: each answers 503 (or 504) within 5 s instead of hanging; after SIGCONT the service
// serves again within 5 s without a restart, nothing acknowledged is lost, and a POST retried
// with its Idempotency-Key creates exactly one row.
func TestAHungDatabaseAnswersEveryRequestWithinBounds(t *testing.T) {
	t.Parallel()
	c := dbtest.StartCluster(t, dbtest.ClusterOptions{})
	c.Exec("postgres", "CREATE DATABASE erp")
	url := c.URL(c.User, "erp", "sslmode=disable")
	cfg := apitest.Config(url)
	cfg.Database = config.Database{ // the shipped defaults: acquire 1 s, statements 3 s
		URL: url, PoolSize: 4, MaxOverflow: 4, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: time.Minute,
		AcquireTimeout: time.Second, ConnectTimeout: 5 * time.Second, StatementTimeout: 30 * time.Second,
		QueryTimeout: 3 * time.Second, QueryExecMode: "cache_statement",
	}
	ctx := context.Background()
	owner, err := database.Open(ctx, database.Options{Config: cfg.Database.Owner(), Logger: logging.Discard()})
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, db.Migrate(ctx, owner))
	appDB, err := database.Open(ctx, database.Options{Config: cfg.Database, Logger: logging.Discard()})
	require.NoError(t, err)
	defer appDB.Close()

	svc, err := app.Assemble(wiring(), cfg, app.Databases{App: appDB, Owner: owner}, logging.Discard())
	require.NoError(t, err)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = svc.Serve(runCtx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 15 * time.Second}

	call := func(method, path, token string, body any, headers ...string) (int, time.Duration) {
		var reader *bytes.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			reader = bytes.NewReader(raw)
		} else {
			reader = bytes.NewReader(nil)
		}
		req, _ := http.NewRequestWithContext(ctx, method, base+path, reader)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, time.Since(start) // a dropped connection
		}
		_ = res.Body.Close()
		return res.StatusCode, time.Since(start)
	}
	users := user.NewService(appDB, 4, user.NewDirectory(appDB, 0))
	_, err = users.CreateAdmin(ctx, "admin@example.com", "Admin", adminPassword)
	require.NoError(t, err)
	_, err = users.CreateAdmin(ctx, "other@example.com", "Other", adminPassword)
	require.NoError(t, err)
	token := loginHTTP(t, client, base, "admin@example.com")
	otherToken := loginHTTP(t, client, base, "other@example.com") // its account is not cached yet
	status, _ := call(http.MethodPost, "/api/v1/products", token, map[string]any{"sku": "BEFORE", "name": "N", "price": "1"})
	require.Equal(t, http.StatusCreated, status)
	for range 3 { // warm the pool
		call(http.MethodGet, "/api/v1/products/1", token, nil)
		call(http.MethodGet, "/api/v1/products?limit=5", token, nil)
	}

	raw, err := os.ReadFile(filepath.Join(c.Dir, "postmaster.pid"))
	require.NoError(t, err)
	postmaster, err := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	require.NoError(t, err)
	f := &freezer{t: t}
	f.signal(syscall.SIGSTOP, postmaster)
	frozen := true
	defer func() {
		if frozen {
			f.signal(syscall.SIGCONT, postmaster)
		}
	}()

	kinds := map[string]func() (int, time.Duration){
		"GET by id": func() (int, time.Duration) { return call(http.MethodGet, "/api/v1/products/1", token, nil) },
		"list":      func() (int, time.Duration) { return call(http.MethodGet, "/api/v1/products?limit=5", token, nil) },
		"POST": func() (int, time.Duration) {
			return call(http.MethodPost, "/api/v1/products", token, map[string]any{"sku": "DURING", "name": "N", "price": "2"}, "Idempotency-Key", "during-1")
		},
		"PATCH": func() (int, time.Duration) {
			return call(http.MethodPatch, "/api/v1/products/1", token, map[string]any{"name": "M"})
		},
		"login": func() (int, time.Duration) {
			return call(http.MethodPost, "/api/v1/auth/token", "", map[string]any{"email": "admin@example.com", "password": adminPassword})
		},
		"uncached account":   func() (int, time.Duration) { return call(http.MethodGet, "/api/v1/users/me", otherToken, nil) },
		"readiness":          func() (int, time.Duration) { return call(http.MethodGet, "/readyz", "", nil) },
		"GET by id (second)": func() (int, time.Duration) { return call(http.MethodGet, "/api/v1/products/1", token, nil) },
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string][2]any{}
	for name, fn := range kinds {
		wg.Go(func() {
			status, took := fn()
			mu.Lock()
			results[name] = [2]any{status, took}
			mu.Unlock()
		})
		time.Sleep(100 * time.Millisecond) // some arrive while others are already stuck
	}
	wg.Wait()
	for name, r := range results {
		status, took := r[0].(int), r[1].(time.Duration)
		assert.Contains(t, []int{http.StatusServiceUnavailable, http.StatusGatewayTimeout}, status, "%s answered %d", name, status)
		assert.Less(t, took, 5*time.Second, "%s took %s", name, took)
		t.Logf("frozen database: %-20s -> %d in %s", name, status, took.Round(time.Millisecond))
	}

	f.signal(syscall.SIGCONT, postmaster)
	frozen = false
	resumed := time.Now()
	require.Eventually(t, func() bool {
		s, _ := call(http.MethodGet, "/api/v1/products/1", token, nil)
		return s == http.StatusOK
	}, 5*time.Second, 50*time.Millisecond, "the service serves again by itself")
	t.Logf("serving again %s after the database resumed", time.Since(resumed).Round(time.Millisecond))

	status, _ = call(http.MethodPost, "/api/v1/products", token, map[string]any{"sku": "DURING", "name": "N", "price": "2"}, "Idempotency-Key", "during-1")
	assert.Contains(t, []int{http.StatusCreated}, status, "the retry with the same key succeeds (fresh or replayed)")
	var counts struct{ Before, During int64 }
	require.NoError(t, owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sku = 'BEFORE'), count(*) FILTER (WHERE sku = 'DURING') FROM products`,
		nil, &counts.Before, &counts.During))
	assert.Equal(t, int64(1), counts.Before, "the write acknowledged before the freeze is there")
	assert.Equal(t, int64(1), counts.During, "the retried POST created exactly one row")
}

func loginHTTP(t *testing.T, client *http.Client, base, email string) string {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"email": email, "password": adminPassword})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, base+"/api/v1/auth/token", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var tok user.TokenResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	return tok.AccessToken
}
