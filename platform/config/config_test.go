package config

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func defaultsYAML(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config.yaml"))
	require.NoError(t, err)
	return raw
}

// overrides gives each key a valid value that differs from its default, and how it prints.
var overrides = map[string][2]string{
	"env":                             {"test", "test"},
	"http.addr":                       {"127.0.0.1:9090", "127.0.0.1:9090"},
	"http.read_header_timeout":        {"7s", "7s"},
	"http.read_timeout":               {"41s", "41s"},
	"http.write_timeout":              {"42s", "42s"},
	"http.idle_timeout":               {"3m", "3m0s"},
	"http.shutdown_timeout":           {"9s", "9s"},
	"http.max_body_bytes":             {"2048", "2048"},
	"http.pprof_addr":                 {"127.0.0.1:6060", "127.0.0.1:6060"},
	"http.max_in_flight":              {"17", "17"},
	"http.max_connections":            {"300", "300"},
	"http.trusted_proxies":            {"10.0.0.0/8, 127.0.0.1", "10.0.0.0/8,127.0.0.1"},
	"database.url":                    {"postgres://app:s3cret@db.example:6432/erp", "postgres://app:xxxxx@db.example:6432/erp"},
	"database.pool_size":              {"7", "7"},
	"database.max_overflow":           {"3", "3"},
	"database.conn_max_lifetime":      {"11m", "11m0s"},
	"database.conn_max_idle_time":     {"2m", "2m0s"},
	"database.acquire_timeout":        {"750ms", "750ms"},
	"database.connect_timeout":        {"3s", "3s"},
	"database.statement_timeout":      {"0s", "0s"},
	"database.query_timeout":          {"2500ms", "2.5s"},
	"database.slow_threshold":         {"1s", "1s"},
	"database.echo":                   {"true", "true"},
	"database.ssl_root_cert":          {"/etc/erp/ca.pem", "/etc/erp/ca.pem"},
	"database.ssl_cert":               {"/etc/erp/client.pem", "/etc/erp/client.pem"},
	"database.ssl_key":                {"/etc/erp/client.key", "/etc/erp/client.key"},
	"database.allow_plaintext":        {"true", "true"},
	"database.allow_owner_as_app":     {"true", "true"},
	"database.query_exec_mode":        {"exec", "exec"},
	"log.level":                       {"debug", "debug"},
	"log.format":                      {"json", "json"},
	"i18n.default_language":           {"fr", "fr"},
	"i18n.supported_languages":        {"fr, en", "fr,en"},
	"auth.jwt_secret":                 {"0123456789abcdef0123456789abcdef-jwt", "[redacted]"},
	"auth.jwt_previous_secret":        {"0123456789abcdef0123456789abcdef-old", "[redacted]"},
	"auth.audience":                   {"erp-eu", "erp-eu"},
	"auth.token_ttl":                  {"15m", "15m0s"},
	"auth.bcrypt_cost":                {"11", "11"},
	"auth.login_failures_per_minute":  {"5", "5"},
	"auth.login_failures_per_email":   {"25", "25"},
	"auth.login_failures_per_address": {"60", "60"},
	"auth.max_password_checks":        {"2", "2"},
	"bootstrap_admin.email":           {"root@example.com", "root@example.com"},
	"bootstrap_admin.password":        {"correct horse battery", "[redacted]"},
	"bootstrap_admin.full_name":       {"Root", "Root"},
	"pagination.cursor_secret":        {"0123456789abcdef-secret", "[redacted]"},
	"database.listen_url":             {"postgres://owner:0wn3r@db.example:5432/erp", "postgres://owner:xxxxx@db.example:5432/erp"},
	"database.replicas":               {"postgres://app:s3cret@r1:5432/erp,postgres://app:s3cret@r2:5432/erp", "postgres://app:xxxxx@r1:5432/erp,postgres://app:xxxxx@r2:5432/erp"},
	"database.max_replica_lag_bytes":  {"1048576", "1048576"},
	"database.owner_url":              {"postgres://owner:0wn3r@db.example:5432/erp", "postgres://owner:xxxxx@db.example:5432/erp"},
	"audit.months_ahead":              {"6", "6"},
	"audit.maintenance_interval":      {"10m", "10m0s"},
	"archive.dir":                     {"/var/lib/erp/archive", "/var/lib/erp/archive"},
	"backup.mode":                     {"managed", "managed"},
	"backup.dir":                      {"/var/lib/erp/backups", "/var/lib/erp/backups"},
	"backup.keep_last":                {"3", "3"},
	"backup.keep_days":                {"30", "30"},
	"backup.schedule":                 {"0 3 * * *", "0 3 * * *"},
}

// companions are the other variables some overrides need to pass cross-key validation.
var companions = map[string]map[string]string{
	"env":                      {"ERP_AUTH_JWT_SECRET": strings.Repeat("j", MinJWTSecretBytes)},
	"bootstrap_admin.email":    {"ERP_BOOTSTRAP_ADMIN_PASSWORD": "correct horse battery"},
	"bootstrap_admin.password": {"ERP_BOOTSTRAP_ADMIN_EMAIL": "root@example.com"},
}

