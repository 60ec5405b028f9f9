package listing

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/fault"
)

func testSpec() Spec {
	return Spec{
		Fields: []Field{
			{Name: "id", Column: "t.id", Type: Int},
			{Name: "name", Column: "t.name", Type: String},
			{Name: "price", Column: "t.price", Type: Decimal},
			{Name: "created_at", Column: "t.created_at", Type: Time},
		},
		DefaultSort: "id",
	}
}

type row struct {
	id      int64
	name    string
	created time.Time
}

func (r row) SortValue(field string) any {
	switch field {
	case "name":
		return r.name
	case "created_at":
		return r.created
	default:
		return r.id
	}
}

func parse(t *testing.T, c *Codec, query string) (*Page, error) {
	t.Helper()
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	return c.Parse(q, testSpec())
}

func badParams(t *testing.T, err error) map[string]string {
	t.Helper()
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, fault.BadRequest, fe.Kind)
	out := map[string]string{}
	for _, f := range fe.Fields {
		out[f.Field] = f.Message
	}
	return out
}

func TestDefaults(t *testing.T) {
	p, err := parse(t, NewCodec("k"), "")
	require.NoError(t, err)
	assert.Equal(t, DefaultLimit, p.Limit)
	assert.Equal(t, 0, p.Offset)
	require.Len(t, p.Sort, 1)
	assert.Equal(t, "id", p.Sort[0].Field.Name)
}

func TestBadParametersAre400(t *testing.T) {
	c := NewCodec("k")
	for query, param := range map[string]string{
		"limit=0":             "limit",
		"limit=201":           "limit",
		"limit=-1":            "limit",
		"limit=1.5":           "limit",
		"limit=abc":           "limit",
		"offset=-1":           "offset",
		"offset=100001":       "offset",
		"sort=colour":         "sort",
		"sort=":               "sort",
		"sort=name,,id":       "sort",
		"sort=name,-name":     "sort",
		"include_total=yes":   "include_total",
		"cursor=abc":          "cursor",
		"cursor=abc&offset=0": "cursor",
	} {
		_, err := parse(t, c, query)
		assert.Contains(t, badParams(t, err), param, query)
	}
}

func TestSortEndsWithIDInTheLastDirection(t *testing.T) {
	p, err := parse(t, NewCodec("k"), "sort=-created_at,name")
	require.NoError(t, err)
	require.Len(t, p.Sort, 3)
	assert.Equal(t, []string{"created_at", "name", "id"}, []string{p.Sort[0].Field.Name, p.Sort[1].Field.Name, p.Sort[2].Field.Name})
	assert.True(t, p.Sort[0].Desc)
	assert.False(t, p.Sort[2].Desc, "id follows the direction of the last key")

	p, err = parse(t, NewCodec("k"), "sort=-name")
	require.NoError(t, err)
	assert.True(t, p.Sort[1].Desc)

	p, err = parse(t, NewCodec("k"), "sort=-id,name")
	require.NoError(t, err)
	assert.Len(t, p.Sort, 2, "id already present: nothing appended")
}

func TestCursorRoundTrip(t *testing.T) {
	c := NewCodec("secret")
	p, err := parse(t, c, "sort=-created_at,name&q=x&limit=2")
	require.NoError(t, err)
	created := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	rows := []row{{1, "a", created}, {2, "b", created}, {3, "c", created}}
	res := Finish(c, p, rows, 0)
	assert.Len(t, res.Items, 2)
	require.NotEmpty(t, res.NextCursor)
	assert.Nil(t, res.Total)

	next, err := parse(t, c, "q=x&sort=-created_at,name&limit=50&cursor="+url.QueryEscape(res.NextCursor))
	require.NoError(t, err, "limit may change, parameter order does not matter")
	assert.Equal(t, []any{created, "b", int64(2)}, next.After)

	cond, args := next.keyset()
	assert.Equal(t, "t.created_at <= ? AND ((t.created_at < ?) OR (t.created_at = ? AND t.name > ?) OR (t.created_at = ? AND t.name = ? AND t.id > ?))", cond)
	assert.Len(t, args, 7)
}

func TestCursorIsBoundToSortAndFilters(t *testing.T) {
	c := NewCodec("secret")
	p, err := parse(t, c, "sort=name&q=x&limit=1")
	require.NoError(t, err)
	cursor := Finish(c, p, []row{{1, "a", time.Time{}}, {2, "b", time.Time{}}}, 0).NextCursor

	for _, query := range []string{"sort=name&q=y", "sort=-name&q=x", "q=x", "sort=name&q=x&parent_id=1"} {
		_, err := parse(t, c, query+"&cursor="+url.QueryEscape(cursor))
		assert.Contains(t, badParams(t, err)["cursor"], "different sort or different filters", query)
	}
	_, err = parse(t, NewCodec("other key"), "sort=name&q=x&cursor="+url.QueryEscape(cursor))
	assert.Contains(t, badParams(t, err)["cursor"], "not a cursor issued by this service")

	tampered := strings.Replace(cursor, cursor[:4], "eyJx", 1)
	_, err = parse(t, c, "sort=name&q=x&cursor="+url.QueryEscape(tampered))
	assert.Contains(t, badParams(t, err)["cursor"], "not a cursor issued by this service")
}

func TestNoNextCursorOnLastPageAndTotal(t *testing.T) {
	c := NewCodec("k")
	p, err := parse(t, c, "limit=2&include_total=true")
	require.NoError(t, err)
	res := Finish(c, p, []row{{1, "a", time.Time{}}, {2, "b", time.Time{}}}, 2)
	assert.Empty(t, res.NextCursor)
	require.NotNil(t, res.Total)
	assert.Equal(t, int64(2), *res.Total)

	empty := Finish[row](c, p, nil, 0)
	assert.NotNil(t, empty.Items, "an empty page still has an items array")
}
