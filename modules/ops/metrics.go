package ops

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exports the backups' health: the age of the last successful backup (alert when it
// grows past the schedule), the duration and size of the last one, and failures.
type Metrics struct {
	mu          sync.Mutex
	lastSuccess time.Time
	now         func() time.Time

	age      prometheus.GaugeFunc
	duration prometheus.Gauge
	size     prometheus.Gauge
	failures prometheus.Counter
}

// NewMetrics registers the backup metrics on reg (nil: not exported).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{now: time.Now}
	m.age = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "erp_backup_last_success_age_seconds",
		Help: "Seconds since the last successful backup finished (-1: none since this instance started and none recorded).",
	}, m.ageSeconds)
	m.duration = prometheus.NewGauge(prometheus.GaugeOpts{Name: "erp_backup_last_duration_seconds", Help: "How long the last backup took."})
	m.size = prometheus.NewGauge(prometheus.GaugeOpts{Name: "erp_backup_last_size_bytes", Help: "Size of the last successful backup."})
	m.failures = prometheus.NewCounter(prometheus.CounterOpts{Name: "erp_backup_failures_total", Help: "Backups that failed."})
	if reg != nil {
		for _, c := range []prometheus.Collector{m.age, m.duration, m.size, m.failures} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *Metrics) ageSeconds() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastSuccess.IsZero() {
		return -1
	}
	return m.now().Sub(m.lastSuccess).Seconds()
}

// known records the last success found in the database (at start).
func (m *Metrics) known(at time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if at.After(m.lastSuccess) {
		m.lastSuccess = at
	}
}

func (m *Metrics) observe(ok bool, took time.Duration, r *dumpResult) {
	if m == nil {
		return
	}
	m.duration.Set(took.Seconds())
	if !ok {
		m.failures.Inc()
		return
	}
	m.known(m.now())
	if r != nil {
		m.size.Set(float64(r.size))
	}
}
