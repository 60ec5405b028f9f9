package i18n

import (
	"slices"
	"testing"

	"github.com/erp-foundation/erp/platform/config"
)

// FuzzNegotiate: whatever ?lang= and Accept-Language say, the answer is a supported language.
func FuzzNegotiate(f *testing.F) {
	for _, seed := range [][2]string{
		{"fr", ""}, {"", "fr-CA, de;q=0.5"}, {"", "*"}, {"", "fr;q=0, de;q=0.1"}, {"xx", "de;q=abc"},
		{"FR", ""}, {"", ",,;;q=;"}, {"", "en-US;q=0.8, fr;q=1.5"},
	} {
		f.Add(seed[0], seed[1])
	}
	supported := []string{"en", "fr", "de", "es"}
	tr := New(config.I18n{DefaultLanguage: "en", SupportedLanguages: supported})
	f.Fuzz(func(t *testing.T, lang, accept string) {
		if got := tr.Negotiate(lang, accept); !slices.Contains(supported, got) {
			t.Fatalf("Negotiate(%q, %q) = %q", lang, accept, got)
		}
	})
}
