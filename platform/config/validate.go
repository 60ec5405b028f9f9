package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/robfig/cron/v3"

	"github.com/erp-foundation/erp/platform/password"
)

// MinSecretBytes is the shortest cursor secret accepted in production.
const MinSecretBytes = 16

// MinJWTSecretBytes is the shortest token signing key accepted (HS256 wants 256 bits).
const MinJWTSecretBytes = 32

type problem struct {
	key string
	msg string
}

func (p problem) String() string { return p.key + ": " + p.msg }

// validate checks value ranges and cross-key rules. It returns every problem, not the first.
func validate(c *Config) []problem {
	queryExecModes := []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"}
	languageTag := regexp.MustCompile(`^[a-z]{2,3}$`)
	var ps []problem
	add := func(ok bool, key, format string, args ...any) {
		if !ok {
			ps = append(ps, problem{key: key, msg: fmt.Sprintf(format, args...)})
		}
	}
	oneOf := func(key, value string, allowed []string) {
		add(slices.Contains(allowed, value), key, "must be one of %s, got %q", strings.Join(allowed, ", "), value)
	}
	positive := func(key string, d time.Duration) {
		add(d > 0, key, "must be a positive duration, got %s", d)
	}

	oneOf("env", c.Env, []string{EnvDevelopment, EnvTest, EnvProduction})

	_, _, err := net.SplitHostPort(c.HTTP.Addr)
	add(err == nil, "http.addr", "must be host:port or :port, got %q", c.HTTP.Addr)
	positive("http.read_header_timeout", c.HTTP.ReadHeaderTimeout)
	positive("http.read_timeout", c.HTTP.ReadTimeout)
	positive("http.write_timeout", c.HTTP.WriteTimeout)
	positive("http.idle_timeout", c.HTTP.IdleTimeout)
	positive("http.shutdown_timeout", c.HTTP.ShutdownTimeout)
	if c.HTTP.PprofAddr != "" {
		_, _, err := net.SplitHostPort(c.HTTP.PprofAddr)
		add(err == nil, "http.pprof_addr", "must be host:port or empty, got %q", c.HTTP.PprofAddr)
	}
	add(c.HTTP.MaxBodyBytes >= 1024, "http.max_body_bytes", "must be at least 1024, got %d", c.HTTP.MaxBodyBytes)
	add(c.HTTP.MaxInFlight >= 1, "http.max_in_flight", "must be at least 1, got %d", c.HTTP.MaxInFlight)
	add(c.HTTP.MaxConnections >= c.HTTP.MaxInFlight, "http.max_connections",
		"must be at least http.max_in_flight (%d), got %d", c.HTTP.MaxInFlight, c.HTTP.MaxConnections)
	for _, p := range c.HTTP.TrustedProxies {
		add(validAddressOrRange(p), "http.trusted_proxies", "%q is neither an IP address nor a CIDR range", p)
	}

	d := c.Database
	_, err = pgconn.ParseConfig(d.URL)
	add(d.URL != "" && err == nil, "database.url", "must be a PostgreSQL URL such as postgres://user:pass@host:5432/db")
	add(d.PoolSize >= 1, "database.pool_size", "must be at least 1, got %d", d.PoolSize)
	add(d.MaxOverflow >= 0, "database.max_overflow", "must not be negative, got %d", d.MaxOverflow)
	add(d.MaxConns() <= 10000, "database.max_overflow", "pool_size + max_overflow must be at most 10000")
	positive("database.conn_max_lifetime", d.ConnMaxLifetime)
	positive("database.conn_max_idle_time", d.ConnMaxIdleTime)
	positive("database.acquire_timeout", d.AcquireTimeout)
	positive("database.connect_timeout", d.ConnectTimeout)
	add(d.StatementTimeout >= 0, "database.statement_timeout", "must not be negative (0 disables it)")
	positive("database.query_timeout", d.QueryTimeout)
	add(d.AcquireTimeout+d.QueryTimeout < c.HTTP.WriteTimeout, "database.query_timeout",
		"database.acquire_timeout + database.query_timeout (%s) must be shorter than http.write_timeout (%s), "+
			"or a request stopped by them could not deliver its 503", d.AcquireTimeout+d.QueryTimeout, c.HTTP.WriteTimeout)
	add(d.SlowThreshold >= 0, "database.slow_threshold", "must not be negative")
	oneOf("database.query_exec_mode", d.QueryExecMode, queryExecModes)
	for _, r := range d.Replicas {
		_, err := pgconn.ParseConfig(r)
		add(err == nil, "database.replicas", "must be PostgreSQL URLs, comma separated")
	}
	add(d.MaxReplicaLagBytes >= 0, "database.max_replica_lag_bytes", "must not be negative")
	if d.ListenURL != "" {
		_, err := pgconn.ParseConfig(d.ListenURL)
		add(err == nil, "database.listen_url", "must be a PostgreSQL URL")
	}
	if d.OwnerURL != "" {
		_, err := pgconn.ParseConfig(d.OwnerURL)
		add(err == nil, "database.owner_url", "must be a PostgreSQL URL such as postgres://owner:pass@host:5432/db")
	}
	add(c.Audit.MonthsAhead >= 1 && c.Audit.MonthsAhead <= 24, "audit.months_ahead", "must be between 1 and 24, got %d", c.Audit.MonthsAhead)
	positive("audit.maintenance_interval", c.Audit.MaintenanceInterval)
	add(c.Archive.Dir != "", "archive.dir", "must not be empty")
	oneOf("backup.mode", c.Backup.Mode, []string{BackupSelfManaged, BackupManaged})
	add(c.Backup.Dir != "", "backup.dir", "must not be empty")
	add(c.Backup.KeepLast >= 1, "backup.keep_last", "must be at least 1, got %d", c.Backup.KeepLast)
	add(c.Backup.KeepDays >= 0, "backup.keep_days", "must not be negative, got %d", c.Backup.KeepDays)
	if c.Backup.Schedule != "" {
		_, err := cron.ParseStandard(c.Backup.Schedule)
		add(err == nil, "backup.schedule", "must be a cron expression such as \"0 3 * * *\" (minute hour day month weekday), got %q", c.Backup.Schedule)
	}

	oneOf("log.level", c.Log.Level, []string{"debug", "info", "warn", "error"})
	oneOf("log.format", c.Log.Format, []string{"text", "json"})

	add(languageTag.MatchString(c.I18n.DefaultLanguage), "i18n.default_language",
		"must be a lower-case ISO 639 language code such as en, got %q", c.I18n.DefaultLanguage)
	langs := c.I18n.SupportedLanguages
	for _, l := range langs {
		add(languageTag.MatchString(l), "i18n.supported_languages", "%q is not a lower-case ISO 639 language code", l)
	}
	add(slices.Contains(langs, c.I18n.DefaultLanguage), "i18n.supported_languages",
		"must include the default language %q", c.I18n.DefaultLanguage)
	add(len(slices.Compact(slices.Sorted(slices.Values(langs)))) == len(langs), "i18n.supported_languages",
		"must not repeat a language")

	a := c.Auth
	add(c.IsDevelopment() || c.Env == EnvProduction || len(a.JWTSecret) >= MinJWTSecretBytes, "auth.jwt_secret",
		"must be at least %d bytes outside development", MinJWTSecretBytes)
	add(a.JWTSecret == "" || c.Env == EnvProduction || len(a.JWTSecret) >= MinJWTSecretBytes, "auth.jwt_secret",
		"must be at least %d bytes", MinJWTSecretBytes)
	add(a.JWTPreviousSecret == "" || len(a.JWTPreviousSecret) >= MinJWTSecretBytes, "auth.jwt_previous_secret",
		"must be empty or at least %d bytes", MinJWTSecretBytes)
	add(a.TokenTTL >= time.Minute && a.TokenTTL <= 24*time.Hour, "auth.token_ttl", "must be between 1m and 24h, got %s", a.TokenTTL)
	add(a.BcryptCost >= 4 && a.BcryptCost <= 16, "auth.bcrypt_cost", "must be between 4 and 16, got %d", a.BcryptCost)
	add(a.BcryptCost >= 10 || c.Env == EnvTest || c.IsDevelopment(), "auth.bcrypt_cost", "must be at least 10 in production")
	add(a.Audience != "", "auth.audience", "must not be empty")
	add(a.LoginFailuresPerMinute >= 1, "auth.login_failures_per_minute", "must be at least 1")
	add(a.LoginFailuresPerEmail >= a.LoginFailuresPerMinute, "auth.login_failures_per_email",
		"must be at least auth.login_failures_per_minute")
	add(a.LoginFailuresPerAddr >= a.LoginFailuresPerMinute, "auth.login_failures_per_address",
		"must be at least auth.login_failures_per_minute")
	add(a.MaxPasswordChecks >= 1 && a.MaxPasswordChecks <= 1024, "auth.max_password_checks",
		"must be between 1 and 1024, got %d", a.MaxPasswordChecks)
	b := c.BootstrapAdmin
	add((b.Email == "") == (b.Password == ""), "bootstrap_admin.password", "bootstrap_admin.email and bootstrap_admin.password must be set together")
	if b.Password != "" {
		msg := password.Problem(b.Password)
		add(msg == "", "bootstrap_admin.password", "%s", msg)
	}

	add(c.Env != EnvProduction || len(c.Pagination.CursorSecret) >= MinSecretBytes, "pagination.cursor_secret",
		"must be at least %d bytes in production", MinSecretBytes)
	if c.Env == EnvProduction {
		ps = append(ps, productionProblems(c)...)
	}
	return ps
}

