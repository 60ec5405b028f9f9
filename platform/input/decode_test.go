package input_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/fault"
	"github.com/erp-foundation/erp/platform/input"
	"github.com/erp-foundation/erp/platform/optional"
)

type translation struct {
	Name        optional.Field[string] `json:"name" nullable:"true" minLength:"1" maxLength:"5"`
	Description optional.Field[string] `json:"description" nullable:"true"`
}

type widget struct {
	Code         string                 `json:"code" required:"true" minLength:"1" maxLength:"4" pattern:"^[a-z]+$"`
	Count        optional.Field[int64]  `json:"count" minimum:"0" maximum:"10"`
	Active       optional.Field[bool]   `json:"active"`
	Note         optional.Field[string] `json:"note" nullable:"true"`
	Role         string                 `json:"role" enum:"admin,staff"`
	Email        string                 `json:"email" format:"email"`
	Translations map[string]translation `json:"translations"`
}

func decode(t *testing.T, method, contentType, body string) (*widget, error) {
	t.Helper()
	r := httptest.NewRequest(method, "/", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	var w widget
	var d input.Decoder
	err := d.Decode(r, &w)
	return &w, err
}

func kindAndFields(t *testing.T, err error) (fault.Kind, map[string]string) {
	t.Helper()
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	fields := map[string]string{}
	for _, f := range fe.Fields {
		fields[f.Field] = f.Message
	}
	return fe.Kind, fields
}

func TestValidBodyDecodes(t *testing.T) {
	w, err := decode(t, http.MethodPost, "application/json; charset=utf-8",
		`{"code":"ab","count":0,"active":false,"note":null,"translations":{"fr":{"name":"Nom"}}}`)
	require.NoError(t, err)
	assert.Equal(t, "ab", w.Code)
	assert.True(t, w.Count.Present())
	assert.Equal(t, int64(0), w.Count.Value)
	assert.True(t, w.Active.Set)
	assert.False(t, w.Active.Value, "false is a real value")
	assert.True(t, w.Note.Set && w.Note.Null, "null is recorded")
	assert.Equal(t, "Nom", w.Translations["fr"].Name.Value)
	assert.False(t, w.Translations["fr"].Description.Set)
}

func TestContentType(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "application/xml", "application/merge-patch+json"} {
		_, err := decode(t, http.MethodPost, ct, `{"code":"ab"}`)
		assert.Equal(t, fault.UnsupportedMedia, fault.KindOf(err), ct)
	}
	_, err := decode(t, http.MethodPatch, "application/merge-patch+json", `{"code":"ab"}`)
	assert.NoError(t, err, "PATCH accepts merge-patch+json")
}

func TestMalformedBodiesAre400(t *testing.T) {
	for name, body := range map[string]string{
		"empty":          "",
		"blank":          "  \n",
		"syntax":         `{"code":`,
		"trailing data":  `{"code":"ab"} {}`,
		"array":          `[{"code":"ab"}]`,
		"string":         `"code"`,
		"invalid utf-8":  "{\"code\":\"\xff\"}",
		"trailing comma": `{"code":"ab",}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decode(t, http.MethodPost, "application/json", body)
			assert.Equal(t, fault.BadRequest, fault.KindOf(err))
		})
	}
}

func TestEveryInvalidFieldIsListedAtOnce(t *testing.T) {
	_, err := decode(t, http.MethodPost, "application/json",
		`{"count":"x","active":"yes","colour":1,"role":"boss","email":"nope","translations":{"fr":{"name":"toolongname","colour":"red"}}}`)
	kind, fields := kindAndFields(t, err)
	assert.Equal(t, fault.Invalid, kind)
	assert.Equal(t, map[string]string{
		"code":                   "is required",
		"count":                  "must be an integer",
		"active":                 "must be a boolean",
		"colour":                 "unknown field",
		"role":                   "must be one of admin, staff",
		"email":                  "must be an email address",
		"translations.fr.name":   "must be at most 5 characters long",
		"translations.fr.colour": "unknown field",
	}, fields)
}

func TestRules(t *testing.T) {
	_, err := decode(t, http.MethodPost, "application/json", `{"code":"AB1","count":11}`)
	_, fields := kindAndFields(t, err)
	assert.Equal(t, "must match the pattern ^[a-z]+$", fields["code"])
	assert.Equal(t, "must be less than or equal to 10", fields["count"])

	_, err = decode(t, http.MethodPost, "application/json", `{"code":"","count":-1}`)
	_, fields = kindAndFields(t, err)
	assert.Contains(t, fields["code"], "at least 1 character long")
	assert.Equal(t, "must be greater than or equal to 0", fields["count"])

	_, err = decode(t, http.MethodPost, "application/json", `{"code":"a\u0000"}`)
	_, fields = kindAndFields(t, err)
	assert.Equal(t, "must not contain NUL characters", fields["code"])
}

func TestNulls(t *testing.T) {
	_, err := decode(t, http.MethodPost, "application/json", `{"code":null,"count":null,"active":null}`)
	_, fields := kindAndFields(t, err)
	assert.Equal(t, map[string]string{
		"code": "is required", "count": "must not be null", "active": "must not be null",
	}, fields)
}

func TestWrongShapes(t *testing.T) {
	_, err := decode(t, http.MethodPost, "application/json", `{"code":"ab","translations":[1]}`)
	_, fields := kindAndFields(t, err)
	assert.Equal(t, "must be an object", fields["translations"])

	_, err = decode(t, http.MethodPost, "application/json", `{"code":"ab","translations":{"fr":"x"}}`)
	_, fields = kindAndFields(t, err)
	assert.Equal(t, "must be an object", fields["translations.fr"])
}

func TestBodyLimit(t *testing.T) {
	body := `{"code":"` + strings.Repeat("a", 2048) + `"}`
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1024)
	var d input.Decoder
	err := d.Decode(r, &widget{})
	assert.Equal(t, fault.TooLarge, fault.KindOf(err))
}