func TestEveryKeyCanBeOverriddenFromTheEnvironment(t *testing.T) {
	base, err := Load(Options{Defaults: defaultsYAML(t)})
	require.NoError(t, err)
	require.Len(t, overrides, len(base.Entries), "every key needs an entry in overrides")

	for _, entry := range base.Entries {
		t.Run(entry.Key, func(t *testing.T) {
			override, ok := overrides[entry.Key]
			require.True(t, ok, "add %s to overrides", entry.Key)
			t.Setenv(entry.EnvVar, override[0])
			for k, v := range companions[entry.Key] {
				t.Setenv(k, v) // keys that cross-key rules require alongside this one
			}

			loaded, err := Load(Options{Defaults: defaultsYAML(t)})
			require.NoError(t, err)
			got := entryFor(t, loaded, entry.Key)
			assert.Equal(t, SourceEnv, got.Source)
			assert.Equal(t, override[1], got.Value)
			assert.NotEqual(t, entry.Value, got.Value, "override must change the value")

			// The typed struct holds the new value too, not only the printed entry.
			for _, l := range leafFields(reflect.ValueOf(&loaded.Config).Elem(), "") {
				if l.key == entry.Key && !l.secret {
					assert.Equal(t, override[1], printable(l))
				}
			}
		})
	}
}

func TestEnvVarNames(t *testing.T) {
	assert.Equal(t, "ERP_DATABASE_URL", EnvVar("database.url"))
	assert.Equal(t, "ERP_HTTP_ADDR", EnvVar("http.addr"))
	assert.Equal(t, "ERP_DATABASE_POOL_SIZE", EnvVar("database.pool_size"))
}

