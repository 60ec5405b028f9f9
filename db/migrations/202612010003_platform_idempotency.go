package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// platformIdempotency stores the outcome of POST requests sent with an Idempotency-Key, per user
// and key, for 24 hours: a retry gets the first outcome again instead of a second change.
func platformIdempotency() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612010003_platform_idempotency",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE idempotency_keys (
					user_id      bigint      NOT NULL,
					key          text        NOT NULL,
					request_hash text        NOT NULL,
					status       integer     NOT NULL,
					headers      jsonb       NOT NULL DEFAULT '{}',
					body         bytea       NOT NULL,
					created_at   timestamptz NOT NULL DEFAULT now(),
					expires_at   timestamptz NOT NULL,
					CONSTRAINT pk_idempotency_keys PRIMARY KEY (user_id, key)
				)`,
				`CREATE INDEX ix_idempotency_keys_expires_at ON idempotency_keys (expires_at)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE idempotency_keys`)
		},
	}
}
