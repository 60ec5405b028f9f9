package config

import (
	_ "embed"
	"net"
	"net/url"
	"strconv"
	"strings"
)

//go:embed examples.txt
var exampleSecrets string

// MinDistinctSecretChars is the fewest distinct characters a production signing key may have.
const MinDistinctSecretChars = 16

// generateHint says how to make a good secret.
const generateHint = "generate one with: openssl rand -base64 48"

// IsExampleSecret reports whether s is one of the example values the repository publishes.
func IsExampleSecret(s string) bool {
	for line := range strings.Lines(exampleSecrets) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" && !strings.HasPrefix(line, "#") && line == s {
			return true
		}
	}
	return false
}

// distinct counts the distinct characters of s.
func distinct(s string) int {
	seen := map[rune]struct{}{}
	for _, r := range s {
		seen[r] = struct{}{}
	}
	return len(seen)
}

// secretProblem says why s cannot be a production secret of at least minBytes, or "".
func secretProblem(s string, minBytes, minDistinct int) string {
	switch {
	case len(s) < minBytes:
		return "must be at least " + strconv.Itoa(minBytes) + " bytes in production; " + generateHint
	case distinct(s) < minDistinct:
		return "must have at least " + strconv.Itoa(minDistinct) + " distinct characters in production; " + generateHint
	case IsExampleSecret(s):
		return "is an example value published in the repository, so anyone can forge with it; " + generateHint
	}
	return ""
}

// databasePasswordProblem says why the password of a database URL is not acceptable in
// production, or "". A URL without a password (certificate or peer authentication) is fine.
func databasePasswordProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	pw, set := u.User.Password()
	if !set {
		pw = u.Query().Get("password")
	}
	switch {
	case pw == "":
		return ""
	case pw == u.User.Username():
		return "has a password equal to its user name; " + generateHint
	case IsExampleSecret(pw):
		return "has a password published in the repository as an example; " + generateHint
	}
	return ""
}

// loopback reports whether addr (host:port) listens on a loopback address only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plaintextProblem says why a database URL would send credentials and data in clear over a
// network in production, or "": a host that is not loopback (or a Unix socket) needs sslmode
// require, verify-ca or verify-full.
func plaintextProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	mode := u.Query().Get("sslmode")
	if mode == "require" || mode == "verify-ca" || mode == "verify-full" {
		return ""
	}
	for _, host := range strings.Split(u.Hostname(), ",") {
		if host == "" || strings.HasPrefix(host, "/") || host == "localhost" {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			continue
		}
		if mode == "" {
			mode = "prefer"
		}
		return "reaches " + host + " with sslmode=" + mode + ", which allows plaintext: use sslmode=verify-full " +
			"(with database.ssl_root_cert), or set database.allow_plaintext=true for a private network you trust"
	}
	return ""
}
