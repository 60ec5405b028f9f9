package etag

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/fault"
)

func TestParseIfMatch(t *testing.T) {
	m, err := ParseIfMatch("")
	require.NoError(t, err)
	assert.Nil(t, m)
	assert.True(t, m.Allows(7), "no header allows any version")

	m, err = ParseIfMatch("*")
	require.NoError(t, err)
	assert.True(t, m.Allows(7))
	assert.False(t, m.Restricts())

	m, err = ParseIfMatch(`"3", "5"`)
	require.NoError(t, err)
	assert.True(t, m.Allows(3))
	assert.True(t, m.Allows(5))
	assert.False(t, m.Allows(4))

	m, err = ParseIfMatch(`W/"3"`)
	require.NoError(t, err)
	assert.False(t, m.Allows(3), "weak tags never match If-Match")

	m, err = ParseIfMatch(`"abc"`)
	require.NoError(t, err)
	assert.False(t, m.Allows(1), "a well-formed tag that is not a version matches nothing")

	for _, bad := range []string{`3`, `"3`, `"3"x`, `""3""`, `,`} {
		_, err := ParseIfMatch(bad)
		assert.Equal(t, fault.BadRequest, fault.KindOf(err), bad)
	}
	assert.Equal(t, `"12"`, Of(12))
}
