package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// tools runs pg_dump and pg_restore against the database of a connection URL. Credentials go
// through the environment (PGPASSWORD and friends), never the command line, where any user of
// the machine could read them.
type tools struct {
	// bin is the directory of the client tools; empty: found on PATH.
	bin string
	// url is the owner's connection URL.
	url string
}

// connEnv turns a postgres:// URL into libpq environment variables, with the database name
// replaced by db when set.
func connEnv(raw, db string) ([]string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("the owner's database URL must be a postgres:// URL for pg_dump and pg_restore")
	}
	env := []string{"PGHOST=" + u.Hostname(), "PGDATABASE=" + strings.TrimPrefix(u.Path, "/"), "PGCONNECT_TIMEOUT=10"}
	if p := u.Port(); p != "" {
		env = append(env, "PGPORT="+p)
	}
	if u.User != nil {
		env = append(env, "PGUSER="+u.User.Username())
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
	}
	q := u.Query()
	for param, name := range map[string]string{"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
		"sslkey": "PGSSLKEY", "sslpassword": "PGSSLPASSWORD", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"} {
		if v := q.Get(param); v != "" {
			env = append(env, name+"="+v)
		}
	}
	if db != "" {
		env = append(env, "PGDATABASE="+db)
	}
	return env, nil
}

// command builds a tool's command for database db (empty: the URL's), with a clean environment.
func (t tools) command(ctx context.Context, name, db string, args ...string) (*exec.Cmd, error) {
	env, err := connEnv(t.url, db)
	if err != nil {
		return nil, err
	}
	path := name
	if t.bin != "" {
		path = t.bin + "/" + name
	}
	cmd := exec.CommandContext(ctx, path, args...) //nolint:gosec // our own tool names and arguments
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "PGAPPNAME=erp-ops"}, env...)
	return cmd, nil
}

var majorPattern = regexp.MustCompile(`\(PostgreSQL\) (\d+)`) //nolint:gochecknoglobals // a compiled constant

// majorOf returns the major version a tool reports (pg_dump --version).
func (t tools) majorOf(ctx context.Context, name string) (int, error) {
	cmd, err := t.command(ctx, name, "", "--version")
	if err != nil {
		return 0, err
	}
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s is not installed or does not run (Debian: apt-get install postgresql-client-NN; the service image has it)", name)
	}
	m := majorPattern.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("%s --version printed %q", name, bytes.TrimSpace(out))
	}
	return strconv.Atoi(string(m[1]))
}

// checkVersion refuses a tool older than the server: pg_dump cannot dump a newer server, and an
// older pg_restore cannot read a newer pg_dump's archive.
func (t tools) checkVersion(ctx context.Context, name string, serverMajor int) error {
	major, err := t.majorOf(ctx, name)
	if err != nil {
		return err
	}
	if major < serverMajor {
		return fmt.Errorf("%s is version %d but the server is PostgreSQL %d: install postgresql-client-%d "+
			"(Debian) or use the service image, which carries the server's version", name, major, serverMajor, serverMajor)
	}
	return nil
}

// run runs a tool, streaming its standard output to stdout (nil: discarded), and returns a
// plain message on failure: the tool's last stderr line, without the connection's details.
func (t tools) run(ctx context.Context, stdout io.Writer, name, db string, args ...string) error {
	cmd, err := t.command(ctx, name, db, args...)
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s failed (%s): %s", name, exitReason(err), lastLine(stderr.String()))
	}
	return nil
}

func exitReason(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.String()
	}
	return "could not start"
}

// lastLine is the tool's last message, cut short and without the SQL a failed query quotes;
// tools never print passwords.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var line string
	for i := len(lines) - 1; i >= 0 && line == ""; i-- {
		if l := strings.TrimSpace(lines[i]); !strings.Contains(strings.ToLower(l), "query was") {
			line = l
		}
	}
	if i := strings.Index(strings.ToLower(line), "query was"); i >= 0 {
		line = strings.TrimSpace(line[:i])
	}
	if len(line) > 300 {
		line = line[:300]
	}
	if line == "" {
		return "no message"
	}
	return line
}
