package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// userTokenGeneration adds users.token_generation, carried by every token as its gen claim: a
// token whose generation is not the user's current one is refused. The database bumps it
// whenever the password or is_active changes, by whatever client (the service, psql), and
// the revoke-tokens routes bump it explicitly.
func userTokenGeneration() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "202612010001_user_token_generation",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE users ADD COLUMN token_generation integer NOT NULL DEFAULT 1`,
				`CREATE FUNCTION revoke_user_tokens() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					NEW.token_generation := OLD.token_generation + 1;
					RETURN NEW;
				END $$`,
				// Fires before trg_users_touch (triggers of one kind fire in name order).
				`CREATE TRIGGER trg_users_revoke BEFORE UPDATE ON users FOR EACH ROW
					WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.is_active IS DISTINCT FROM OLD.is_active)
					EXECUTE FUNCTION revoke_user_tokens()`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`DROP TRIGGER trg_users_revoke ON users`,
				`DROP FUNCTION revoke_user_tokens()`,
				`ALTER TABLE users DROP COLUMN token_generation`,
			)
		},
	}
}
