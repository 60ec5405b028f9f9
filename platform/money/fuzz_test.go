package money

import (
	"strings"
	"testing"
)

// FuzzParse: an accepted amount is non-negative, at most 9999999999.99, and prints back as
// the same amount with exactly two decimals; anything else is refused without a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"0", "19.99", "1.230", "1e3", "-1", "9999999999.99", "10000000000", " 1", "NaN", "0.5", ".5", "5."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		out := a.String()
		dot := strings.IndexByte(out, '.')
		if dot < 0 || len(out)-dot-1 != 2 || strings.HasPrefix(out, "-") {
			t.Fatalf("%q printed as %q", s, out)
		}
		back, err := Parse(out)
		if err != nil || !back.Equal(a) {
			t.Fatalf("%q -> %q does not parse back to the same amount: %v", s, out, err)
		}
		limit, _ := Parse("9999999999.99")
		if a.d.GreaterThan(limit.d) {
			t.Fatalf("%q is above the maximum", s)
		}
	})
}
