package database

import (
	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is a snapshot of the connection pool, as /metrics and /ops/db report it.
type PoolStats struct {
	Open      int32   `json:"open"`
	InUse     int32   `json:"in_use"`
	Idle      int32   `json:"idle"`
	Max       int32   `json:"max"`
	WaitCount int64   `json:"wait_count"`
	WaitMS    float64 `json:"wait_ms"`
	// Statements counts every statement sent since start.
	Statements int64 `json:"statements"`
	// RoundTrips counts every round trip since start (a batch is one).
	RoundTrips int64 `json:"round_trips"`
}

// Stats returns the pool's current numbers.
func (d *DB) Stats() PoolStats {
	s := d.pool.Stat()
	return PoolStats{
		Open:      s.TotalConns(),
		InUse:     s.AcquiredConns(),
		Idle:      s.IdleConns(),
		Max:       s.MaxConns(),
		WaitCount: s.EmptyAcquireCount(),
		WaitMS:    float64(s.EmptyAcquireWaitTime().Microseconds()) / 1000,

		Statements: d.tracer.count.Load(),
		RoundTrips: d.tracer.trips.Load(),
	}
}

// Collector exposes the pool's gauges and counters to Prometheus.
func (d *DB) Collector() prometheus.Collector { return poolCollector{db: d} }

type poolCollector struct{ db *DB }

func poolDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("erp_db_pool_"+name, help, nil, nil)
}

func (poolCollector) descs() []*prometheus.Desc {
	return []*prometheus.Desc{
		poolDesc("open_connections", "Connections currently open."),
		poolDesc("in_use_connections", "Connections currently borrowed by a statement or transaction."),
		poolDesc("idle_connections", "Connections currently idle."),
		poolDesc("max_connections", "Most connections the pool may open."),
		poolDesc("waits_total", "Acquires that had to wait for a connection."),
		poolDesc("wait_seconds_total", "Time spent waiting for a connection."),
		poolDesc("canceled_acquires_total", "Acquires abandoned before a connection was free (timeouts)."),
		prometheus.NewDesc("erp_db_statements_total", "Statements sent to the database (BEGIN and COMMIT included).", nil, nil),
		prometheus.NewDesc("erp_db_round_trips_total", "Round trips to the database (a batch of statements is one).", nil, nil),
	}
}

var (
	replicaHealthy = prometheus.NewDesc("erp_db_replica_healthy", "1 while a replica is in rotation for reads.", []string{"replica"}, nil)  //nolint:gochecknoglobals // metric descriptors
	replicaLag     = prometheus.NewDesc("erp_db_replica_lag_bytes", "WAL bytes a replica is behind the primary.", []string{"replica"}, nil) //nolint:gochecknoglobals // metric descriptors
	replicaReads   = prometheus.NewDesc("erp_db_replica_reads_total", "Reads a replica served.", []string{"replica"}, nil)                  //nolint:gochecknoglobals // metric descriptors
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs() {
		ch <- d
	}
	ch <- replicaHealthy
	ch <- replicaLag
	ch <- replicaReads
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.pool.Stat()
	d := c.descs()
	ch <- prometheus.MustNewConstMetric(d[0], prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(d[1], prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(d[2], prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(d[3], prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(d[4], prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(d[5], prometheus.CounterValue, s.EmptyAcquireWaitTime().Seconds())
	ch <- prometheus.MustNewConstMetric(d[6], prometheus.CounterValue, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(d[7], prometheus.CounterValue, float64(c.db.tracer.count.Load()))
	ch <- prometheus.MustNewConstMetric(d[8], prometheus.CounterValue, float64(c.db.tracer.trips.Load()))
	for _, r := range c.db.ReplicaStatuses() {
		healthy := 0.0
		if r.Healthy {
			healthy = 1
		}
		ch <- prometheus.MustNewConstMetric(replicaHealthy, prometheus.GaugeValue, healthy, r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLag, prometheus.GaugeValue, float64(r.LagBytes), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaReads, prometheus.CounterValue, float64(r.Reads), r.Name)
	}
}
