package httperr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/fault"
)

func testRegistry() *Registry {
	return NewRegistry([]Constraint{
		{Name: "uq_products_sku", Field: "sku", Message: "SKU already exists."},
		{Name: "fk_products_category_id", Field: "category_id", Message: "Category does not exist.",
			InUseMessage: "Category is still used by products."},
		{Name: "ck_products_price", Field: "price", Message: "must be greater than or equal to 0"},
	})
}

func TestPostgresErrorsMapByStateAndConstraint(t *testing.T) {
	r := testRegistry()
	wrap := func(e *pgconn.PgError) error { return fmt.Errorf("create product: %w", e) }
	cases := []struct {
		name       string
		err        error
		status     int
		constraint string
		field      string
		detail     string
	}{
		{"unique", wrap(&pgconn.PgError{Code: "23505", ConstraintName: "uq_products_sku"}), 409, "uq_products_sku", "sku", "SKU already exists."},
		{"unknown unique", wrap(&pgconn.PgError{Code: "23505", ConstraintName: "uq_x"}), 409, "uq_x", "", detailConflict},
		{"exclusion", wrap(&pgconn.PgError{Code: "23P01", ConstraintName: "ex_x"}), 409, "ex_x", "", detailConflict},
		{"fk on insert", wrap(&pgconn.PgError{Code: "23503", ConstraintName: "fk_products_category_id"}), 422, "fk_products_category_id", "category_id", detailInvalid},
		{"unknown fk", wrap(&pgconn.PgError{Code: "23503", ConstraintName: "fk_x"}), 409, "fk_x", "", detailConflict},
		{"check", wrap(&pgconn.PgError{Code: "23514", ConstraintName: "ck_products_price"}), 422, "ck_products_price", "price", detailInvalid},
		{"not null", wrap(&pgconn.PgError{Code: "23502", ColumnName: "name"}), 422, "", "name", detailInvalid},
		{"data", wrap(&pgconn.PgError{Code: "22001", ColumnName: "sku"}), 422, "", "sku", detailInvalid},
		{"serialization", wrap(&pgconn.PgError{Code: "40001"}), 409, "", "", detailConcurrent},
		{"deadlock", wrap(&pgconn.PgError{Code: "40P01"}), 409, "", "", detailConcurrent},
		{"statement timeout", wrap(&pgconn.PgError{Code: "57014"}), 503, "", "", detailUnavailable},
		{"admin shutdown", wrap(&pgconn.PgError{Code: "57P01"}), 503, "", "", detailUnavailable},
		{"too many connections", wrap(&pgconn.PgError{Code: "53300"}), 503, "", "", detailUnavailable},
		{"syntax error", wrap(&pgconn.PgError{Code: "42601", Message: "syntax error at SELECT secret"}), 500, "", "", detailInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := r.ToProblem(tc.err)
			assert.Equal(t, tc.status, p.Status)
			assert.Equal(t, tc.constraint, p.Constraint)
			assert.Equal(t, tc.detail, p.Detail)
			if tc.field != "" {
				assert.Equal(t, tc.field, p.Errors[0].Field)
			}
			assert.Equal(t, "about:blank", p.Type)
			assert.Equal(t, http.StatusText(tc.status), p.Title)
		})
	}
}

func TestDeleteOfReferencedRowIsConflict(t *testing.T) {
	pgErr := &pgconn.PgError{Code: "23503", ConstraintName: "fk_products_category_id"}
	err := fmt.Errorf("delete: %w", &database.ReferenceError{StillReferenced: true, Err: pgErr})
	p := testRegistry().ToProblem(err)
	assert.Equal(t, 409, p.Status)
	assert.Equal(t, "fk_products_category_id", p.Constraint)
	assert.Equal(t, "Category is still used by products.", p.Detail)

	unknown := testRegistry().ToProblem(&database.ReferenceError{StillReferenced: false, Err: pgErr})
	assert.Equal(t, 422, unknown.Status, "an unknown reference names the field")
}

func TestUnavailableAndUnknown(t *testing.T) {
	r := testRegistry()
	for _, err := range []error{
		fmt.Errorf("get: %w", database.ErrPoolTimeout),
		&pgconn.ConnectError{},
		context.DeadlineExceeded,
		fmt.Errorf("query: %w", pgconn.ErrConnClosed),
	} {
		p := r.ToProblem(err)
		assert.Equal(t, 503, p.Status, "%v", err)
		assert.Equal(t, "unavailable", p.Code)
		assert.Equal(t, 1, p.RetryAfter)
	}
	p := r.ToProblem(errors.New("pq: password authentication failed for postgres://u:secret@h/db"))
	assert.Equal(t, 500, p.Status)
	assert.Equal(t, "internal", p.Code)
	assert.NotContains(t, p.Detail, "secret", "unknown errors never leak their text")
}

func TestFaultKinds(t *testing.T) {
	r := testRegistry()
	kinds := map[fault.Kind]int{
		fault.BadRequest: 400, fault.Unauthorized: 401, fault.Forbidden: 403, fault.NotFound: 404,
		fault.MethodNotAllowed: 405, fault.Conflict: 409, fault.PreconditionFailed: 412, fault.TooLarge: 413,
		fault.UnsupportedMedia: 415, fault.Invalid: 422, fault.TooManyRequests: 429, fault.Unavailable: 503,
	}
	for kind, status := range kinds {
		p := r.ToProblem(fmt.Errorf("ctx: %w", fault.New(kind, "detail")))
		assert.Equal(t, status, p.Status)
		assert.Equal(t, codeFor(status), p.Code)
		assert.Equal(t, "detail", p.Detail)
	}
	p := r.ToProblem(fault.Validation(fault.Field("price", "must be greater than or equal to 0")))
	assert.Equal(t, "validation_failed", p.Code)
	assert.Equal(t, []fault.FieldError{{Field: "price", Message: "must be greater than or equal to 0"}}, p.Errors)
}

// dataExceptions are PostgreSQL's class 22 SQLSTATEs (data exceptions), which the classifier
// maps to 422, and the integrity codes that become 422 too.
var dataExceptions = []string{
	"22000", "2202E", "22021", "22008", "22012", "22005", "2200B", "22022", "22015", "2201E", "22014",
	"22016", "2201F", "2201G", "22018", "22007", "22019", "2200D", "22025", "22P06", "22010", "22023",
	"22013", "2201B", "2201W", "2201X", "2202H", "2202G", "22009", "2200C", "2200G", "22004", "22002",
	"22003", "2200H", "22026", "22001", "22011", "22027", "22024", "2200F", "22P01", "22P02", "22P03",
	"22P04", "22P05", "2200L", "2200M", "2200N", "2200S", "2200T", "22030", "22031", "22032", "22033",
	"22034", "22035", "22036", "22037", "22038", "22039", "2203A", "2203B", "2203C", "2203D", "2203E",
	"2203F", "2203G", "23502", "23514",
}

func TestEvery422NamesAField(t *testing.T) {
	r := testRegistry()
	for _, code := range dataExceptions {
		for _, column := range []string{"", "price"} {
			p := r.ToProblem(&pgconn.PgError{Code: code, ColumnName: column, ConstraintName: "ck_unregistered"})
			require.Equal(t, 422, p.Status, code)
			require.NotEmpty(t, p.Errors, "%s (column %q) must list a field", code, column)
			if column != "" {
				assert.Equal(t, column, p.Errors[0].Field, code)
			}
		}
	}
	p := r.ToProblem(fault.New(fault.Invalid, "Something is off."))
	require.NotEmpty(t, p.Errors, "a 422 fault without fields still lists one")
}
