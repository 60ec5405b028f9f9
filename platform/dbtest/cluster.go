package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server of one test's own, started from the installed server binaries
// (initdb, pg_ctl): for tests that configure or disturb the server itself (TLS, replicas,
// freezing it), which the shared server of a test binary must never see.
type Cluster struct {
	// Dir is the cluster's data directory; Bin the directory of the server binaries.
	Dir, Bin string
	// Port is the TCP port it listens on at 127.0.0.1.
	Port int
	// User is the superuser (trust authentication over the Unix socket and loopback, unless
	// the options replace pg_hba.conf).
	User string

	tb  testing.TB
	run func(name string, args ...string) *exec.Cmd
}

// ClusterOptions shape a Cluster.
type ClusterOptions struct {
	// Settings are postgresql.conf lines (name -> value, quoted as needed by the caller).
	Settings map[string]string
	// Files are written into the data directory before the start (certificates, say), mode
	// 0600, owned by the server's OS user.
	Files map[string][]byte
	// HBA, when set, replaces pg_hba.conf.
	HBA []string
	// From, when set, is the data directory of a base backup to start from instead of initdb
	// (a replica).
	From string
}

// Binaries returns the directory of the installed PostgreSQL server binaries, or "".
func Binaries() string {
	if out, err := exec.CommandContext(context.Background(), "pg_config", "--bindir").Output(); err == nil {
		bin := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(bin, "initdb")); err == nil {
			return bin
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// NeedBinaries skips the test when the server binaries are missing (it fails under CI=true).
func NeedBinaries(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("dbtest: integration test skipped in -short mode")
	}
	bin := Binaries()
	if bin == "" {
		cannotRun(tb, "PostgreSQL server binaries (initdb, pg_ctl) are not installed (Debian: postgresql-15)")
	}
	return bin
}

// cannotRun skips a test whose processes cannot be started here, saying why; under CI=true it
// fails instead, since there every test must run.
func cannotRun(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("dbtest: %s (CI=true: these tests must run)", why)
	}
	tb.Skip("dbtest: " + why)
}

// StartCluster initialises and starts a cluster; it is stopped and removed when tb ends.
func StartCluster(tb testing.TB, opts ClusterOptions) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, Bin: NeedBinaries(tb), User: "postgres"}
	dir, err := os.MkdirTemp("", "erp-pg-")
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	c.Dir = filepath.Join(dir, "data")
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	uid, gid := c.serverUser(tb)
	c.run = func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(c.Bin, name), args...) //nolint:gosec,noctx // the installed server binaries
		if uid >= 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		}
		return cmd
	}
	c.chown(dir, uid, gid, 0o755)
	if opts.From != "" {
		if err := os.Rename(opts.From, c.Dir); err != nil {
			tb.Fatalf("dbtest: %v", err)
		}
	} else {
		c.must("initdb", "-D", c.Dir, "-U", c.User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	}
	for name, content := range opts.Files {
		path := filepath.Join(c.Dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			tb.Fatalf("dbtest: %v", err)
		}
		c.chown(path, uid, gid, 0o600)
	}
	if opts.HBA != nil {
		path := filepath.Join(c.Dir, "pg_hba.conf")
		if err := os.WriteFile(path, []byte(strings.Join(opts.HBA, "\n")+"\n"), 0o600); err != nil {
			tb.Fatalf("dbtest: %v", err)
		}
		c.chown(path, uid, gid, 0o600)
	}
	c.Port = freePort(tb)
	conf := []string{
		"port = " + strconv.Itoa(c.Port), "listen_addresses = '127.0.0.1'", "unix_socket_directories = '" + dir + "'",
		"fsync = off", "synchronous_commit = off", "full_page_writes = off", "max_connections = 100",
	}
	for k, v := range opts.Settings {
		conf = append(conf, k+" = "+v)
	}
	auto := filepath.Join(c.Dir, "postgresql.auto.conf")
	f, err := os.OpenFile(auto, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	_, err = f.WriteString("\n" + strings.Join(conf, "\n") + "\n")
	if err = joinErr(err, f.Close()); err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	c.chown(auto, uid, gid, 0o600)
	c.must("pg_ctl", "-D", c.Dir, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start")
	tb.Cleanup(c.Stop)
	return c
}

// URL connects to database db as user over TCP (add sslmode and the like with extra).
func (c *Cluster) URL(user, db, extra string) string {
	u := fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s", user, c.Port, db)
	if extra != "" {
		u += "?" + extra
	}
	return u
}

// SocketDSN connects to database db as user over the Unix socket (trust, whatever pg_hba.conf
// says about TCP).
func (c *Cluster) SocketDSN(user, db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", filepath.Dir(c.Dir), c.Port, user, db)
}

// Exec runs statements as the superuser on database db.
func (c *Cluster) Exec(db string, statements ...string) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.SocketDSN(c.User, db))
	if err != nil {
		c.tb.Fatalf("dbtest: connect to the cluster: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			c.tb.Fatalf("dbtest: %s: %v", s, err)
		}
	}
}

// Stop stops the server (fast shutdown); safe to call twice.
func (c *Cluster) Stop() {
	_ = c.run("pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop").Run()
}

// Start starts a stopped server again.
func (c *Cluster) Start() {
	c.tb.Helper()
	c.must("pg_ctl", "-D", c.Dir, "-l", filepath.Join(filepath.Dir(c.Dir), "server.log"), "-w", "-t", "60", "start")
}

// Command runs one of the server binaries as the server's OS user (pg_basebackup, say).
func (c *Cluster) Command(name string, args ...string) *exec.Cmd { return c.run(name, args...) }

func (c *Cluster) must(name string, args ...string) {
	c.tb.Helper()
	if out, err := c.run(name, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(filepath.Dir(c.Dir), "server.log"))
		c.tb.Fatalf("dbtest: %s %v: %v\n%s\n%s", name, args, err, out, log)
	}
}

// serverUser is the OS user the server runs as: initdb refuses root, so as root it is the
// postgres user; -1 means the current user.
func (c *Cluster) serverUser(tb testing.TB) (int, int) {
	tb.Helper()
	if os.Geteuid() != 0 {
		return -1, -1
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		cannotRun(tb, "running as root needs a postgres OS user: "+err.Error())
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

func (c *Cluster) chown(path string, uid, gid int, mode os.FileMode) {
	if uid >= 0 {
		_ = os.Chown(path, uid, gid)
	}
	_ = os.Chmod(path, mode)
}

func freePort(tb testing.TB) int {
	tb.Helper()
	port, err := freeTCPPort()
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return port
}

// freeTCPPort returns a port nothing listens on at 127.0.0.1 (at the time of asking).
func freeTCPPort() (int, error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil //nolint:forcetypeassert // a TCP listener
}

func joinErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
