// Package i18n makes content translation a platform capability. A model marks its translatable
// fields with the struct tag i18n:"translatable" and carries a Translations field (a JSONB
// column, "translations"); nothing else lists the fields. The base columns hold the default
// language; other languages live in the row, so reading a page of rows in any language costs
// no extra query, and each field falls back to the default language on its own.
//
// The package also negotiates the response language (?lang=, then Accept-Language with
// q-values and region fallback, then the default), validates translation input, builds the
// trigram-indexed search condition for translated text, and provides the translation routes
// (PUT/GET/DELETE .../{id}/translations[/{lang}]) for any table through one call.
package i18n

import (
	"slices"
	"strings"
	"sync"

	"github.com/erp-foundation/erp/platform/config"
)

// Translator holds the configured languages and the translatable fields of each model type
// (found by reflection once per type). It is safe for concurrent use.
type Translator struct {
	def       string
	supported []string
	models    sync.Map // reflect.Type -> *modelInfo
}

// New returns a translator for the configured languages.
func New(cfg config.I18n) *Translator {
	supported := make([]string, len(cfg.SupportedLanguages))
	for i, l := range cfg.SupportedLanguages {
		supported[i] = strings.ToLower(l)
	}
	return &Translator{def: strings.ToLower(cfg.DefaultLanguage), supported: supported}
}

// Default is the default language: the language of the base columns.
func (t *Translator) Default() string { return t.def }

// Supported reports whether lang (lower case) is a configured language.
func (t *Translator) Supported(lang string) bool { return slices.Contains(t.supported, lang) }
