package db_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/platform/dbtest"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

func appliedCount(t *testing.T, m *db.Migrator) int {
	t.Helper()
	applied, _, err := m.Status(context.Background())
	require.NoError(t, err)
	return len(applied)
}

func TestUpDownUp(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	m := db.NewMigrator(d.DB)
	all := len(m.IDs())
	require.Equal(t, all, appliedCount(t, m), "the template is fully migrated")

	require.NoError(t, m.Down(ctx, all))
	assert.Equal(t, 0, appliedCount(t, m))
	assert.False(t, d.Outside(t).Migrator().HasTable("categories"), "down removes the tables")

	require.NoError(t, m.Up(ctx))
	assert.Equal(t, all, appliedCount(t, m))
	assert.True(t, d.Outside(t).Migrator().HasTable("categories"))

	require.NoError(t, m.Down(ctx, 1))
	assert.Equal(t, all-1, appliedCount(t, m))
	require.NoError(t, m.Up(ctx))
	assert.Equal(t, all, appliedCount(t, m))

	assert.ErrorContains(t, m.Down(ctx, all+1), "only")
	assert.Equal(t, all, appliedCount(t, m), "a failed down changes nothing")
}

func TestConcurrentUpMigratesOnce(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	m := db.NewMigrator(d.DB)
	require.NoError(t, m.Down(ctx, len(m.IDs())))

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = db.NewMigrator(d.DB).Up(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err, "instances starting together all succeed: the lock serialises them")
	}
	assert.Equal(t, len(m.IDs()), appliedCount(t, m))
}
