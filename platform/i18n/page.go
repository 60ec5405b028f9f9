package i18n

import (
	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/listing"
)

// Page localises every item of a list page into lang, renders it, and sets the response's
// language headers (Content-Language is lang when every item is in it, else the default).
// render receives each item already localised, with the item's own language.
func Page[T, R any](c *gin.Context, t *Translator, lang string, page listing.Result[T], render func(item *T, itemLang string) R) listing.Result[R] {
	langs := make([]string, 0, len(page.Items))
	out := listing.Map(page, func(item T) R {
		itemLang := t.Localize(&item, lang)
		langs = append(langs, itemLang)
		return render(&item, itemLang)
	})
	SetHeaders(c, t.ResponseLanguage(lang, langs))
	return out
}
