package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretPatterns find the example secrets a file ships: values given to secret variables
// (environment, YAML, compose defaults), secret fields in Go literals, and passwords in
// PostgreSQL URLs.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`\b(?:ERP_AUTH_JWT_SECRET|ERP_AUTH_JWT_PREVIOUS_SECRET|ERP_PAGINATION_CURSOR_SECRET|` +
		`[A-Z_]*_PASSWORD)(?::-|[ \t]*[=:][ \t]*)"?([^"\s}$]+)`),
	regexp.MustCompile(`"ERP_[A-Z_]*(?:SECRET|PASSWORD)":\s*"([^"]+)"`),
	regexp.MustCompile(`(?m)^[ \t]*(?:jwt_secret|jwt_previous_secret|cursor_secret|password):[ \t]*"?([^"\s#]+)`),
	regexp.MustCompile(`[^"\w](?:JWTSecret|JWTPreviousSecret|CursorSecret|Password):\s*"([^"]+)"`),
	regexp.MustCompile(`\bconst (?:secret|password|adminPassword)\s*=\s*"([^"]+)"`),
	regexp.MustCompile(`postgres(?:ql)?://[^:/@\s"']+:([^@\s"'/]+)@`),
}

// TestEveryExampleSecretIsRefusedInProduction keeps examples.txt in step with the repository:
// every example secret a tracked file ships must be on the list production refuses.
func TestEveryExampleSecretIsRefusedInProduction(t *testing.T) {
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	found := 0
	for _, file := range strings.Fields(string(out)) {
		if strings.HasSuffix(file, "examples.txt") || strings.HasSuffix(file, "go.sum") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			continue // deleted in the work tree
		}
		for _, re := range secretPatterns {
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				value := m[1]
				if !strings.ContainsAny(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ||
					strings.Contains(value, "xxxxx") || !alnum(value[0]) {
					continue
				}
				found++
				assert.True(t, IsExampleSecret(value), "%s ships the example secret %q: add it to platform/config/examples.txt", file, value)
			}
		}
	}
	require.Positive(t, found, "the scan finds the repository's examples")
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found")
		dir = parent
	}
}

// alnum reports a letter or digit: a value starting with anything else is shell or SQL syntax
// ($VAR, ${VAR:?...}, /path, |pattern), not a secret.
func alnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
