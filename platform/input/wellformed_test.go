package input

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/fault"
)

func TestRepeatedKeysAreABadRequestAtAnyDepth(t *testing.T) {
	for body, field := range map[string]string{
		`{"role":"viewer","role":"admin"}`:                    "role",
		`{"a":{"b":1,"b":2}}`:                                 "a.b",
		`{"list":[{"k":1},{"k":1,"k":2}]}`:                    "list.1.k",
		`{"translations":{"fr":{"name":"a"},"fr":{"x":"b"}}}`: "translations.fr",
	} {
		err := wellFormedObject([]byte(body))
		var fe *fault.Error
		require.ErrorAs(t, err, &fe, body)
		assert.Equal(t, fault.BadRequest, fe.Kind, body)
		require.Len(t, fe.Fields, 1, body)
		assert.Equal(t, field, fe.Fields[0].Field, body)
	}
	require.NoError(t, wellFormedObject([]byte(`{"a":{"k":1},"b":{"k":1},"list":[{"k":1},{"k":2}]}`)),
		"the same key in different objects is fine")
}

func TestMalformedBodiesAreBadRequests(t *testing.T) {
	for _, body := range []string{"", "  ", "[1]", `"x"`, "{", `{"a":1}x`, `{"a":}`, "{\"a\":\"\xff\"}", `{"a":1} {"b":2}`} {
		err := wellFormedObject([]byte(body))
		assert.Equal(t, fault.BadRequest, fault.KindOf(err), "%q", body)
	}
}

func TestFreeFormLimits(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 10) + "1" + strings.Repeat("}", 10)
	tooDeep := strings.Repeat(`{"a":`, 11) + "1" + strings.Repeat("}", 11)
	for raw, want := range map[string]*ValueError{
		`{"k":"a\u0000b"}`:                   {Path: "k", Message: "must not contain NUL characters"},
		`{"outer":{"list":["ok","\u0000"]}}`: {Path: "outer.list.1", Message: "must not contain NUL characters"},
		`{"k\u0000":1}`:                      {Path: `k\u0000`, Message: "must not contain NUL characters"},
		tooDeep:                              {Path: "a.a.a.a.a.a.a.a.a.a", Message: "nests deeper than 10 levels"},
		`{"big":"` + strings.Repeat("x", 16384) + `"}`: {Message: "must be at most 16384 bytes of JSON"},
	} {
		assert.Equal(t, want, CheckFreeForm([]byte(raw)), raw[:min(len(raw), 40)])
	}
	assert.Nil(t, CheckFreeForm([]byte(deep)), "10 levels are allowed")
	assert.Nil(t, CheckFreeForm([]byte(`{"size":42,"tags":["a","b"],"dims":{"w":1.5}}`)))
}
