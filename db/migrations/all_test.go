package migrations

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDsAreUniqueAscendingAndWellFormed(t *testing.T) {
	idPattern := regexp.MustCompile(`^\d{12}_[a-z0-9]+_[a-z0-9_]+$`)
	all := All()
	require.NotEmpty(t, all)
	for i, m := range all {
		assert.Regexp(t, idPattern, m.ID, "IDs look like YYYYMMDDHHMM_<module>_<verb_object>")
		assert.NotNil(t, m.Migrate, m.ID)
		assert.NotNil(t, m.Rollback, "%s must be reversible", m.ID)
		if i > 0 {
			assert.Less(t, all[i-1].ID, m.ID, "migration IDs must be unique and strictly ascending")
		}
	}
}
