package input

import (
	"runtime"
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

// TestDeepNestingCostsBoundedMemory: bodies of nothing but nesting (a 1 MiB body of brackets
// reaches the token route before any authentication) are refused once they pass MaxBodyDepth,
// after allocations that do not grow with the depth. Not parallel: it reads the process's
// allocation counter.
func TestDeepNestingCostsBoundedMemory(t *testing.T) {
	for _, size := range []int{40 << 10, 1 << 20} {
		depth := (size - 10) / 2
		body := []byte(`{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}")
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := wellFormedObject(body)
		runtime.ReadMemStats(&after)
		var fe *fault.Error
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, fault.Invalid, fe.Kind)
		require.Len(t, fe.Fields, 1)
		assert.Equal(t, "nests deeper than 32 levels", fe.Fields[0].Message)
		allocated := after.TotalAlloc - before.TotalAlloc
		require.Less(t, allocated, uint64(64<<10), "a %d-byte body allocated %d bytes", len(body), allocated)
		allocs := testing.AllocsPerRun(5, func() { _ = wellFormedObject(body) })
		assert.Less(t, allocs, float64(200), "a %d-byte body: allocations per check", len(body))
	}
	ok := `{"a":` + strings.Repeat("[", MaxBodyDepth-1) + strings.Repeat("]", MaxBodyDepth-1) + "}"
	assert.NoError(t, wellFormedObject([]byte(ok)), "MaxBodyDepth levels are allowed")
}
