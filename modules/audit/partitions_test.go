package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/erp-foundation/erp/db"
	"github.com/erp-foundation/erp/platform/dbtest"
	"github.com/erp-foundation/erp/platform/logging"
)

var pg = dbtest.NewServer(db.Migrate)

func TestMain(m *testing.M) { pg.Main(m) }

func month(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

// addEvents inserts n events of entity product/id at the given time, as psql would.
func addEvents(t *testing.T, psql *gorm.DB, at time.Time, id int64, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, psql.Exec(`INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, request_id, changes)
			VALUES (?, 'update', 'product', ?, ?, '{"name":{"old":"a","new":"b"}}')`, at.Add(time.Duration(i)*time.Minute), id, "seed").Error)
	}
}

func partitionsOf(t *testing.T, psql *gorm.DB) map[string]int64 {
	t.Helper()
	var rows []struct {
		Part string
		N    int64
	}
	require.NoError(t, psql.Raw(`SELECT tableoid::regclass::text AS part, count(*) AS n FROM audit_events GROUP BY 1`).Scan(&rows).Error)
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Part] = r.N
	}
	return out
}

func TestEnsureCreatesMonthsAndMovesStrayRows(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	psql := d.Outside(t)
	reg := prometheus.NewRegistry()
	p, err := NewPartitions(d.DB, 3, logging.Discard(), reg)
	require.NoError(t, err)
	p.now = func() time.Time { return month("2031-05").Add(10 * 24 * time.Hour) }

	addEvents(t, psql, month("2031-06").Add(time.Hour), 1, 2) // no partition yet: the default one
	st, err := p.Refresh(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.DefaultRows)
	assert.Equal(t, 2.0, testutil.ToFloat64(p.defaultRows), "the gauge an alert watches")

	created, err := p.Ensure(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, created, "May, June and July 2031")
	assert.Equal(t, map[string]int64{"audit_events_y2031m06": 2}, partitionsOf(t, psql), "the stray rows moved to their month")
	assert.Equal(t, 0.0, testutil.ToFloat64(p.defaultRows))
	assert.Equal(t, 3.0, testutil.ToFloat64(p.ahead))

	created, err = p.Ensure(context.Background())
	require.NoError(t, err)
	assert.Zero(t, created, "idempotent")
}

func TestThreeMonthsOfEventsLandInThreePartitions(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	psql := d.Outside(t)
	require.NoError(t, psql.Exec(`SELECT audit_ensure_partitions('2030-01-15T00:00:00Z', 3)`).Error)
	for _, m := range []string{"2030-01", "2030-02", "2030-03"} {
		addEvents(t, psql, month(m).Add(-time.Minute+24*time.Hour), 7, 3)
	}
	assert.Equal(t, map[string]int64{
		"audit_events_y2030m01": 3, "audit_events_y2030m02": 3, "audit_events_y2030m03": 3,
	}, partitionsOf(t, psql))
	// A month boundary is a UTC instant: 23:59 on the last day of January in UTC is January.
	addEvents(t, psql, month("2030-02").Add(-time.Minute), 8, 1)
	assert.Equal(t, int64(4), partitionsOf(t, psql)["audit_events_y2030m01"])
}

// TestEntityHistoryOfOneMonthReadsOnlyThatPartition: the planner prunes partitions for a time
// window, so an entity's history within a month touches one partition whatever the table holds.
func TestEntityHistoryOfOneMonthReadsOnlyThatPartition(t *testing.T) {
	t.Parallel()
	d := pg.New(t)
	psql := d.Outside(t)
	require.NoError(t, psql.Exec(`SELECT audit_ensure_partitions('2030-01-01T00:00:00Z', 6)`).Error)
	for _, m := range []string{"2030-01", "2030-02", "2030-03", "2030-04", "2030-05", "2030-06"} {
		addEvents(t, psql, month(m).Add(time.Hour), 42, 20)
	}
	require.NoError(t, psql.Exec("ANALYZE audit_events").Error)
	var lines []string
	require.NoError(t, psql.Raw(`EXPLAIN SELECT * FROM audit_events
		WHERE entity_type = 'product' AND entity_id = 42
		  AND occurred_at >= '2030-03-01T00:00:00Z' AND occurred_at < '2030-04-01T00:00:00Z'
		ORDER BY occurred_at DESC, id DESC LIMIT 50`).Scan(&lines).Error)
	plan := strings.Join(lines, "\n")
	t.Logf("entity history for March 2030:\n%s", plan)
	assert.Contains(t, plan, "audit_events_y2030m03")
	for _, other := range []string{"y2030m01", "y2030m02", "y2030m04", "y2030m05", "y2030m06", "audit_events_default"} {
		assert.NotContains(t, plan, other, "only March is read")
	}
}
