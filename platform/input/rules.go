package input

import (
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// presence is implemented by optional.Field: the value and whether there is one.
type presence interface {
	Interface() (any, bool)
}

// checkRules returns a message for every rule the decoded value breaks.
func checkRules(fv reflect.Value, r Rules) []string {
	value := fv.Interface()
	if p, ok := value.(presence); ok {
		v, present := p.Interface()
		if !present {
			return nil
		}
		value = v
	}
	switch v := value.(type) {
	case string:
		return checkString(v, r)
	case int64:
		return checkNumber(float64(v), r)
	case int:
		return checkNumber(float64(v), r)
	case int32:
		return checkNumber(float64(v), r)
	case float64:
		return checkNumber(v, r)
	}
	return nil
}

// CheckString applies string rules to s; exported for values validated outside a DTO field.
func CheckString(s string, r Rules) []string { return checkString(s, r) }

func checkString(s string, r Rules) []string {
	var msgs []string
	n := utf8.RuneCountInString(s)
	if r.MinLength != nil && n < *r.MinLength {
		msgs = append(msgs, fmt.Sprintf("must be at least %d %s long", *r.MinLength, plural(*r.MinLength, "character")))
	}
	if r.MaxLength != nil && n > *r.MaxLength {
		msgs = append(msgs, fmt.Sprintf("must be at most %d %s long", *r.MaxLength, plural(*r.MaxLength, "character")))
	}
	if strings.ContainsRune(s, 0) {
		msgs = append(msgs, "must not contain NUL characters")
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		msgs = append(msgs, "must match the pattern "+r.Pattern.String())
	}
	if len(r.Enum) > 0 && !slices.Contains(r.Enum, s) {
		msgs = append(msgs, "must be one of "+strings.Join(r.Enum, ", "))
	}
	if r.Format == "email" && !looksLikeEmail(s) {
		msgs = append(msgs, "must be an email address")
	}
	return msgs
}

func checkNumber(f float64, r Rules) []string {
	var msgs []string
	if r.Minimum != nil && f < *r.Minimum {
		msgs = append(msgs, "must be greater than or equal to "+strconv.FormatFloat(*r.Minimum, 'f', -1, 64))
	}
	if r.Maximum != nil && f > *r.Maximum {
		msgs = append(msgs, "must be less than or equal to "+strconv.FormatFloat(*r.Maximum, 'f', -1, 64))
	}
	return msgs
}

// looksLikeEmail accepts a bare address (no display name) with a dotted domain.
func looksLikeEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
