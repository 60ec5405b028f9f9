package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPolicy(t *testing.T) {
	for pw, want := range map[string]string{
		"🔥🔥🔥":                          "must be at least 12 characters long", // 12 bytes, 3 code points
		"ééééééééééé":                  "must be at least 12 characters long",
		strings.Repeat("é", 37):        "must be at most 72 bytes long (in UTF-8)", // 37 code points, 74 bytes
		"aaaaaaaaaaaa":                 "must not repeat one character or a short sequence",
		"abcabcabcabcabc":              "must not repeat one character or a short sequence",
		"Password1234":                 "is one of the most commonly used passwords",
		"Correct Horse Battery Staple": "is one of the most commonly used passwords",
		"tremble-orbit-walnut-42":      "",
		strings.Repeat("é", 36):        "must not repeat one character or a short sequence",
		"réveil tardif à l'aube":       "",
		strings.Repeat("x", 71) + "y":  "",
	} {
		assert.Equal(t, want, Problem(pw), "%q", pw)
	}
	assert.Equal(t, "must be at most 72 bytes long (in UTF-8)", Problem(strings.Repeat("ab", 36)+"c"))
}
