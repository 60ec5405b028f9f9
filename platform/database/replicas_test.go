package database

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestAFailedReplicaReadDecidesWhetherTheReplicaStaysInRotation(t *testing.T) {
	d := &DB{log: slog.New(slog.DiscardHandler)}
	for _, tc := range []struct {
		name    string
		err     error
		healthy bool
	}{
		{"hot-standby conflict", &pgconn.PgError{Code: "40001"}, true},
		{"shutting down", &pgconn.PgError{Code: "57P01"}, false},
		{"too many connections", &pgconn.PgError{Code: "53300"}, false},
		{"connection lost", errors.New("unexpected EOF"), false},
	} {
		r := &replica{name: "r1", healthy: true}
		assert.True(t, readRetryable(tc.err), tc.name)
		d.readFailed(r, tc.err)
		assert.Equal(t, tc.healthy, r.healthy, tc.name)
	}
	assert.False(t, readRetryable(&pgconn.PgError{Code: "42P01"}), "a wrong query is not retried elsewhere")
}
