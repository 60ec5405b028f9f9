package listing

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Codec signs and verifies cursors with HMAC-SHA256, so a cursor that was altered or made up is
// rejected with 400 rather than turned into a query.
type Codec struct {
	key []byte
}

// NewCodec returns a codec keyed by secret; an empty secret means a random key, valid only in
// this process (cursors then do not survive a restart).
func NewCodec(secret string) *Codec {
	key := []byte(secret)
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &Codec{key: key}
}

// cursorBody is what a cursor carries: the sort it continues, a hash of the filters and the
// keyset values of the last row returned.
type cursorBody struct {
	Sort   string            `json:"s"`
	Filter string            `json:"f"`
	Values []json.RawMessage `json:"v"`
}

const macBytes = 16

func (c *Codec) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(payload)
	return m.Sum(nil)[:macBytes]
}

func filterHash(fp string) string {
	sum := sha256.Sum256([]byte(fp))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// encode makes the cursor that continues p after the row whose keyset values are given.
func (c *Codec) encode(p *Page, values []any) string {
	body := cursorBody{Sort: p.sortSpec, Filter: filterHash(p.fingerprint)}
	for i, v := range values {
		if p.Sort[i].Field.Type == Time {
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339Nano)
			}
		}
		raw, _ := json.Marshal(v)
		body.Values = append(body.Values, raw)
	}
	payload, _ := json.Marshal(body)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(c.mac(payload))
}

// decode verifies a cursor against p's sort and filters and returns its keyset values typed
// for the query. A non-empty string explains the rejection.
func (c *Codec) decode(s string, p *Page) ([]any, string) {
	const invalid = "is not a cursor issued by this service"
	encPayload, encMAC, ok := strings.Cut(s, ".")
	payload, err1 := base64.RawURLEncoding.DecodeString(encPayload)
	mac, err2 := base64.RawURLEncoding.DecodeString(encMAC)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, c.mac(payload)) {
		return nil, invalid
	}
	var body cursorBody
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return nil, invalid
	}
	if body.Sort != p.sortSpec || body.Filter != filterHash(p.fingerprint) {
		return nil, "was issued for a different sort or different filters; repeat them unchanged"
	}
	if len(body.Values) != len(p.Sort) {
		return nil, invalid
	}
	values := make([]any, len(body.Values))
	for i, raw := range body.Values {
		v, ok := typed(raw, p.Sort[i].Field.Type)
		if !ok {
			return nil, invalid
		}
		values[i] = v
	}
	return values, ""
}

func typed(raw json.RawMessage, t ValueType) (any, bool) {
	switch t {
	case Int:
		var n int64
		return n, json.Unmarshal(raw, &n) == nil
	case Time:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		ts, err := time.Parse(time.RFC3339Nano, s)
		return ts, err == nil
	case Decimal:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		_, err := decimal.NewFromString(s)
		return s, err == nil
	default:
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	}
}
