package i18n

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/input"
)

// Translations holds a row's non-default languages: language -> field -> text. It is stored as
// JSONB ({"fr":{"name":"Outils"}}); a nil value is stored as {}.
type Translations map[string]map[string]string

// Value implements driver.Valuer.
func (tr Translations) Value() (driver.Value, error) {
	if tr == nil {
		return "{}", nil
	}
	b, err := json.Marshal(tr)
	return string(b), err
}

// Scan implements sql.Scanner.
func (tr *Translations) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case nil:
		*tr = Translations{}
		return nil
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return errors.New("i18n: translations must be scanned from JSON")
	}
	out := Translations{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	*tr = out
	return nil
}

// Without returns a copy without the default language (GET .../translations lists the others).
func (tr Translations) Without(lang string) Translations {
	out := Translations{}
	for l, fields := range tr {
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
	out := Translations{}
	for lang, fields := range in {
		if text := BuildFields(fields); len(text) > 0 {
			out[strings.ToLower(lang)] = text
		}
	}
	return out
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
