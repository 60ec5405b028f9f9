package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// platformSharedState holds what every instance of the service must share: login attempts
// (the failed-login limits hold across instances) and each user's last write position (reads
// after a write never come from a replica that has not replayed it). Both are UNLOGGED: losing
// them in a crash only forgets the last minute of attempts and makes reads go to the primary.
func platformSharedState() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612010005_platform_shared_state",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE UNLOGGED TABLE login_attempts (
					id  bigint GENERATED ALWAYS AS IDENTITY,
					key text        NOT NULL,
					at  timestamptz NOT NULL DEFAULT now(),
					CONSTRAINT pk_login_attempts PRIMARY KEY (id)
				)`,
				`CREATE INDEX ix_login_attempts_key_at ON login_attempts (key, at)`,
				`CREATE UNLOGGED TABLE user_write_positions (
					user_id bigint      NOT NULL,
					lsn     pg_lsn      NOT NULL,
					at      timestamptz NOT NULL DEFAULT now(),
					CONSTRAINT pk_user_write_positions PRIMARY KEY (user_id)
				)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE user_write_positions`, `DROP TABLE login_attempts`)
		},
	}
}
