package database

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Privileges says what the application role may do with the schema's tables. By default it
// reads and writes rows (SELECT, INSERT, UPDATE, DELETE) of every table, today's and future ones
// (default privileges), and uses their sequences; never DDL, TRUNCATE, REFERENCES or TRIGGER.
type Privileges struct {
	// ReadOnly tables are only read (audit_events: events come from the owner's triggers).
	ReadOnly []string
}

// GrantApplicationRole makes role (the user of database.url) a least-privilege application
// role; it runs on the owner's connection: it creates the role with password when it does not exist
// (the owner needs CREATEROLE for that; otherwise a DBA creates it), lets it connect and use
// the public schema, grants it rows as p says, and sets default privileges so that tables the
// owner creates later follow. Partitions get nothing of their own: the application reaches them
// through their parent. Idempotent: run it after every migration (erp db grant).
func (d *DB) GrantApplicationRole(ctx context.Context, role, password string, p Privileges) error {
	var owner string
	if err := d.QueryRow(ctx, "SELECT current_user", nil, &owner); err != nil {
		return err
	}
	if role == owner {
		return fmt.Errorf("database.url connects as %s, the owner role itself: give the service its own role (see the README's production checklist)", role)
	}
	if err := d.ensureRole(ctx, role, password); err != nil {
		return err
	}
	r := pgx.Identifier{role}.Sanitize()
	o := pgx.Identifier{owner}.Sanitize()
	return d.Write(ctx, func(ctx context.Context) error {
		var dbName string
		if err := d.QueryRow(ctx, "SELECT current_database()", nil, &dbName); err != nil {
			return err
		}
		statements := []string{
			"GRANT CONNECT ON DATABASE " + pgx.Identifier{dbName}.Sanitize() + " TO " + r,
			"GRANT USAGE ON SCHEMA public TO " + r,
			"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
			"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
			"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r,
			"ALTER DEFAULT PRIVILEGES FOR ROLE " + o + " IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + r,
			"ALTER DEFAULT PRIVILEGES FOR ROLE " + o + " IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO " + r,
		}
		for _, t := range p.ReadOnly {
			statements = append(statements, "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "+pgx.Identifier{t}.Sanitize()+" FROM "+r)
		}
		var partitions []string
		err := d.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`, nil, func(row pgx.CollectableRow) error {
			var name string
			err := row.Scan(&name)
			partitions = append(partitions, name)
			return err
		})
		if err != nil {
			return err
		}
		for _, part := range partitions {
			statements = append(statements, "REVOKE ALL ON "+pgx.Identifier{part}.Sanitize()+" FROM "+r)
		}
		for _, s := range statements {
			if _, err := d.Change(ctx, s, nil, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}

// ensureRole creates the login role when it does not exist.
func (d *DB) ensureRole(ctx context.Context, role, password string) error {
	var exists bool
	if err := d.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", []any{role}, &exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	if password == "" {
		return fmt.Errorf("role %s does not exist and database.url has no password to create it with", role)
	}
	// CREATE ROLE takes no parameters, so the statement carries a SCRAM verifier computed
	// here, never the password: statement logs and pg_stat_statements cannot leak it.
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	q := "CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN PASSWORD '" + verifier + "'"
	if _, err := d.Change(ctx, q, nil, nil); err != nil {
		if isInsufficientPrivilege(err) {
			return fmt.Errorf("the owner role may not create roles: have a DBA run CREATE ROLE %s LOGIN PASSWORD '...', then run this again", role)
		}
		return fmt.Errorf("create role %s: %w", role, err)
	}
	return nil
}

// scramVerifier computes the SCRAM-SHA-256 verifier PostgreSQL stores for password (RFC 5802,
// 7677; the format of pg_authid.rolpassword), with a random salt.
func scramVerifier(password string) (string, error) {
	const iterations = 4096
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", err
	}
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	stored := sha256.Sum256(mac(salted, "Client Key"))
	server := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(stored[:]), b64(server)), nil
}

// CanCreateTables reports whether the connected role could change the schema: a superuser, or
// a role with CREATE on a schema of its search path. Production refuses to serve requests
// with such a role (database.allow_owner_as_app).
func (d *DB) CanCreateTables(ctx context.Context) (bool, string, error) {
	var super bool
	var user string
	var schemas []string
	err := d.QueryRow(ctx, `SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		coalesce(array_agg(s) FILTER (WHERE has_schema_privilege(s, 'CREATE')), '{}')
		FROM unnest(current_schemas(false)) AS s`, nil, &user, &super, &schemas)
	if err != nil {
		return false, "", err
	}
	if super {
		return true, user + " is a superuser", nil
	}
	if len(schemas) > 0 {
		slices.Sort(schemas)
		return true, fmt.Sprintf("%s may create tables in schema %v", user, schemas), nil
	}
	return false, "", nil
}

func isInsufficientPrivilege(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == "42501"
}
