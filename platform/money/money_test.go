package money

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAndJSON(t *testing.T) {
	for in, want := range map[string]string{
		`19.99`: "19.99", `"19.99"`: "19.99", `20`: "20.00", `"0.5"`: "0.50", `0`: "0.00",
		`"9999999999.99"`: "9999999999.99", `1.20`: "1.20", `"007.10"`: "7.10",
	} {
		var a Amount
		require.NoError(t, json.Unmarshal([]byte(in), &a), in)
		assert.Equal(t, want, a.String(), in)
		out, err := json.Marshal(a)
		require.NoError(t, err)
		assert.Equal(t, `"`+want+`"`, string(out))
	}
}

func TestRejections(t *testing.T) {
	for in, msg := range map[string]string{
		`-1`:               "must be greater than or equal to 0",
		`"-0.01"`:          "must be greater than or equal to 0",
		`"1.230"`:          "must have at most 2 decimal places",
		`1.230`:            "must have at most 2 decimal places",
		`1e3`:              "no exponent",
		`"1E3"`:            "no exponent",
		`"NaN"`:            "no exponent",
		`"Infinity"`:       "no exponent",
		`"10000000000.00"`: "must be less than or equal to 9999999999.99",
		`"1.2.3"`:          "no exponent",
		`".5"`:             "no exponent",
		`"5."`:             "no exponent",
		`""`:               "must be a decimal amount",
		`" 1"`:             "no exponent",
		`"+1"`:             "no exponent",
		`true`:             "must be a decimal amount",
		`null`:             "must be a decimal amount",
		`{}`:               "must be a decimal amount",
	} {
		var a Amount
		err := json.Unmarshal([]byte(in), &a)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), msg, in)
	}
}

func TestScan(t *testing.T) {
	var a Amount
	require.NoError(t, a.Scan("12.50"))
	assert.Equal(t, "12.50", a.String())
	require.NoError(t, a.Scan([]byte("3")))
	assert.Equal(t, "3.00", a.String())
	assert.Error(t, a.Scan(nil))
	a, errA := Parse("1.5")
	b, errB := Parse("1.50")
	require.NoError(t, errors.Join(errA, errB))
	assert.True(t, a.Equal(b))
}
