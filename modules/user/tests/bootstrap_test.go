package tests

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/user"
)

// TestBootstrapCreatesOneAdminOnlyOnAnEmptyTable starts "several instances" at once on an empty
// users table: exactly one creates the configured admin; later starts create nothing.
func TestBootstrapCreatesOneAdminOnlyOnAnEmptyTable(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	created := make([]bool, 4)
	for i := range created {
		wg.Go(func() {
			svc := user.NewService(d.DB, 4, user.NewDirectory(d.DB, 0))
			ok, err := svc.Bootstrap(ctx, "boot@example.com", "Boot", "bootstrap password")
			assert.NoError(t, err)
			created[i] = ok
		})
	}
	wg.Wait()
	n := 0
	for _, c := range created {
		if c {
			n++
		}
	}
	assert.Equal(t, 1, n, "one instance creates the admin")

	svc := user.NewService(d.DB, 4, user.NewDirectory(d.DB, 0))
	u, err := svc.Authenticate(ctx, "BOOT@example.com", "bootstrap password")
	require.NoError(t, err)
	assert.Equal(t, "admin", u.Role)

	ok, err := svc.Bootstrap(ctx, "other@example.com", "Other", "another password")
	require.NoError(t, err)
	assert.False(t, ok, "nothing is created once a user exists")
	ok, err = svc.Bootstrap(ctx, "", "", "")
	require.NoError(t, err)
	assert.False(t, ok, "no bootstrap email, no bootstrap")
}
