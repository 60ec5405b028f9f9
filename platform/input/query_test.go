package input

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/fault"
)

func TestParseQueryRefusesMalformedAndRepeatedParameters(t *testing.T) {
	for raw, param := range map[string]string{
		"q=%FF%FE":                      "q",
		"q=%E2%82":                      "q",
		"q=%00":                         "q",
		"q=%zz":                         "q",
		"lang=fr%":                      "lang",
		"parent_id=null&parent_id=5":    "parent_id",
		"limit=1&limit=1":               "limit",
		"%FF=1":                         "%FF",
		"ok=1&attr.size=1&attr.size=2":  "attr.size",
		"sort=name&q=%C3%28&limit=5":    "q",
		"a=%00&b=%FF":                   "a",
		"include_total=true&q=a&q=b&x=": "q",
	} {
		_, err := ParseQuery(raw)
		var fe *fault.Error
		require.ErrorAs(t, err, &fe, raw)
		assert.Equal(t, fault.BadRequest, fe.Kind, raw)
		var named []string
		for _, f := range fe.Fields {
			named = append(named, f.Field)
		}
		assert.Contains(t, named, param, raw)
	}
}

func TestParseQueryAcceptsWellFormedParameters(t *testing.T) {
	v, err := ParseQuery("q=caf%C3%A9&sort=-name&empty=&flag&plus=a+b&semi=a;b&&")
	require.NoError(t, err)
	assert.Equal(t, "café", v.Get("q"))
	assert.Equal(t, "-name", v.Get("sort"))
	assert.True(t, v.Has("empty"))
	assert.True(t, v.Has("flag"))
	assert.Equal(t, "a b", v.Get("plus"))
	assert.Equal(t, "a;b", v.Get("semi"), "a semicolon is data, not a separator")
}

// TestParseQueryBoundsTheQueryString: past MaxQueryBytes or MaxQueryParams the whole query is
// refused (net/url would keep the first 10,000 parameters and drop the rest silently).
func TestParseQueryBoundsTheQueryString(t *testing.T) {
	many := strings.Repeat("attr.k=1&", MaxQueryParams) + "x=1"
	long := "q=" + strings.Repeat("a", MaxQueryBytes)
	for _, raw := range []string{many, long, strings.Repeat("a=1&", 34000)} {
		_, err := ParseQuery(raw)
		assert.Equal(t, fault.BadRequest, fault.KindOf(err), raw[:20])
	}
	_, err := ParseQuery(strings.Repeat("a=1&", MaxQueryParams-1) + "b=2&&&")
	var fe *fault.Error
	require.ErrorAs(t, err, &fe, "repeated, but within the bounds: refused for the repetition")
	assert.Equal(t, "a", fe.Fields[0].Field)
	v, err := ParseQuery("q=" + strings.Repeat("a", MaxQueryBytes-10))
	require.NoError(t, err)
	assert.Len(t, v.Get("q"), MaxQueryBytes-10)
}
