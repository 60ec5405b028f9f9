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
	return NewTokens(config.Auth{JWTSecret: current, JWTPreviousSecret: previous, TokenTTL: time.Hour})
}

func TestIssueAndVerify(t *testing.T) {
	tk := tokens(secret, "")
	raw, err := tk.Issue(42, RoleStaff)
	require.NoError(t, err)
	id, err := tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, int64(42), id)
}

func TestRejectedTokens(t *testing.T) {
	tk := tokens(secret, "")
	other := tokens(strings.Repeat("x", 32), "")
	foreign, _ := other.Issue(1, RoleAdmin)

	expiredIssuer := tokens(secret, "")
	expiredIssuer.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := expiredIssuer.Issue(1, RoleAdmin)

	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "1", "iss": Issuer, "exp": time.Now().Add(time.Hour).Unix()})
	unsigned, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	hs512 := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"sub": "1", "iss": Issuer, "exp": time.Now().Add(time.Hour).Unix()})
	wrongAlg, _ := hs512.SignedString([]byte(secret))

	noExpiry := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "iss": Issuer})
	eternal, _ := noExpiry.SignedString([]byte(secret))

	otherIss := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "iss": "someone", "exp": time.Now().Add(time.Hour).Unix()})
	stranger, _ := otherIss.SignedString([]byte(secret))

	valid, _ := tk.Issue(1, RoleAdmin)
	tampered := valid[:len(valid)-3] + "abc"

	for name, raw := range map[string]string{
		"other key": foreign, "expired": expired, "alg none": unsigned, "HS512": wrongAlg,
		"no expiry": eternal, "other issuer": stranger, "tampered": tampered, "garbage": "a.b.c", "empty": "",
	} {
		_, err := tk.Verify(raw)
		assert.ErrorIs(t, err, ErrInvalidToken, name)
	}
}

func TestVerifiedTokensAreRememberedUntilTheyExpire(t *testing.T) {
	tk := tokens(secret, "")
	now := time.Now()
	tk.now = func() time.Time { return now }
	raw, _ := tk.Issue(5, RoleViewer)
	id, err := tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, int64(5), id)
	require.Contains(t, tk.verified, raw)
	id, err = tk.Verify(raw)
	require.NoError(t, err)
	assert.Equal(t, int64(5), id, "the second check comes from memory")

	now = now.Add(tk.ttl + time.Minute)
	_, err = tk.Verify(raw)
	assert.ErrorIs(t, err, ErrInvalidToken, "a remembered token still expires")
}

func TestKeyRotation(t *testing.T) {
	old := tokens(strings.Repeat("o", 32), "")
	issuedBefore, _ := old.Issue(7, RoleViewer)

	rotated := tokens(secret, strings.Repeat("o", 32))
	id, err := rotated.Verify(issuedBefore)
	require.NoError(t, err, "tokens signed with the previous key stay valid during a rotation")
	assert.Equal(t, int64(7), id)
	fresh, _ := rotated.Issue(8, RoleViewer)
	_, err = old.Verify(fresh)
	assert.Error(t, err, "new tokens use the new key")

	done := tokens(secret, "")
	_, err = done.Verify(issuedBefore)
	assert.Error(t, err, "once the previous key is dropped its tokens stop working")
}

func TestFailureLimiter(t *testing.T) {
	l := NewFailureLimiter(3)
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return now }
	for range 3 {
		blocked, _ := l.Blocked("email:a", "ip:1")
		assert.False(t, blocked)
		l.Fail("email:a", "ip:1")
		now = now.Add(10 * time.Second)
	}
	blocked, retry := l.Blocked("email:a")
	assert.True(t, blocked)
	assert.Equal(t, 30, retry, "until the oldest failure leaves the minute")
	blocked, _ = l.Blocked("email:b", "ip:1")
	assert.True(t, blocked, "the client address is limited too")

	now = now.Add(31 * time.Second)
	blocked, _ = l.Blocked("email:a")
	assert.False(t, blocked, "a sliding minute")

	l.Fail("email:c")
	l.Reset("email:c")
	assert.Empty(t, l.failures["email:c"])
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
	dir := fakeDirectory{1: {Role: RoleAdmin, Active: true}, 2: {Role: RoleViewer, Active: true}, 3: {Role: RoleStaff, Active: false}}
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
	token := func(id int64) string { s, _ := tk.Issue(id, RoleAdmin); return s }

	assert.Equal(t, http.StatusOK, call("Bearer "+token(1)).Code)
	assert.Equal(t, "admin", call("bearer "+token(1)).Body.String(), "the scheme is case-insensitive; the role comes from the directory")
	for name, header := range map[string]string{
		"none": "", "basic": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer ", "invalid": "Bearer x.y.z",
		"deactivated": "Bearer " + token(3), "unknown user": "Bearer " + token(4),
	} {
		rec := call(header)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, name)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer", name)
	}
	assert.Equal(t, http.StatusForbidden, call("Bearer "+token(2)).Code, "a viewer may not write")
	assert.Equal(t, http.StatusServiceUnavailable, call("Bearer "+token(99)).Code, "a directory failure is a 503, not a 401")
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
