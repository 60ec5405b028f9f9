package i18n

import (
	"github.com/gin-gonic/gin"

	"github.com/erp-foundation/erp/platform/openapi"
)

// LangParam documents the ?lang= query parameter of localised routes.
func LangParam() openapi.Param {
	return openapi.Param{Name: "lang", Description: "Response language (beats Accept-Language; an unsupported one falls back to the next choice, then the default)."}
}

// FromRequest negotiates the language of a read from ?lang= and Accept-Language.
func (t *Translator) FromRequest(c *gin.Context) string {
	return t.Negotiate(c.Query("lang"), c.GetHeader("Accept-Language"))
}

// SetHeaders marks a localised response: Content-Language, and Vary: Accept-Language so that
// caches keep one copy per language.
func SetHeaders(c *gin.Context, contentLanguage string) {
	c.Header("Content-Language", contentLanguage)
	c.Writer.Header().Add("Vary", "Accept-Language")
}
