package listing

import (
	"net/url"
	"testing"

	"github.com/erp-foundation/erp/platform/fault"
)

// FuzzCursor: a cursor the client made up or changed is refused with a 400, never a panic or
// a page of another listing.
func FuzzCursor(f *testing.F) {
	c := NewCodec("fuzz-key")
	first, err := c.Parse(url.Values{"sort": {"-price"}}, testSpec())
	if err != nil {
		f.Fatal(err)
	}
	rows := []row{{id: 1, name: "a"}, {id: 2, name: "b"}}
	first.Limit = 1
	valid := Finish(c, first, rows, 0).NextCursor
	for _, seed := range []string{valid, "", "abc", valid + "x", "eyJ9", "!!!!"} {
		f.Add(seed, "-price")
	}
	f.Fuzz(func(t *testing.T, cursor, sort string) {
		p, err := c.Parse(url.Values{"cursor": {cursor}, "sort": {sort}}, testSpec())
		if err != nil {
			if fault.KindOf(err) != fault.BadRequest {
				t.Fatalf("not a 400: %v", err)
			}
			return
		}
		if len(p.After) != 0 && len(p.After) != len(p.Sort) {
			t.Fatalf("a cursor with %d values for %d sort keys", len(p.After), len(p.Sort))
		}
	})
}
