package dbtest

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ViaPgBouncerEnv names the variable that, set to 1, runs every test database's service pool through a real PgBouncer
// in transaction pooling mode, started once per test binary in front of the test server (the
// listener, the owner and Outside stay direct, as in production).
const ViaPgBouncerEnv = "TEST_VIA_PGBOUNCER"

// pgBouncer is a running PgBouncer.
type pgBouncer struct {
	port int
	cmd  *exec.Cmd
	dir  string
}

// startPgBouncer starts PgBouncer in front of the server at adminURL (whose user and password
// it logs in with), listening on a free port. It returns a message when the binary is missing.
func startPgBouncer(adminURL string) (*pgBouncer, string, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"} {
			if _, statErr := os.Stat(p); statErr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		return nil, "pgbouncer is not installed (Debian: apt-get install pgbouncer)", nil
	}
	u, err := neturl.Parse(adminURL)
	if err != nil {
		return nil, "", err
	}
	password, _ := u.User.Password()
	dir, err := os.MkdirTemp("", "erp-pgbouncer-")
	if err != nil {
		return nil, "", err
	}
	port, err := freeTCPPort()
	if err != nil {
		return nil, "", err
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = plain
auth_file = %s/users.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
max_db_connections = 60
server_reset_query =
ignore_startup_parameters = extra_float_digits,statement_timeout,timezone
logfile = %s/pgbouncer.log
pidfile = %s/pgbouncer.pid
`, u.Hostname(), u.Port(), port, dir, dir, dir)
	users := fmt.Sprintf("%q %q\n", u.User.Username(), password)
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o600); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), []byte(users), 0o600); err != nil {
		return nil, "", err
	}
	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini")) //nolint:gosec,noctx // the installed binary, for the whole run
	if os.Geteuid() == 0 {                                        // PgBouncer refuses to run as root
		pu, err := user.Lookup("postgres")
		if err != nil {
			return nil, "running as root needs a postgres OS user for PgBouncer", nil
		}
		uid, _ := strconv.Atoi(pu.Uid)
		gid, _ := strconv.Atoi(pu.Gid)
		for _, f := range []string{dir, filepath.Join(dir, "pgbouncer.ini"), filepath.Join(dir, "users.txt")} {
			_ = os.Chown(f, uid, gid)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}} //nolint:gosec // small ids
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start pgbouncer: %w", err)
	}
	b := &pgBouncer{port: port, cmd: cmd, dir: dir}
	if err := b.waitReady(u); err != nil {
		b.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		return nil, "", fmt.Errorf("pgbouncer did not answer: %w\n%s", err, strings.TrimSpace(string(log)))
	}
	fmt.Fprintf(os.Stderr, "dbtest: PgBouncer (transaction pooling) on 127.0.0.1:%d in front of %s\n", port, u.Host)
	return b, "", nil
}

// url is target (a URL of the test server) through this PgBouncer.
func (b *pgBouncer) url(target string) string {
	u, err := neturl.Parse(target)
	if err != nil {
		return target
	}
	u.Host = "127.0.0.1:" + strconv.Itoa(b.port)
	return u.String()
}

func (b *pgBouncer) waitReady(server *neturl.URL) error {
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var conn *pgx.Conn
		conn, err = pgx.Connect(ctx, withParam(b.url(server.String()), "default_query_exec_mode", "exec"))
		if err == nil {
			_, err = conn.Exec(ctx, "SELECT 1")
			_ = conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func (b *pgBouncer) stop() {
	if b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		_, _ = b.cmd.Process.Wait()
	}
	_ = os.RemoveAll(b.dir)
}

// viaPgBouncer reports whether tests run through PgBouncer.
func viaPgBouncer() bool { return os.Getenv(ViaPgBouncerEnv) == "1" }
