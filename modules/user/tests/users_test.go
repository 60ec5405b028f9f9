package tests

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/user"
)

func TestCreateNeverShowsTheHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": "Jane.Doe@Example.com", "password": password, "full_name": "Jane Doe", "role": "staff",
	})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	body := res.Map()
	assert.Equal(t, "Jane.Doe@Example.com", body["email"], "stored as given")
	assert.Equal(t, "staff", body["role"])
	assert.Equal(t, true, body["is_active"])
	id := int64(body["id"].(float64))
	assert.Equal(t, userPath(id), res.Header.Get("Location"))

	got := e.as(e.admin, http.MethodGet, userPath(id), nil)
	require.Equal(t, http.StatusOK, got.Status)
	for _, r := range []string{string(res.Body), string(got.Body), string(e.as(e.admin, http.MethodGet, "/api/v1/users", nil).Body)} {
		assert.NotContains(t, r, "password")
		assert.NotContains(t, r, "$2a$", "no bcrypt hash in any response")
	}
	var hash string
	require.NoError(t, e.DB.Outside(t).Raw("SELECT password_hash FROM users WHERE id = ?", id).Scan(&hash).Error)
	assert.True(t, strings.HasPrefix(hash, "$2a$"), "stored only as a bcrypt hash")
	assert.NotContains(t, hash, password)

	e.login(t, "jane.doe@example.COM", password) // login matches the email case-insensitively
}

func TestDuplicateEmailInAnotherCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.newUser(t, "dup@example.com", "viewer")
	res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": "DUP@example.COM", "password": password, "full_name": "X", "role": "viewer",
	})
	require.Equal(t, http.StatusConflict, res.Status)
	p := res.Problem()
	assert.Equal(t, "Email already registered.", p.Detail)
	assert.Equal(t, "uq_users_email", p.Constraint)
}

func TestParallelDuplicateCreates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
				"email": []string{"race@example.com", "RACE@example.com"}[i], "password": password, "full_name": "R", "role": "viewer",
			}).Status
		})
	}
	wg.Wait()
	assert.ElementsMatch(t, []int{http.StatusCreated, http.StatusConflict}, statuses)
}

func TestValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": "not-an-address", "password": "short", "full_name": "", "role": "owner", "extra": 1,
	})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	assert.Equal(t, map[string]string{
		"email":     "must be an email address",
		"password":  "must be at least 12 characters long",
		"full_name": "must be at least 1 character long",
		"role":      "must be one of admin, staff, viewer",
		"extra":     "unknown field",
	}, res.FieldErrors())

	res = e.as(e.admin, http.MethodPost, "/api/v1/users", map[string]any{
		"email": "long@example.com", "password": strings.Repeat("p", 73), "full_name": "L", "role": "viewer",
	})
	assert.Equal(t, map[string]string{"password": "must be at most 72 bytes long (in UTF-8)"}, res.FieldErrors())
	res = e.as(e.admin, http.MethodPost, "/api/v1/users", `{}`)
	assert.Len(t, res.FieldErrors(), 4, "email, password, full_name and role are required")
}

func TestUpdateAndReactivate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.newUser(t, "u@example.com", "viewer")

	res := e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{
		"role": "staff", "full_name": "Renamed", "email": "new@example.com", "password": "another long password",
	})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var u user.Response
	res.JSON(&u)
	assert.Equal(t, "staff", u.Role)
	assert.Equal(t, "new@example.com", u.Email)
	e.login(t, "new@example.com", "another long password")

	assert.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status)
	res = e.as(e.admin, http.MethodGet, userPath(id), nil)
	require.Equal(t, http.StatusOK, res.Status, "a deactivated user is still there")
	res.JSON(&u)
	assert.False(t, u.IsActive)
	assert.Equal(t, http.StatusNoContent, e.as(e.admin, http.MethodDelete, userPath(id), nil).Status, "a second DELETE is a 204")

	var list struct{ Items []user.Response }
	e.as(e.admin, http.MethodGet, "/api/v1/users?is_active=false", nil).JSON(&list)
	require.Len(t, list.Items, 1, "and it stays listed")

	res = e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"is_active": true})
	res.JSON(&u)
	assert.True(t, u.IsActive, "PATCH is_active true reactivates")
	assert.Equal(t, http.StatusNotFound, e.as(e.admin, http.MethodDelete, userPath(999), nil).Status)
	assert.Equal(t, http.StatusConflict, e.as(e.admin, http.MethodPatch, userPath(id), map[string]any{"email": "ADMIN@example.com"}).Status)
}

func TestTheLastActiveAdminStays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var me user.Response
	e.as(e.admin, http.MethodGet, "/api/v1/users/me", nil).JSON(&me)

	for _, body := range []map[string]any{{"role": "staff"}, {"is_active": false}} {
		res := e.as(e.admin, http.MethodPatch, userPath(me.ID), body)
		require.Equal(t, http.StatusConflict, res.Status, "%v", body)
		assert.Equal(t, "The last active admin cannot be deactivated or demoted.", res.Problem().Detail)
	}
	assert.Equal(t, http.StatusConflict, e.as(e.admin, http.MethodDelete, userPath(me.ID), nil).Status)

	other := e.newUser(t, "second@example.com", "admin")
	second := e.login(t, "second@example.com", password)
	// Two admins demoting each other at once: one must fail.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	wg.Go(func() {
		statuses[0] = e.as(e.admin, http.MethodPatch, userPath(other), map[string]any{"role": "viewer"}).Status
	})
	wg.Go(func() {
		statuses[1] = e.as(second, http.MethodPatch, userPath(me.ID), map[string]any{"role": "viewer"}).Status
	})
	wg.Wait()
	// One wins; the other is refused: 409 when it ran second under the admins lock, or 403 when
	// its author had already been demoted by the first.
	assert.Contains(t, statuses, http.StatusOK, "%v", statuses)
	assert.Condition(t, func() bool {
		return statuses[0]+statuses[1] == http.StatusOK+http.StatusConflict || statuses[0]+statuses[1] == http.StatusOK+http.StatusForbidden
	}, "never zero admins: %v", statuses)
	var admins int64
	require.NoError(t, e.DB.Outside(t).Raw("SELECT count(*) FROM users WHERE role = 'admin' AND is_active").Scan(&admins).Error)
	assert.Equal(t, int64(1), admins)
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.newUser(t, "b@example.com", "viewer")
	e.newUser(t, "a@example.com", "staff")
	var list struct {
		Items []user.Response
		Total *int64
	}
	e.as(e.admin, http.MethodGet, "/api/v1/users?sort=email&include_total=true", nil).JSON(&list)
	require.Len(t, list.Items, 3)
	assert.Equal(t, "a@example.com", list.Items[0].Email)
	assert.Equal(t, int64(3), *list.Total)
	e.as(e.admin, http.MethodGet, "/api/v1/users?role=staff", nil).JSON(&list)
	assert.Len(t, list.Items, 1)
	assert.Equal(t, http.StatusBadRequest, e.as(e.admin, http.MethodGet, "/api/v1/users?sort=full_name", nil).Status)
	assert.Equal(t, http.StatusBadRequest, e.as(e.admin, http.MethodGet, "/api/v1/users?role=owner", nil).Status)
}
