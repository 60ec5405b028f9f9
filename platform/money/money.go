// Package money is the API's exact money type: NUMERIC(12,2) in the database, a decimal string
// with two places in JSON ("20.00"), accepted as a JSON number or string in plain decimal
// notation only (no exponent, no NaN or Infinity), with at most two decimal places, not
// negative and at most 9999999999.99. Never a float.
package money

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/shopspring/decimal"

	"github.com/erp-foundation/erp/platform/input"
)

// Max is the largest amount NUMERIC(12,2) holds.
const Max = "9999999999.99"

// Amount is an exact amount of money.
type Amount struct {
	d decimal.Decimal
}

// Parse reads a plain decimal string ("19.99", "20", "0.5") under the API's rules. Its error
// is an *input.ValueError whose message suits a field error.
func Parse(s string) (Amount, error) {
	if s == "" {
		return Amount{}, &input.ValueError{Message: "must be a decimal amount such as 19.99"}
	}
	if strings.HasPrefix(s, "-") {
		if plain(s[1:]) {
			return Amount{}, &input.ValueError{Message: "must be greater than or equal to 0"}
		}
		return Amount{}, &input.ValueError{Message: "must be a decimal amount such as 19.99"}
	}
	if !plain(s) {
		return Amount{}, &input.ValueError{Message: "must be a decimal amount such as 19.99 (digits and one point, no exponent)"}
	}
	if _, frac, ok := strings.Cut(s, "."); ok && len(frac) > 2 {
		return Amount{}, &input.ValueError{Message: "must have at most 2 decimal places"}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, &input.ValueError{Message: "must be a decimal amount such as 19.99"}
	}
	if d.GreaterThan(decimal.RequireFromString(Max)) {
		return Amount{}, &input.ValueError{Message: "must be less than or equal to " + Max}
	}
	return Amount{d: d}, nil
}

// plain reports digits with at most one point between digits.
func plain(s string) bool {
	whole, frac, hasPoint := strings.Cut(s, ".")
	return digits(whole) && (!hasPoint || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String renders the amount with exactly two decimal places.
func (a Amount) String() string { return a.d.StringFixed(2) }

// Equal compares two amounts by value.
func (a Amount) Equal(b Amount) bool { return a.d.Equal(b.d) }

// MarshalText writes 20.00, which JSON encoders quote: "20.00". (A text marshaler spares the
// encoder the validation it applies to MarshalJSON output.)
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON accepts 19.99 or "19.99".
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return &input.ValueError{Message: "must be a decimal amount such as 19.99"}
		}
	} else if s == "true" || s == "false" || s == "null" || strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
		return &input.ValueError{Message: "must be a decimal amount (a number or a string such as \"19.99\")"}
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Value stores the amount as NUMERIC text.
func (a Amount) Value() (driver.Value, error) { return a.String(), nil }

// Scan reads NUMERIC.
func (a *Amount) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		return errors.New("money: NULL amount")
	default:
		s = fmt.Sprint(v)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("money: scan %q: %w", s, err)
	}
	a.d = d
	return nil
}

// OpenAPISchema documents the wire format.
func (Amount) OpenAPISchema() *openapi3.Schema {
	s := openapi3.NewStringSchema().WithPattern(`^\d{1,10}(\.\d{1,2})?$`)
	s.Description = `Exact amount, written "19.99" (always two decimals); accepted as a string or a JSON number, at most 2 decimals, 0 to ` + Max + "."
	s.Example = "19.99"
	return s
}
