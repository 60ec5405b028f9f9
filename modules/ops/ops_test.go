package ops

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/logging"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

func newTestService(t *testing.T, d *dbtest.DB) *Service {
	t.Helper()
	cfg := config.Backup{Mode: config.BackupSelfManaged, Dir: t.TempDir(), KeepLast: 7, KeepDays: 14}
	metrics, err := NewMetrics(nil)
	require.NoError(t, err)
	s := NewService(d.DB, d.URL, "", cfg, logging.Discard(), metrics)
	t.Cleanup(s.Wait)
	return s
}

// seed adds categories and products, as psql would.
func seed(t *testing.T, d *dbtest.DB, n int) {
	t.Helper()
	require.NoError(t, d.Outside(t).Exec(`INSERT INTO categories (code, name) SELECT 'c' || i, 'Category ' || i FROM generate_series(1, 5) i`).Error)
	require.NoError(t, d.Outside(t).Exec(`INSERT INTO products (sku, name, price, category_id, attributes, translations)
		SELECT 'SKU-' || i, 'Product ' || i, i / 100.0, (SELECT min(id) FROM categories), jsonb_build_object('n', i),
		       jsonb_build_object('fr', jsonb_build_object('name', 'Produit ' || i))
		FROM generate_series(1, ?) i`, n).Error)
}

func waitFor(t *testing.T, s *Service, id int64) *Backup {
	t.Helper()
	s.Wait()
	b, err := s.Get(context.Background(), id)
	require.NoError(t, err)
	return b
}

// TestABackupTakenWhileWritesContinueRestoresToItsSnapshot: data, a backup while another client
// keeps writing, a deep verification, and a restore into a new database holding exactly the
// counted rows, table by table, with the same content.
func TestABackupTakenWhileWritesContinueRestoresToItsSnapshot(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed(t, d, 2000)
	s := newTestService(t, d)
	ctx := context.Background()

	var stop atomic.Bool
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := 0; !stop.Load(); i++ {
			_ = d.Outside(t).Exec("INSERT INTO products (sku, name, price) VALUES (?, 'During', 1)", "W-"+time.Now().Format("150405.000000")).Error
		}
	})
	b, err := s.Create(ctx)
	require.NoError(t, err)
	assert.Equal(t, "running", b.Status)
	b = waitFor(t, s, b.ID)
	stop.Store(true)
	writer.Wait()
	require.Equal(t, "succeeded", b.Status, "error: %s", deref(b.Error))
	info, err := os.Stat(filepath.Join(s.cfg.Dir, b.File))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.Equal(t, info.Size(), *b.SizeBytes)
	counts, _, err := b.recorded()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, counts["products"], int64(2000))
	entries, _ := os.ReadDir(s.cfg.Dir)
	assert.Len(t, entries, 1, "no temporary file left")

	v, err := s.Verify(ctx, b.ID)
	require.NoError(t, err)
	assert.True(t, v.OK, "%+v", v)
	_, err = s.VerifyDeep(ctx, b.ID)
	require.NoError(t, err)
	b = waitFor(t, s, b.ID)
	assert.Equal(t, "ok", deref(b.Verification), "deep verification: %s", deref(b.VerificationError))

	target := "restored_" + d.Name
	r, err := s.Restore(ctx, b.ID, target)
	require.NoError(t, err)
	s.Wait()
	r, err = s.GetRestore(ctx, b.ID, r.ID)
	require.NoError(t, err)
	require.Equal(t, "succeeded", r.Status, "%v", r.Error)
	defer func() { _ = d.Admin(context.Background(), "DROP DATABASE IF EXISTS "+target+" WITH (FORCE)") }()
	restored, err := s.openDatabase(ctx, target)
	require.NoError(t, err)
	defer restored.Close()
	require.NoError(t, compareWithRecord(ctx, restored, b), "the restore holds the snapshot, table by table")

	_, err = s.Restore(ctx, b.ID, target)
	assert.Equal(t, fault.Conflict, fault.KindOf(err), "an existing database is never overwritten")
	_, err = s.Restore(ctx, b.ID, "Bad-Name")
	assert.Equal(t, fault.Invalid, fault.KindOf(err))

	var events []string
	require.NoError(t, d.Outside(t).Raw(`SELECT action FROM audit_events WHERE entity_type = 'backup' AND entity_id = ? ORDER BY id`, b.ID).Scan(&events).Error)
	assert.Equal(t, "create", events[0], "audited: started")
	assert.GreaterOrEqual(t, len(events), 4, "and updated: succeeded, verified twice, restored: %v", events)
}

func TestACorruptedBackupFailsVerificationAndSaysWhy(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed(t, d, 50)
	s := newTestService(t, d)
	b, err := s.Create(context.Background())
	require.NoError(t, err)
	b = waitFor(t, s, b.ID)
	require.Equal(t, "succeeded", b.Status)
	path := filepath.Join(s.cfg.Dir, b.File)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	raw[len(raw)/2] ^= 0xff
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	v, err := s.Verify(context.Background(), b.ID)
	require.NoError(t, err)
	assert.False(t, v.OK)
	assert.Contains(t, v.Checks[0].Detail, "SHA-256")
	b, _ = s.Get(context.Background(), b.ID)
	assert.Equal(t, "failed", deref(b.Verification))

	require.NoError(t, os.WriteFile(path, []byte("not a dump"), 0o600))
	v, err = s.Verify(context.Background(), b.ID)
	require.NoError(t, err)
	assert.False(t, v.Checks[1].OK, "pg_restore cannot read it either: %+v", v)
}

