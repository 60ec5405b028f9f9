package main

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/erp-foundation/erp/modules/audit"
	"github.com/erp-foundation/erp/platform/listing"
)

type eventPage = listing.Result[audit.Response]

func (e *auditEnv) list(t *testing.T, token, query string) (*http.Response, eventPage) {
	t.Helper()
	res := e.api.Do(http.MethodGet, "/api/v1/audit-events?"+query, nil, "Authorization", "Bearer "+token)
	var page eventPage
	if res.Status == http.StatusOK {
		res.JSON(&page)
	}
	return &http.Response{StatusCode: res.Status}, page
}

func TestAuditListIsFilteredAndScopedByRole(t *testing.T) {
	t.Parallel()
	e := newAuditEnv(t)
	start := time.Now().UTC()
	e.create(t, "users", map[string]any{"email": "staff@example.com", "password": adminPassword, "full_name": "S", "role": "staff"})
	e.create(t, "users", map[string]any{"email": "viewer@example.com", "password": adminPassword, "full_name": "V", "role": "viewer"})
	staff := login(t, e.api, "staff@example.com", adminPassword)
	viewer := login(t, e.api, "viewer@example.com", adminPassword)
	cat := e.create(t, "categories", map[string]any{"code": "tools", "name": "Tools"})
	res := e.api.Do(http.MethodPost, "/api/v1/products", map[string]any{"sku": "S-1", "name": "By staff", "price": "1"},
		"Authorization", "Bearer "+staff)
	require.Equal(t, http.StatusCreated, res.Status)
	var staffID int64
	require.NoError(t, e.api.DB.Outside(t).Raw("SELECT id FROM users WHERE email = 'staff@example.com'").Scan(&staffID).Error)

	status, all := e.list(t, e.admin, "")
	require.Equal(t, http.StatusOK, status.StatusCode)
	require.Len(t, all.Items, 5, "the first admin (by create-admin), two users, a category, a product")
	assert.Equal(t, "product", all.Items[0].EntityType, "newest first")
	for i := 1; i < len(all.Items); i++ {
		assert.False(t, all.Items[i].OccurredAt.After(all.Items[i-1].OccurredAt))
	}

	_, mine := e.list(t, staff, "")
	require.Len(t, mine.Items, 1, "staff see their own events")
	assert.Equal(t, staffID, *mine.Items[0].ActorUserID)
	_, others := e.list(t, staff, fmt.Sprintf("actor_user_id=%d", e.adminID))
	assert.Empty(t, others.Items, "naming other people's changes gives an empty list")
	_, filtered := e.list(t, staff, "entity_type=category")
	assert.Empty(t, filtered.Items, "staff filters stay within their own events")

	status, _ = e.list(t, viewer, "")
	assert.Equal(t, http.StatusForbidden, status.StatusCode, "viewers may not read the audit trail")

	_, byEntity := e.list(t, e.admin, fmt.Sprintf("entity_type=category&entity_id=%d", cat))
	require.Len(t, byEntity.Items, 1)
	assert.Equal(t, "create", byEntity.Items[0].Action)
	_, creates := e.list(t, e.admin, "action=create&include_total=true")
	assert.Equal(t, int64(5), *creates.Total)
	_, window := e.list(t, e.admin, "since="+url.QueryEscape(start.Format(time.RFC3339Nano))+"&until="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
	assert.Len(t, window.Items, 4)
	_, future := e.list(t, e.admin, "since="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
	assert.Empty(t, future.Items, "since is inclusive of nothing later")

	_, page1 := e.list(t, e.admin, "limit=3")
	require.NotEmpty(t, page1.NextCursor)
	_, page2 := e.list(t, e.admin, "limit=3&cursor="+url.QueryEscape(page1.NextCursor))
	require.Len(t, page2.Items, 2)
	assert.Empty(t, page2.NextCursor)

	for _, q := range []string{"since=yesterday", "until=2026-13-01T00:00:00Z", "action=erase", "entity_id=x", "sort=entity_type"} {
		status, _ := e.list(t, e.admin, q)
		assert.Equal(t, http.StatusBadRequest, status.StatusCode, q)
	}
}