func TestInvalidValuesNameTheKeyAndVariable(t *testing.T) {
	cases := map[string]string{
		"ERP_DATABASE_POOL_SIZE":       "database.pool_size: must be an integer (from ERP_DATABASE_POOL_SIZE)",
		"ERP_DATABASE_ACQUIRE_TIMEOUT": "database.acquire_timeout: must be a duration",
		"ERP_DATABASE_ECHO":            "database.echo: must be true or false",
		"ERP_LOG_LEVEL":                "log.level: must be one of debug, info, warn, error",
		"ERP_HTTP_ADDR":                "http.addr: must be host:port",
	}
	for env, want := range cases {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "nonsense")
			_, err := Load(Options{Defaults: defaultsYAML(t)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestRangeChecks(t *testing.T) {
	cases := map[string][2]string{
		"ERP_DATABASE_POOL_SIZE":         {"0", "database.pool_size: must be at least 1"},
		"ERP_DATABASE_MAX_OVERFLOW":      {"-1", "database.max_overflow: must not be negative"},
		"ERP_I18N_SUPPORTED_LANGUAGES":   {"fr,de", `must include the default language "en"`},
		"ERP_DATABASE_QUERY_EXEC_MODE":   {"turbo", "database.query_exec_mode: must be one of"},
		"ERP_HTTP_MAX_BODY_BYTES":        {"10", "http.max_body_bytes: must be at least 1024"},
		"ERP_DATABASE_URL":               {"mysql://x", "database.url: must be a PostgreSQL URL"},
		"ERP_DATABASE_CONN_MAX_LIFETIME": {"0s", "database.conn_max_lifetime: must be a positive duration"},
	}
	for env, tc := range cases {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, tc[0])
			_, err := Load(Options{Defaults: defaultsYAML(t)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc[1])
			assert.Contains(t, err.Error(), env)
		})
	}
}

func TestProductionNeedsSecrets(t *testing.T) {
	t.Setenv("ERP_ENV", "production")
	_, err := Load(Options{Defaults: defaultsYAML(t)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.jwt_secret")
	assert.Contains(t, err.Error(), "ERP_AUTH_JWT_SECRET")
	assert.Contains(t, err.Error(), "pagination.cursor_secret")
	assert.Contains(t, err.Error(), "database.url: has a password equal to its user name")

	good := map[string]string{ // made now: a value written here would be an example secret
		"ERP_AUTH_JWT_SECRET":          rand.Text() + rand.Text(),
		"ERP_PAGINATION_CURSOR_SECRET": rand.Text(),
		"ERP_DATABASE_URL":             "postgres://erp_app:" + rand.Text() + "@db:5432/erp?sslmode=verify-full",
	}
	for k, v := range good {
		t.Setenv(k, v)
	}
	_, err = Load(Options{Defaults: defaultsYAML(t)})
	require.NoError(t, err)

	for name, tc := range map[string]struct{ env, value, want string }{
		"short key":         {"ERP_AUTH_JWT_SECRET", "too-short", "auth.jwt_secret: must be at least 32 bytes"},
		"low entropy":       {"ERP_AUTH_JWT_SECRET", strings.Repeat("ab", 20), "must have at least 16 distinct characters"},
		"published key":     {"ERP_AUTH_JWT_SECRET", "change-me-in-production-this-is-32-bytes", "is an example value published in the repository"},
		"published test":    {"ERP_AUTH_JWT_SECRET", "apitest-jwt-secret-0123456789abcdef", "openssl rand -base64 48"},
		"previous key":      {"ERP_AUTH_JWT_PREVIOUS_SECRET", "0123456789abcdef0123456789abcdef", "auth.jwt_previous_secret"},
		"published cursor":  {"ERP_PAGINATION_CURSOR_SECRET", "apitest-cursor-secret", "pagination.cursor_secret: is an example"},
		"user = password":   {"ERP_DATABASE_URL", "postgres://app:app@db:5432/erp", "database.url: has a password equal to its user name"},
		"published db pass": {"ERP_DATABASE_URL", "postgres://app:s3cret@db:5432/erp", "database.url: has a password published"},
		"public pprof":      {"ERP_HTTP_PPROF_ADDR", "0.0.0.0:6060", "http.pprof_addr: must listen on a loopback address"},
		"plaintext":         {"ERP_DATABASE_URL", "postgres://app:Xq7-" + rand.Text() + "@db.internal:5432/erp?sslmode=disable", "database.url: reaches db.internal with sslmode=disable"},
		"default sslmode":   {"ERP_DATABASE_URL", "postgres://app:Xq7-" + rand.Text() + "@10.0.0.5/erp", "sslmode=prefer, which allows plaintext"},
		"plaintext owner":   {"ERP_DATABASE_OWNER_URL", "postgres://own:Xq7-" + rand.Text() + "@db.internal/erp?sslmode=allow", "database.owner_url: reaches db.internal"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, err := Load(Options{Defaults: defaultsYAML(t)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), tc.env, "the message names the variable")
			assert.NotContains(t, err.Error(), tc.value, "the message never repeats the secret")
		})
	}
	t.Setenv("ERP_HTTP_PPROF_ADDR", "127.0.0.1:6060")
	_, err = Load(Options{Defaults: defaultsYAML(t)})
	require.NoError(t, err, "a loopback profiler is fine")
	t.Setenv("ERP_DATABASE_URL", "postgres://app:Xq7-"+rand.Text()+"@localhost/erp?sslmode=disable")
	_, err = Load(Options{Defaults: defaultsYAML(t)})
	require.NoError(t, err, "plaintext over loopback is fine")
	t.Setenv("ERP_DATABASE_URL", "postgres://app:Xq7-"+rand.Text()+"@db.internal/erp?sslmode=disable")
	t.Setenv("ERP_DATABASE_ALLOW_PLAINTEXT", "true")
	_, err = Load(Options{Defaults: defaultsYAML(t)})
	require.NoError(t, err, "allow_plaintext accepts a private network")
}

func TestFileOverridesDefaultsAndEnvOverridesFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(file, []byte("database:\n  pool_size: 4\nlog:\n  level: warn\n"), 0o600))
	t.Setenv("ERP_LOG_LEVEL", "error")

	loaded, err := Load(Options{Defaults: defaultsYAML(t), File: file, FileRequired: true})
	require.NoError(t, err)
	assert.Equal(t, 4, loaded.Config.Database.PoolSize)
	assert.Equal(t, SourceFile, entryFor(t, loaded, "database.pool_size").Source)
	assert.Equal(t, "error", loaded.Config.Log.Level)
	assert.Equal(t, SourceEnv, entryFor(t, loaded, "log.level").Source)
	assert.Equal(t, SourceDefault, entryFor(t, loaded, "http.addr").Source)
}

func TestUnknownFileKeyIsRejected(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(file, []byte("databse:\n  url: x\n"), 0o600))
	_, err := Load(Options{Defaults: defaultsYAML(t), File: file})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown key "databse.url"`)
}

func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(Options{Defaults: defaultsYAML(t), File: missing})
	require.NoError(t, err, "an absent default file is fine")
	_, err = Load(Options{Defaults: defaultsYAML(t), File: missing, FileRequired: true})
	require.Error(t, err, "a file the user named must exist")
}

func TestRedaction(t *testing.T) {
	assert.Equal(t, "postgres://erp:xxxxx@h:5432/erp?sslmode=disable", RedactURL("postgres://erp:pw@h:5432/erp?sslmode=disable"))
	assert.Equal(t, "postgres://h/erp?password=xxxxx", RedactURL("postgres://h/erp?password=pw"))
	assert.Equal(t, "postgres://u:xxxxx@h/erp?sslmode=verify-full&sslpassword=xxxxx",
		RedactURL("postgres://u:pw@h/erp?sslmode=verify-full&sslpassword=keypass"))
	assert.Equal(t, "[redacted]", RedactURL("host=h password=pw"))
	assert.Empty(t, RedactURL(""))
}

func entryFor(t *testing.T, l *Loaded, key string) Entry {
	t.Helper()
	for _, e := range l.Entries {
		if e.Key == key {
			return e
		}
	}
	t.Fatalf("no entry %s", key)
	return Entry{}
}
