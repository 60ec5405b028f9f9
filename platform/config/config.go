// Package config loads the service's typed configuration with viper: the embedded defaults
// (config.yaml), then an optional config file, then ERP_* environment variables, and
// validates every key before anything starts.
package config

import (
	"time"
)

// Environment names accepted by the env key.
const (
	EnvDevelopment = "development"
	EnvTest        = "test"
	EnvProduction  = "production"
)

// Config is the whole effective configuration. Every leaf field carries the key path in its
// mapstructure tag; fields tagged secret:"true" are redacted when printed.
type Config struct {
	Env            string         `mapstructure:"env"`
	HTTP           HTTP           `mapstructure:"http"`
	Database       Database       `mapstructure:"database"`
	Log            Log            `mapstructure:"log"`
	I18n           I18n           `mapstructure:"i18n"`
	Auth           Auth           `mapstructure:"auth"`
	BootstrapAdmin BootstrapAdmin `mapstructure:"bootstrap_admin"`
	Pagination     Pagination     `mapstructure:"pagination"`
	Audit          Audit          `mapstructure:"audit"`
	Archive        Archive        `mapstructure:"archive"`
	Backup         Backup         `mapstructure:"backup"`
}

// Backup modes.
const (
	BackupSelfManaged = "self_managed"
	BackupManaged     = "managed"
)

// Backup configures the operations module's backups.
type Backup struct {
	// Mode is self_managed (pg_dump by this service) or managed (a cloud provider's backups).
	Mode string `mapstructure:"mode"`
	Dir  string `mapstructure:"dir"`
	// KeepLast and KeepDays: prune keeps a succeeded backup that is among the KeepLast newest or
	// younger than KeepDays days.
	KeepLast int `mapstructure:"keep_last"`
	KeepDays int `mapstructure:"keep_days"`
	// Schedule is a cron expression (5 fields, UTC); empty: no scheduled backups.
	Schedule string `mapstructure:"schedule"`
}

// Audit configures the audit trail's partitions.
type Audit struct {
	// MonthsAhead is how many monthly partitions, the current month included, exist ahead.
	MonthsAhead int `mapstructure:"months_ahead"`
	// MaintenanceInterval is how often serve checks the partitions (on one instance at a time).
	MaintenanceInterval time.Duration `mapstructure:"maintenance_interval"`
}

// Archive configures where archived audit months are written.
type Archive struct {
	Dir string `mapstructure:"dir"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	Addr              string        `mapstructure:"addr"`
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	ReadTimeout       time.Duration `mapstructure:"read_timeout"`
	WriteTimeout      time.Duration `mapstructure:"write_timeout"`
	IdleTimeout       time.Duration `mapstructure:"idle_timeout"`
	ShutdownTimeout   time.Duration `mapstructure:"shutdown_timeout"`
	MaxBodyBytes      int64         `mapstructure:"max_body_bytes"`
	PprofAddr         string        `mapstructure:"pprof_addr"`
	MaxInFlight       int           `mapstructure:"max_in_flight"`
	MaxConnections    int           `mapstructure:"max_connections"`
	TrustedProxies    []string      `mapstructure:"trusted_proxies"`
}

// Database configures the PostgreSQL connection pool.
type Database struct {
	URL                string        `mapstructure:"url" secret:"true"`
	OwnerURL           string        `mapstructure:"owner_url" secret:"true"`
	ListenURL          string        `mapstructure:"listen_url" secret:"true"`
	Replicas           []string      `mapstructure:"replicas" secret:"true"`
	MaxReplicaLagBytes int64         `mapstructure:"max_replica_lag_bytes"`
	PoolSize           int           `mapstructure:"pool_size"`
	MaxOverflow        int           `mapstructure:"max_overflow"`
	ConnMaxLifetime    time.Duration `mapstructure:"conn_max_lifetime"`
	ConnMaxIdleTime    time.Duration `mapstructure:"conn_max_idle_time"`
	AcquireTimeout     time.Duration `mapstructure:"acquire_timeout"`
	ConnectTimeout     time.Duration `mapstructure:"connect_timeout"`
	StatementTimeout   time.Duration `mapstructure:"statement_timeout"`
	QueryTimeout       time.Duration `mapstructure:"query_timeout"`
	SlowThreshold      time.Duration `mapstructure:"slow_threshold"`
	Echo               bool          `mapstructure:"echo"`
	QueryExecMode      string        `mapstructure:"query_exec_mode"`
	SSLRootCert        string        `mapstructure:"ssl_root_cert"`
	SSLCert            string        `mapstructure:"ssl_cert"`
	SSLKey             string        `mapstructure:"ssl_key"`
	AllowPlaintext     bool          `mapstructure:"allow_plaintext"`
	AllowOwnerAsApp    bool          `mapstructure:"allow_owner_as_app"`
}

// Owner is the configuration of the owner role's connection (migrations, background jobs): a
// small pool without a client-side query timeout (jobs bound their own work).
func (d Database) Owner() Database {
	o := d
	if d.OwnerURL != "" {
		o.URL = d.OwnerURL
	}
	o.PoolSize, o.MaxOverflow, o.QueryTimeout = 1, 2, 0
	return o
}

// MaxConns is the most connections the pool opens: pool_size + max_overflow.
func (d Database) MaxConns() int { return d.PoolSize + d.MaxOverflow }

// Log configures the structured logger.
type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// I18n configures content languages.
type I18n struct {
	DefaultLanguage    string   `mapstructure:"default_language"`
	SupportedLanguages []string `mapstructure:"supported_languages"`
}

// Auth configures authentication.
type Auth struct {
	JWTSecret              string        `mapstructure:"jwt_secret" secret:"true"`
	JWTPreviousSecret      string        `mapstructure:"jwt_previous_secret" secret:"true"`
	Audience               string        `mapstructure:"audience"`
	TokenTTL               time.Duration `mapstructure:"token_ttl"`
	BcryptCost             int           `mapstructure:"bcrypt_cost"`
	LoginFailuresPerMinute int           `mapstructure:"login_failures_per_minute"`
	LoginFailuresPerEmail  int           `mapstructure:"login_failures_per_email"`
	LoginFailuresPerAddr   int           `mapstructure:"login_failures_per_address"`
	MaxPasswordChecks      int           `mapstructure:"max_password_checks"`
}

// BootstrapAdmin is the admin created on first start when no user exists.
type BootstrapAdmin struct {
	Email    string `mapstructure:"email"`
	Password string `mapstructure:"password" secret:"true"`
	FullName string `mapstructure:"full_name"`
}

// Pagination configures list endpoints.
type Pagination struct {
	CursorSecret string `mapstructure:"cursor_secret" secret:"true"`
}

// IsDevelopment reports whether the service runs with development conveniences.
func (c *Config) IsDevelopment() bool { return c.Env == EnvDevelopment }
