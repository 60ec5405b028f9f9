package tests

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformedQueryStringsAre400NamingTheParameter(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	for _, q := range []string{"q=%FF%FE", "q=%E2%82", "q=%00", "lang=%FF", "q=a&q=b", "attr.size=1&attr.size=2"} {
		res := api.Do(http.MethodGet, "/api/v1/products?"+q, nil)
		require.Equal(t, http.StatusBadRequest, res.Status, q)
		assert.Contains(t, res.FieldErrors(), strings.SplitN(q, "=", 2)[0], q)
	}
	res := api.Do(http.MethodGet, "/api/v1/categories?parent_id=null&parent_id=5", nil)
	require.Equal(t, http.StatusBadRequest, res.Status)
	assert.Contains(t, res.FieldErrors(), "parent_id", "categories behave as products do")
}

func TestFreeFormAttributesAreBounded(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	deep := strings.Repeat(`{"a":`, 11) + "1" + strings.Repeat("}", 11)
	for body, field := range map[string]string{
		`{"sku":"n1","name":"N","price":"1.00","attributes":{"k":"a\u0000b"}}`:                           "attributes.k",
		`{"sku":"n2","name":"N","price":"1.00","attributes":{"x":{"y":["\u0000"]}}}`:                     "attributes.x.y.0",
		`{"sku":"n3","name":"N","price":"1.00","attributes":` + deep + `}`:                               "attributes.a.a.a.a.a.a.a.a.a.a",
		`{"sku":"n4","name":"N","price":"1.00","attributes":{"b":"` + strings.Repeat("x", 17000) + `"}}`: "attributes",
		`{"sku":"n5\u0000","name":"N","price":"1.00"}`:                                                   "sku",
	} {
		res := api.Do(http.MethodPost, "/api/v1/products", body)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		assert.Contains(t, res.FieldErrors(), field, body[:min(len(body), 60)])
	}
	var n int64
	require.NoError(t, api.DB.Outside(t).Table("products").Count(&n).Error)
	assert.Zero(t, n, "nothing was stored")
}

func TestRepeatedJSONKeysAre400(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(http.MethodPost, "/api/v1/products", `{"sku":"a","sku":"b","name":"N","price":"1.00"}`)
	require.Equal(t, http.StatusBadRequest, res.Status)
	assert.Equal(t, "bad_request", res.Problem().Code)
	res = api.Do(http.MethodPost, "/api/v1/products", `{"sku":"a","name":"N","price":"1.00","attributes":{"k":1,"k":2}}`)
	assert.Equal(t, http.StatusBadRequest, res.Status, "at any depth")
}
