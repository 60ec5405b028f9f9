package product

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/i18n"
	"github.com/erp-foundation/erp/platform/listing"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

// TestListQueriesUseIndexesOnTheBenchmarkSet loads the 100,000-product benchmark set and checks,
// with the planner's own choice (nothing disabled), that the list filters and keyset pages are
// served by their indexes. The plans are logged (go test -v) as evidence.
func TestListQueriesUseIndexesOnTheBenchmarkSet(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	seed, err := os.ReadFile("bench/seed.sql")
	require.NoError(t, err)
	err = d.Outside(t).Exec(string(seed)).Error
	require.NoError(t, err)

	tr := i18n.New(config.I18n{DefaultLanguage: "en", SupportedLanguages: []string{"en", "fr"}})
	svc := NewService(d.DB, tr)
	codec := listing.NewCodec("explain")

	// A cursor in the middle of the price order, as a client continuing a deep listing would send.
	first, err := codec.Parse(url.Values{"sort": {"price"}, "limit": {"50"}, "offset": {"50000"}}, ListSpec())
	require.NoError(t, err)
	rows, _, err := svc.List(context.Background(), Filter{}, first)
	require.NoError(t, err)
	cursor := listing.Finish(codec, first, rows, 0).NextCursor
	require.NotEmpty(t, cursor)

	cases := []struct {
		name, query string
		lang        string
		wantIndex   string
	}{
		{"attribute filter", "attr.model=M-4242", "en", "ix_products_attributes"},
		{"three attribute filters, one numeric", "attr.model=M-4242&attr.color=orange&attr.size=42", "en", "ix_products_attributes"},
		{"q on sku and name", "q=012345", "en", "_trgm"},
		{"q in French", "q=Produit 4242", "fr", "ix_products_name_i18n_trgm"},
		{"price range", "min_price=10.00&max_price=10.01", "en", "ix_products_price"},
		{"keyset page by price", "sort=price&cursor=" + url.QueryEscape(cursor), "en", "ix_products_price"},
		{"first page by id", "", "en", "pk_products"},
	}
	for _, tc := range cases {
		q, err := url.ParseQuery(tc.query)
		require.NoError(t, err)
		page, err := codec.Parse(q, ListSpec())
		require.NoError(t, err, tc.name)
		f, err := ParseFilter(q)
		require.NoError(t, err, tc.name)
		f.Lang = tc.lang
		plan := explain(t, d.Outside(t), svc.listQuery(d.Outside(t), f, page))
		t.Logf("%s (%s):\n%s", tc.name, tc.query, plan)
		assert.Contains(t, plan, tc.wantIndex, tc.name)
		assert.NotContains(t, plan, "Seq Scan on products", tc.name)
	}
}

// explain runs EXPLAIN on the statement q would send.
func explain(t *testing.T, gdb *gorm.DB, q *gorm.DB) string {
	t.Helper()
	var sink []Product
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&sink).Statement
	sql := gdb.Explain(stmt.SQL.String(), stmt.Vars...)
	var lines []string
	require.NoError(t, gdb.Raw("EXPLAIN "+sql).Scan(&lines).Error)
	return strings.Join(lines, "\n")
}
