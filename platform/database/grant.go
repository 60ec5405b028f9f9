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
	"strings"

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
			// A temporary table shadows any table name (pg_temp comes first in every search path
			// that does not list it), and a trigger on it runs as whoever writes it: requests
			// need none.
			"REVOKE TEMPORARY ON DATABASE " + pgx.Identifier{dbName}.Sanitize() + " FROM PUBLIC, " + r,
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
		// REVOKE only warns when the owner is not the database's owner: check the outcome.
		var temp bool
		if err := d.QueryRow(ctx, "SELECT has_database_privilege($1, current_database(), 'TEMPORARY')", []any{role}, &temp); err != nil {
			return err
		}
		if temp {
			return fmt.Errorf("%s may still create temporary tables and %s may not revoke it: have the database's owner run "+
				"REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC, %s", role, owner, pgx.Identifier{dbName}.Sanitize(), r)
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

// RequestRoleRisks lists what the connected role could do beyond reading and writing rows,
// each as a short phrase: superuser, CREATEROLE (on PostgreSQL 15 it can grant itself the
// owner), CREATEDB, BYPASSRLS, REPLICATION, membership in a predefined role that reaches the
// server's files or programs or every table, owning (or being a member of the owner of) the
// schema's tables, CREATE or TEMPORARY on the database, CREATE on a schema of its search path.
// A role attribute held by a role it is a member of counts too (SET ROLE reaches it). Empty
// means least privilege; production refuses to serve requests otherwise
// (database.allow_owner_as_app).
func (d *DB) RequestRoleRisks(ctx context.Context) ([]string, error) {
	var risks []string
	err := d.Query(ctx, requestRoleRisksSQL, nil, func(row pgx.CollectableRow) error {
		var risk string
		err := row.Scan(&risk)
		risks = append(risks, risk)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("check the request role's privileges: %w", err)
	}
	if slices.ContainsFunc(risks, func(r string) bool { return strings.HasSuffix(r, "is a superuser") }) {
		// A superuser has every other privilege too; saying so once is enough.
		risks = slices.DeleteFunc(risks, func(r string) bool { return !strings.HasSuffix(r, "is a superuser") })
	}
	return risks, nil
}

// requestRoleRisksSQL finds the privileges RequestRoleRisks reports, one row each.
const requestRoleRisksSQL = `WITH reach AS (
	SELECT r.* FROM pg_roles r WHERE pg_has_role(current_user, r.oid, 'MEMBER')
), attributes AS (
	SELECT r.rolname, a.name
	FROM reach r, LATERAL (VALUES (r.rolsuper, 'is a superuser'), (r.rolcreaterole, 'has CREATEROLE'),
		(r.rolcreatedb, 'has CREATEDB'), (r.rolbypassrls, 'has BYPASSRLS'),
		(r.rolreplication, 'has REPLICATION')) AS a(held, name)
	WHERE a.held
)
SELECT CASE WHEN rolname = current_user THEN current_user ELSE current_user || ' is a member of ' || rolname || ', which' END
	|| ' ' || name FROM attributes
UNION ALL
SELECT current_user || ' is a member of ' || rolname FROM reach
WHERE rolname IN ('pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files',
	'pg_read_all_data', 'pg_write_all_data')
UNION ALL
SELECT current_user || ' may act as ' || pg_get_userbyid(c.relowner) || ', the owner of ' || count(*) || ' tables'
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'MEMBER')
GROUP BY c.relowner
UNION ALL
SELECT current_user || ' has CREATE on database ' || current_database()
WHERE has_database_privilege(current_database(), 'CREATE')
UNION ALL
SELECT current_user || ' has TEMPORARY on database ' || current_database() || ' (REVOKE TEMPORARY ON DATABASE ' ||
	quote_ident(current_database()) || ' FROM PUBLIC, ' || quote_ident(current_user) || ')'
WHERE has_database_privilege(current_database(), 'TEMPORARY')
UNION ALL
SELECT current_user || ' may create tables in schema ' || s FROM unnest(current_schemas(false)) AS s
WHERE has_schema_privilege(s, 'CREATE')`

func isInsufficientPrivilege(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == "42501"
}
