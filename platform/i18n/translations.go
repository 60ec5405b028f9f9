package i18n

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	gojson "github.com/goccy/go-json"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/input"
)

// Translations holds a row's non-default languages: language -> field -> text, stored as JSONB
// ({"fr":{"name":"Outils"}}); the empty value is stored as {}. A scanned value keeps the raw
// document and decodes it on first use, so reads in the default language never pay for it.
type Translations struct {
	raw    []byte
	byLang map[string]map[string]string
	parsed bool
}

// NewTranslations wraps decoded translations (for writes and tests).
func NewTranslations(byLang map[string]map[string]string) Translations {
	return Translations{byLang: byLang, parsed: true}
}

// Lang returns one language's text (nil when the row has none).
func (tr *Translations) Lang(lang string) map[string]string { return tr.All()[lang] }

// All returns every language's text, decoding the stored document on first use (with
// goccy/go-json: lists decode one document per row, and it is several times faster than
// encoding/json there). A document that does not decode counts as no translations: the
// CHECK constraint keeps it an object.
func (tr *Translations) All() map[string]map[string]string {
	if !tr.parsed {
		tr.parsed = true
		if len(tr.raw) > 0 {
			_ = gojson.Unmarshal(tr.raw, &tr.byLang)
		}
	}
	return tr.byLang
}

// Value implements driver.Valuer.
func (tr Translations) Value() (driver.Value, error) {
	if !tr.parsed {
		if len(tr.raw) == 0 {
			return "{}", nil
		}
		return string(tr.raw), nil
	}
	if tr.byLang == nil {
		return "{}", nil
	}
	b, err := json.Marshal(tr.byLang)
	return string(b), err
}

// Scan implements sql.Scanner; it copies the document and defers decoding.
func (tr *Translations) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*tr = Translations{}
	case []byte:
		*tr = Translations{raw: append([]byte(nil), v...)}
	case string:
		*tr = Translations{raw: []byte(v)}
	default:
		return errors.New("i18n: translations must be scanned from JSON")
	}
	return nil
}

// Without returns the languages other than lang that have text (GET .../translations lists the
// non-default ones).
func (tr *Translations) Without(lang string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for l, fields := range tr.All() {
		if l != lang && len(fields) > 0 {
			out[l] = maps.Clone(fields)
		}
	}
	return out
}

// Input is translation input as clients send it: {"fr": {"name": "...", "description": null}}.
// It is checked against the model's translatable fields by Check.
type Input map[string]map[string]json.RawMessage

// Check validates in for model: every language must be supported and not the default, every
// field translatable, every value a string (or null: not translated) that passes the field's
// rules. path prefixes the reported fields ("translations" gives translations.fr.name).
func (t *Translator) Check(model any, path string, in Input) []fault.FieldError {
	var errs []fault.FieldError
	for _, lang := range slices.Sorted(maps.Keys(in)) {
		langPath := join(path, lang)
		switch code := strings.ToLower(lang); {
		case !t.Supported(code):
			errs = append(errs, fault.Field(langPath, "is not a supported language ("+strings.Join(t.supported, ", ")+")"))
			continue
		case code == t.def:
			errs = append(errs, fault.Field(langPath, "is the default language: change the entity's own fields instead"))
			continue
		}
		errs = append(errs, t.CheckFields(model, langPath, in[lang])...)
	}
	return errs
}

// CheckFields validates one language's fields (the body of PUT .../translations/{lang}).
func (t *Translator) CheckFields(model any, path string, fields map[string]json.RawMessage) []fault.FieldError {
	info := t.info(reflectType(model))
	var errs []fault.FieldError
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		fieldPath := join(path, name)
		i := slices.IndexFunc(info.fields, func(f Field) bool { return f.Name == name })
		if i < 0 {
			errs = append(errs, fault.Field(fieldPath, "is not a translatable field"))
			continue
		}
		raw := fields[name]
		if string(raw) == "null" {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			errs = append(errs, fault.Field(fieldPath, "must be a string or null"))
			continue
		}
		for _, msg := range input.CheckString(s, info.fields[i].Rules) {
			errs = append(errs, fault.Field(fieldPath, msg))
		}
	}
	return errs
}

// Build turns checked input into stored translations: languages lower-cased, nulls dropped,
// languages without any text left out.
func Build(in Input) Translations {
	out := map[string]map[string]string{}
	for lang, fields := range in {
		if text := BuildFields(fields); len(text) > 0 {
			out[strings.ToLower(lang)] = text
		}
	}
	return NewTranslations(out)
}

// BuildFields turns one checked language's input into stored text, dropping nulls.
func BuildFields(fields map[string]json.RawMessage) map[string]string {
	out := map[string]string{}
	for name, raw := range fields {
		var s *string
		if json.Unmarshal(raw, &s) == nil && s != nil {
			out[name] = *s
		}
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
