package i18n

import (
	"reflect"
)

func reflectType(model any) reflect.Type { return reflect.TypeOf(model) }

// Localize rewrites the translatable fields of *model in lang, each falling back to its base
// (default-language) value on its own, and returns the item's language: lang when at least one
// field came from that language or lang is the default, else the default.
func (t *Translator) Localize(model any, lang string) string {
	if lang == t.def {
		return lang
	}
	v := reflect.ValueOf(model).Elem()
	info := t.info(v.Type())
	if info.translations < 0 {
		return t.def
	}
	tr, _ := v.Field(info.translations).Addr().Interface().(*Translations)
	text := tr.Lang(lang)
	used := false
	for _, f := range info.fields {
		s, ok := text[f.Name]
		if !ok {
			continue
		}
		used = true
		fv := v.Field(f.index)
		if f.Nullable {
			fv.Set(reflect.ValueOf(&s))
		} else {
			fv.SetString(s)
		}
	}
	if used {
		return lang
	}
	return t.def
}

// ResponseLanguage is the Content-Language of a response whose items have the given
// languages: the common language, or the default when they mix or there are none.
func (t *Translator) ResponseLanguage(requested string, itemLangs []string) string {
	if len(itemLangs) == 0 {
		return requested
	}
	for _, l := range itemLangs {
		if l != itemLangs[0] {
			return t.def
		}
	}
	return itemLangs[0]
}
