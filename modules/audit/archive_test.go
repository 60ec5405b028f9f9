package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// snapshot is the content of a set of events, for comparing what left with what came back.
type snapshot struct {
	N       int64
	Content string
}

func contentOf(t *testing.T, psql *gorm.DB, from, to string) snapshot {
	t.Helper()
	var s snapshot
	require.NoError(t, psql.Raw(`SELECT count(*) AS n, coalesce(md5(string_agg(concat_ws('|', id, occurred_at, actor_user_id, action,
			entity_type, entity_id, request_id, changes::text), E'\n' ORDER BY id)), '') AS content
		FROM audit_events WHERE occurred_at >= ? AND occurred_at < ?`, from, to).Scan(&s).Error)
	return s
}

func archiveSetup(t *testing.T) (*Archiver, *gorm.DB, snapshot) {
	t.Helper()
	d := pg.New(t)
	psql := d.Outside(t)
	require.NoError(t, psql.Exec(`SELECT audit_ensure_partitions('2025-01-01T00:00:00Z', 3)`).Error)
	addEvents(t, psql, month("2025-01").Add(time.Hour), 1, 5)
	addEvents(t, psql, month("2025-02").Add(time.Hour), 2, 7)
	addEvents(t, psql, month("2025-03").Add(time.Hour), 3, 2)
	before := contentOf(t, psql, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z")
	require.Equal(t, int64(12), before.N)
	a := NewArchiver(d.DB, t.TempDir())
	return a, psql, before
}

func TestArchiveMovesWholeMonthsToVerifiedFilesAndRestoreBringsThemBack(t *testing.T) {
	t.Parallel()
	a, psql, before := archiveSetup(t)
	ctx := context.Background()

	dry, err := a.Archive(ctx, month("2025-03"), true)
	require.NoError(t, err)
	require.Len(t, dry, 2)
	assert.False(t, dry[0].Done)
	assert.Equal(t, int64(12), contentOf(t, psql, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z").N, "a dry run changes nothing")

	done, err := a.Archive(ctx, month("2025-03"), false)
	require.NoError(t, err)
	require.Len(t, done, 2)
	assert.Equal(t, []int64{5, 7}, []int64{done[0].Rows, done[1].Rows})
	for _, r := range done {
		assert.True(t, r.Done)
		info, err := os.Stat(r.File)
		require.NoError(t, err)
		assert.Positive(t, info.Size())
		assert.Len(t, r.SHA256, 64)
	}
	assert.Zero(t, contentOf(t, psql, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z").N, "no archived row is left in the table")
	assert.Equal(t, int64(2), contentOf(t, psql, "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z").N, "March stays")
	var parts int64
	require.NoError(t, psql.Raw(`SELECT count(*) FROM pg_class WHERE relname IN ('audit_events_y2025m01', 'audit_events_y2025m02')`).Scan(&parts).Error)
	assert.Zero(t, parts, "the partitions are dropped")
	var archived []string
	require.NoError(t, psql.Raw(`SELECT status FROM audit_archives ORDER BY month`).Scan(&archived).Error)
	assert.Equal(t, []string{"archived", "archived"}, archived)

	// The files restore into a scratch database with the same rows.
	scratch := pg.New(t)
	restorer := NewArchiver(scratch.DB, a.dir)
	for _, r := range done {
		got, err := restorer.Restore(ctx, r.File)
		require.NoError(t, err)
		assert.Equal(t, r.Rows, got.Rows)
	}
	assert.Equal(t, before, contentOf(t, scratch.Outside(t), "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z"),
		"the scratch database holds exactly the archived rows")

	// And back into the original one.
	_, err = a.Restore(ctx, done[0].File)
	require.NoError(t, err)
	assert.Equal(t, int64(5), contentOf(t, psql, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z").N)
	_, err = a.Restore(ctx, done[0].File)
	assert.Error(t, err, "restoring the same month twice fails on the primary key and loads nothing")
}

func TestAnInterruptedArchiveIsFinishedByTheNextRun(t *testing.T) {
	t.Parallel()
	a, psql, before := archiveSetup(t)
	ctx := context.Background()
	crash := errors.New("the process died")
	a.afterDetach = func(time.Time) error { return crash }

	_, err := a.Archive(ctx, month("2025-02"), false)
	require.ErrorIs(t, err, crash)
	var n int64
	require.NoError(t, psql.Raw(`SELECT count(*) FROM audit_events_y2025m01`).Scan(&n).Error)
	assert.Equal(t, int64(5), n, "the detached month's rows are still in the database")
	var status string
	require.NoError(t, psql.Raw(`SELECT status FROM audit_archives WHERE month = '2025-01-01'`).Scan(&status).Error)
	assert.Equal(t, "detached", status)

	a.afterDetach = nil
	done, err := a.Archive(ctx, month("2025-03"), false)
	require.NoError(t, err)
	require.Len(t, done, 2, "the interrupted January and February")
	assert.Equal(t, int64(5), done[0].Rows)
	entries, err := os.ReadDir(a.dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file left behind")

	scratch := pg.New(t)
	for _, r := range done {
		_, err := NewArchiver(scratch.DB, a.dir).Restore(ctx, r.File)
		require.NoError(t, err)
	}
	assert.Equal(t, before, contentOf(t, scratch.Outside(t), "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z"))
}

func TestACorruptArchiveIsRefused(t *testing.T) {
	t.Parallel()
	a, _, _ := archiveSetup(t)
	done, err := a.Archive(context.Background(), month("2025-02"), false)
	require.NoError(t, err)
	require.Len(t, done, 1)
	raw, err := os.ReadFile(done[0].File)
	require.NoError(t, err)
	raw[len(raw)/2] ^= 0xff
	require.NoError(t, os.WriteFile(done[0].File, raw, 0o600))
	_, err = a.Restore(context.Background(), done[0].File)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SHA-256")

	_, err = a.Restore(context.Background(), filepath.Join(a.dir, "not-an-archive.csv.gz"))
	assert.ErrorContains(t, err, "is not named like an archive")
	_, err = a.Archive(context.Background(), time.Now().AddDate(0, 2, 0), false)
	assert.ErrorContains(t, err, "only past months")
}
