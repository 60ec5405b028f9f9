package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/platform/config"
	"github.com/erp-foundation/erp/platform/database"
	"github.com/erp-foundation/erp/platform/httperr"
)

const secret = "0123456789abcdef0123456789abcdef"

func tokens(current, previous string) *Tokens {
	return NewTokens(config.Auth{JWTSecret: current, JWTPreviousSecret: previous, TokenTTL: time.Hour, Audience: "erp"})
}

// signed signs hand-made claims with the test key.
func signed(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString([]byte(secret))
	require.NoError(t, err)
	return s
}

func TestIssueAndVerify(t *testing.T) {
	tk := tokens(secret, "")
	raw, err := tk.Issue(42, RoleStaff, 3)
	require.NoError(t, err)
	sub, err := tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, Subject{UserID: 42, Generation: 3}, sub)
	parsed, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	require.NoError(t, err)
	aud, _ := parsed.Claims.GetAudience()
	assert.Equal(t, jwt.ClaimStrings{"erp"}, aud, "tokens carry aud erp")
}

func TestRejectedTokens(t *testing.T) {
	tk := tokens(secret, "")
	other := tokens(strings.Repeat("x", 32), "")
	foreign, _ := other.Issue(1, RoleAdmin, 1)
	expiredIssuer := tokens(secret, "")
	expiredIssuer.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := expiredIssuer.Issue(1, RoleAdmin, 1)
	now := time.Now()
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "1", "iss": Issuer, "aud": "erp", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	valid, _ := tk.Issue(1, RoleAdmin, 1)
	require.NotEmpty(t, signed(t, jwt.SigningMethodHS256, good()))
	_, err := tk.Verify(signed(t, jwt.SigningMethodHS256, good()))
	require.NoError(t, err, "the hand-made baseline is valid")
	for name, raw := range map[string]string{
		"other key": foreign, "expired": expired, "alg none": unsigned,
		"HS512":        signed(t, jwt.SigningMethodHS512, good()),
		"no expiry":    signed(t, jwt.SigningMethodHS256, with("exp", nil)),
		"other issuer": signed(t, jwt.SigningMethodHS256, with("iss", "someone")),
		"no audience":  signed(t, jwt.SigningMethodHS256, with("aud", nil)),
		"other aud":    signed(t, jwt.SigningMethodHS256, with("aud", "billing")),
		"no iat":       signed(t, jwt.SigningMethodHS256, with("iat", nil)),
		"future iat":   signed(t, jwt.SigningMethodHS256, with("iat", now.Add(10*time.Minute).Unix())),
		"ten years":    signed(t, jwt.SigningMethodHS256, with("exp", now.Add(10*365*24*time.Hour).Unix())),
		"tampered":     valid[:len(valid)-3] + "abc", "garbage": "a.b.c", "empty": "",
	} {
		_, err := tk.Verify(raw)
		assert.ErrorIs(t, err, ErrInvalidToken, name)
	}
}

func TestVerifiedTokensAreRememberedUntilTheyExpire(t *testing.T) {
	tk := tokens(secret, "")
	now := time.Now()
	tk.now = func() time.Time { return now }
	raw, _ := tk.Issue(5, RoleViewer, 2)
	sub, err := tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, int64(5), sub.UserID)
	require.Contains(t, tk.verified, raw)
	sub, err = tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, Subject{UserID: 5, Generation: 2}, sub, "the second check comes from memory, generation included")
	now = now.Add(tk.ttl + time.Minute)
	_, err = tk.Verify(raw)
	assert.ErrorIs(t, err, ErrInvalidToken, "a remembered token still expires")
}

func TestKeyRotation(t *testing.T) {
	old := tokens(strings.Repeat("o", 32), "")
	issuedBefore, _ := old.Issue(7, RoleViewer, 1)
	rotated := tokens(secret, strings.Repeat("o", 32))
	sub, err := rotated.Verify(issuedBefore)
	require.NoError(t, err, "tokens signed with the previous key stay valid during a rotation")
	assert.Equal(t, int64(7), sub.UserID)
	fresh, _ := rotated.Issue(8, RoleViewer, 1)
	_, err = old.Verify(fresh)
	assert.Error(t, err, "new tokens use the new key")
	done := tokens(secret, "")
	_, err = done.Verify(issuedBefore)
	assert.Error(t, err, "once the previous key is dropped its tokens stop working")
}

type fakeDirectory map[int64]Account

func (f fakeDirectory) Account(_ context.Context, id int64) (Account, bool, error) {
	if id == 99 {
		return Account{}, false, fmt.Errorf("lookup: %w", database.ErrPoolTimeout)
	}
	a, ok := f[id]
	return a, ok, nil
}

func TestGuard(t *testing.T) {
	gin.SetMode(gin.TestMode)
	tk := tokens(secret, "")
	dir := fakeDirectory{
		1: {Role: RoleAdmin, Active: true, TokenGeneration: 1}, 2: {Role: RoleViewer, Active: true, TokenGeneration: 1},
		3: {Role: RoleStaff, Active: false, TokenGeneration: 1}, 5: {Role: RoleAdmin, Active: true, TokenGeneration: 2},
	}
	g := NewGuard(tk, dir)
	e := gin.New()
	e.Use(httperr.Middleware(httperr.NewRegistry(), slogDiscard()))
	e.GET("/w", g.Require(Writers()), func(c *gin.Context) {
		p, _ := FromContext(c.Request.Context())
		c.String(http.StatusOK, p.Role)
	})
	call := func(header string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/w", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	token := func(id int64, gen int32) string { s, _ := tk.Issue(id, RoleAdmin, gen); return s }
	ok := call("Bearer " + token(1, 1))
	assert.Equal(t, http.StatusOK, ok.Code)
	assert.Equal(t, "admin", call("bearer "+token(1, 1)).Body.String(), "the scheme is case-insensitive; the role comes from the directory")
	for name, header := range map[string]string{
		"none": "", "basic": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer ", "invalid": "Bearer x.y.z",
		"deactivated": "Bearer " + token(3, 1), "unknown user": "Bearer " + token(4, 1),
		"revoked generation": "Bearer " + token(5, 1),
	} {
		rec := call(header)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, name)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer", name)
	}
	assert.Equal(t, http.StatusOK, call("Bearer "+token(5, 2)).Code, "the current generation passes")
	assert.Equal(t, http.StatusForbidden, call("Bearer "+token(2, 1)).Code, "a viewer may not write")
	assert.Equal(t, http.StatusServiceUnavailable, call("Bearer "+token(99, 1)).Code, "a directory failure is a 503, not a 401")
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