// TestAKilledDumpLeavesNoFileAndAFailedRecord kills pg_dump as soon as it starts.
func TestAKilledDumpLeavesNoFileAndAFailedRecord(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed(t, d, 50)
	s := newTestService(t, d)
	s.started = func(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }
	b, err := s.Create(context.Background())
	require.NoError(t, err)
	b = waitFor(t, s, b.ID)
	assert.Equal(t, "failed", b.Status)
	require.NotNil(t, b.Error)
	assert.Contains(t, *b.Error, "pg_dump failed")
	assert.NotContains(t, *b.Error, d.URL)
	entries, _ := os.ReadDir(s.cfg.Dir)
	assert.Empty(t, entries, "nothing that looks like a backup")
	var leases int64
	require.NoError(t, d.Outside(t).Raw("SELECT count(*) FROM job_leases").Scan(&leases).Error)
	assert.Zero(t, leases, "the lease is released")
}

func TestOneBackupAtATimeWithALeaseThatExpires(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed(t, d, 50)
	s := newTestService(t, d)
	release := make(chan struct{})
	s.started = func(int) { <-release }
	first, err := s.Create(context.Background())
	require.NoError(t, err)
	other := newTestService(t, d) // another instance
	_, err = other.Create(context.Background())
	assert.Equal(t, fault.Conflict, fault.KindOf(err), "a second backup while one runs: %v", err)
	close(release)
	assert.Equal(t, "succeeded", waitFor(t, s, first.ID).Status)

	// An instance died mid-backup: its lease expired, its backup still says running.
	require.NoError(t, d.Outside(t).Exec(`INSERT INTO backups (id, status, file) OVERRIDING SYSTEM VALUE VALUES (900, 'running', 'x.dump');
		INSERT INTO job_leases (name, holder, subject_id, expires_at) VALUES ('backup', 'dead-instance', 900, now() - interval '1 minute')`).Error)
	took, err := other.Create(context.Background())
	require.NoError(t, err, "the expired lease is taken over")
	assert.Equal(t, "succeeded", waitFor(t, other, took.ID).Status)
	dead, err := other.Get(context.Background(), 900)
	require.NoError(t, err)
	assert.Equal(t, "failed", dead.Status)
	assert.Contains(t, deref(dead.Error), "lease expired")
}

func TestPruneKeepsExactlyWhatTheSettingsSay(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newTestService(t, d)
	s.cfg.KeepLast, s.cfg.KeepDays = 2, 3
	now := time.Now()
	type row struct {
		id     int64
		status string
		age    time.Duration
	}
	rows := []row{
		{1, "succeeded", 10 * 24 * time.Hour}, {2, "succeeded", 9 * 24 * time.Hour}, {3, "failed", 8 * 24 * time.Hour},
		{4, "succeeded", 2 * 24 * time.Hour}, {5, "failed", time.Hour}, {6, "succeeded", 5 * 24 * time.Hour},
	}
	for _, r := range rows {
		file := "f" + string(rune('0'+r.id)) + ".dump"
		require.NoError(t, os.WriteFile(filepath.Join(s.cfg.Dir, file), []byte("x"), 0o600))
		require.NoError(t, d.Outside(t).Exec(`INSERT INTO backups (id, status, file, started_at) OVERRIDING SYSTEM VALUE VALUES (?, ?, ?, ?)`,
			r.id, r.status, file, now.Add(-r.age)).Error)
	}
	deleted, err := s.Prune(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []int64{1, 2, 3}, deleted,
		"kept: 4 and 6 (the two newest succeeded), 5 (younger than 3 days)")
	var left []int64
	require.NoError(t, d.Outside(t).Raw("SELECT id FROM backups ORDER BY id").Scan(&left).Error)
	assert.Equal(t, []int64{4, 5, 6}, left)
	entries, _ := os.ReadDir(s.cfg.Dir)
	assert.Len(t, entries, 3, "their files went with them")
}

func TestAnOldPgDumpRefusesToStart(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newTestService(t, d)
	bin := t.TempDir()
	// A stand-in that reports an old version, as an outdated client package would.
	require.NoError(t, os.WriteFile(filepath.Join(bin, "pg_dump"), []byte("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n"), 0o700))
	s.tools.bin = bin
	_, err := s.Create(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pg_dump is version 13 but the server is PostgreSQL 15")
	assert.Contains(t, err.Error(), "postgresql-client-15")
}

func TestManagedModeTurnsBackupsOff(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	s := newTestService(t, d)
	s.cfg.Mode = config.BackupManaged
	_, err := s.Create(context.Background())
	assert.ErrorIs(t, err, ErrManaged)
	_, err = s.Verify(context.Background(), 1)
	assert.ErrorIs(t, err, ErrManaged)
	_, err = s.Restore(context.Background(), 1, "x")
	assert.ErrorIs(t, err, ErrManaged)
}

func TestTheLiveViewOfTheDatabase(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed(t, d, 100)
	s := newTestService(t, d)
	var one int
	for range 3 {
		require.NoError(t, d.QueryRow(context.Background(), "SELECT count(*)::int FROM products WHERE price > $1", []any{0}, &one))
	}
	info, err := s.Info(context.Background(), d.Stats(), d.ReplicaStatuses())
	require.NoError(t, err)
	assert.Positive(t, info.Database.SizeBytes)
	assert.NotEmpty(t, info.LargestTables)
	assert.Contains(t, info.Migration, "_")
	require.True(t, info.SlowestStatements.Available, info.SlowestStatements.Note)
	for _, st := range info.SlowestStatements.Items {
		assert.LessOrEqual(t, len(st.Query), 200)
		assert.Regexp(t, `(?i)^\s*(with|select|insert|update|delete)\s`, st.Query, "DML only")
	}
	_ = database.PoolStats{}
}
