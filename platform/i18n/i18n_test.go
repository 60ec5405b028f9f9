package i18n

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/config"
)

func translator() *Translator {
	return New(config.I18n{DefaultLanguage: "en", SupportedLanguages: []string{"en", "fr", "de", "es"}})
}

func TestNegotiate(t *testing.T) {
	tr := translator()
	cases := []struct{ lang, accept, want string }{
		{"", "", "en"},
		{"fr", "", "fr"},
		{"FR", "", "fr"},
		{"fr-CA", "", "fr"},
		{"fr", "de", "fr"}, // ?lang beats Accept-Language
		{"it", "de", "de"}, // an unsupported ?lang falls back to the next choice
		{"it", "", "en"},   // ... then the default
		{"x!", "es", "es"}, // a malformed ?lang is ignored
		{"", "de", "de"},
		{"", "fr-CA", "fr"},                        // region fallback
		{"", "it, fr;q=0.5", "fr"},                 // unsupported skipped
		{"", "de;q=0.4, fr;q=0.9, es;q=0.6", "fr"}, // q-values order the choices
		{"", "fr;q=0, de;q=0.1", "de"},             // q=0 excludes
		{"", "fr;q=0", "en"},
		{"", "*", "en"}, // * means the default
		{"", "it, *;q=0.5, fr;q=0.4", "en"},
		{"", "DE-at", "de"},    // case-insensitive
		{"", "fr;q=abc", "en"}, // a malformed header is ignored entirely
		{"", "fr;q=2", "en"},
		{"", "fr;;q=1", "en"},
		{"", "f@r", "en"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tr.Negotiate(tc.lang, tc.accept), "lang=%q accept=%q", tc.lang, tc.accept)
	}
}

type thing struct {
	ID           int64
	Name         string  `gorm:"column:name" i18n:"translatable" minLength:"1" maxLength:"5"`
	Description  *string `i18n:"translatable"`
	Code         string
	Translations Translations
}

func TestFieldsComeFromTheTagOnly(t *testing.T) {
	fields := translator().Fields(thing{})
	require.Len(t, fields, 2)
	assert.Equal(t, "name", fields[0].Name)
	assert.False(t, fields[0].Nullable)
	assert.Equal(t, "description", fields[1].Name)
	assert.True(t, fields[1].Nullable)
}

func TestLocalizeFallsBackPerField(t *testing.T) {
	tr := translator()
	desc := "A thing"
	th := thing{Name: "Thing", Description: &desc, Translations: NewTranslations(map[string]map[string]string{"fr": {"name": "Chose"}})}
	assert.Equal(t, "fr", tr.Localize(&th, "fr"))
	assert.Equal(t, "Chose", th.Name)
	assert.Equal(t, "A thing", *th.Description, "a field missing in French keeps the default language")

	th2 := thing{Name: "Thing", Translations: NewTranslations(map[string]map[string]string{"fr": {"description": "Une chose"}})}
	assert.Equal(t, "fr", tr.Localize(&th2, "fr"))
	assert.Equal(t, "Thing", th2.Name)
	assert.Equal(t, "Une chose", *th2.Description)

	th3 := thing{Name: "Thing", Translations: NewTranslations(map[string]map[string]string{"fr": {"name": "Chose"}})}
	assert.Equal(t, "en", tr.Localize(&th3, "de"), "no German at all: the item is in the default language")
	assert.Equal(t, "Thing", th3.Name)

	assert.Equal(t, "en", tr.ResponseLanguage("fr", []string{"fr", "en"}), "a mixed page is labelled with the default")
	assert.Equal(t, "fr", tr.ResponseLanguage("fr", []string{"fr", "fr"}))
}

func TestCheck(t *testing.T) {
	tr := translator()
	in := Input{
		"fr": {"name": json.RawMessage(`"Chose"`), "description": json.RawMessage(`null`)},
		"FR": {"name": json.RawMessage(`"toolong"`)},
		"de": {"colour": json.RawMessage(`"rot"`), "name": json.RawMessage(`5`)},
		"en": {"name": json.RawMessage(`"Thing"`)},
		"it": {"name": json.RawMessage(`"Cosa"`)},
	}
	got := map[string]string{}
	for _, e := range tr.Check(thing{}, "translations", in) {
		got[e.Field] = e.Message
	}
	assert.Equal(t, map[string]string{
		"translations.FR.name":   "must be at most 5 characters long",
		"translations.de.colour": "is not a translatable field",
		"translations.de.name":   "must be a string or null",
		"translations.en":        "is the default language: change the entity's own fields instead",
		"translations.it":        "is not a supported language (en, fr, de, es)",
	}, got)

	built := Build(Input{"FR": {"name": json.RawMessage(`"Chose"`), "description": json.RawMessage(`null`)}, "de": {}})
	assert.Equal(t, map[string]map[string]string{"fr": {"name": "Chose"}}, built.All(), "nulls are not translated, empty languages dropped")
}

func TestTranslationsColumn(t *testing.T) {
	var tr Translations
	v, err := tr.Value()
	require.NoError(t, err)
	assert.Equal(t, "{}", v)
	raw := []byte(`{"fr":{"name":"Chose"}}`)
	require.NoError(t, tr.Scan(raw))
	raw[2] = 'X' // the driver may reuse its buffer: Scan must have copied it
	assert.Equal(t, "Chose", tr.Lang("fr")["name"])
	v, err = tr.Value()
	require.NoError(t, err)
	assert.JSONEq(t, `{"fr":{"name":"Chose"}}`, v.(string))
	all := NewTranslations(map[string]map[string]string{"en": {"name": "x"}, "fr": {"name": "Chose"}, "de": {}})
	assert.Equal(t, map[string]map[string]string{"fr": {"name": "Chose"}}, all.Without("en"))
}

func TestSearchCondition(t *testing.T) {
	tr := translator()
	cond, args := tr.Search("categories", "name", "en", "%x%")
	assert.Equal(t, "categories.name ILIKE ?", cond)
	assert.Len(t, args, 1)
	cond, args = tr.Search("categories", "name", "fr", "%x%")
	assert.Contains(t, cond, "i18n_text(categories.translations, 'name') ILIKE ?", "matches the index expression exactly")
	assert.Equal(t, []any{"%x%", "%x%", "fr", "%x%"}, args)
}
