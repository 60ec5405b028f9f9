// Package password holds the one password rule of the service, for users, the bootstrap admin
// and the create-admin command alike: at least 12 characters (Unicode code points), at most 72
// bytes of UTF-8 (bcrypt reads no further), and not one of the commonly used passwords.
package password

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Length bounds.
const (
	MinChars = 12
	MaxBytes = 72
)

//go:embed common.txt
var commonList string

// Problem returns why p is not acceptable as a new password, as a phrase that completes
// "password ...", or "" when it is.
func Problem(p string) string {
	switch {
	case utf8.RuneCountInString(p) < MinChars:
		return "must be at least 12 characters long"
	case len(p) > MaxBytes:
		return "must be at most 72 bytes long (in UTF-8)"
	case !utf8.ValidString(p):
		return "must be valid UTF-8"
	case repetitive(p):
		return "must not repeat one character or a short sequence"
	case common(p):
		return "is one of the most commonly used passwords"
	}
	return ""
}

// common reports whether p (in any case) is on the embedded list of common passwords. The list
// is short and only new passwords are checked, so a scan is cheap enough.
func common(p string) bool {
	for line := range strings.Lines(commonList) {
		if strings.EqualFold(strings.TrimSpace(line), p) {
			return true
		}
	}
	return false
}

// repetitive reports a password made of one short unit repeated (aaaaaaaaaaaa, abcabcabcabc).
func repetitive(p string) bool {
	for size := 1; size <= 3 && size < len(p); size++ {
		unit := p[:size]
		if strings.Repeat(unit, len(p)/size+1)[:len(p)] == p {
			return true
		}
	}
	return false
}