// productionProblems are the rules production adds: no secret that anyone can read in the
// repository, signing keys with real entropy, no database password equal to its user name, no
// profiler reachable from the network.
func productionProblems(c *Config) []problem {
	var ps []problem
	check := func(key, msg string) {
		if msg != "" {
			ps = append(ps, problem{key: key, msg: msg})
		}
	}
	check("auth.jwt_secret", secretProblem(c.Auth.JWTSecret, MinJWTSecretBytes, MinDistinctSecretChars))
	if c.Auth.JWTPreviousSecret != "" {
		check("auth.jwt_previous_secret", secretProblem(c.Auth.JWTPreviousSecret, MinJWTSecretBytes, MinDistinctSecretChars))
	}
	if len(c.Pagination.CursorSecret) >= MinSecretBytes {
		check("pagination.cursor_secret", secretProblem(c.Pagination.CursorSecret, MinSecretBytes, 1))
	}
	if IsExampleSecret(c.BootstrapAdmin.Password) {
		check("bootstrap_admin.password", "is an example value published in the repository")
	}
	check("database.url", databasePasswordProblem(c.Database.URL))
	if c.Database.OwnerURL != "" {
		check("database.owner_url", databasePasswordProblem(c.Database.OwnerURL))
	}
	if !c.Database.AllowPlaintext {
		check("database.url", plaintextProblem(c.Database.URL))
		if c.Database.OwnerURL != "" {
			check("database.owner_url", plaintextProblem(c.Database.OwnerURL))
		}
	}
	if c.HTTP.PprofAddr != "" && !loopback(c.HTTP.PprofAddr) {
		check("http.pprof_addr", "must listen on a loopback address (127.0.0.1:6060) in production: profiles expose internals")
	}
	return ps
}

// validAddressOrRange accepts an IP address or a CIDR range.
func validAddressOrRange(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	_, _, err := net.ParseCIDR(s)
	return err == nil
}
