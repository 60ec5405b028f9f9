package database

import (
	"net"
	"time"
)

// Dead peers: on a network that silently drops packets, a connection neither answers nor
// fails. Keepalive probes after 10 s of silence (every 5 s, 3 times) and a TCP user timeout (data
// unacknowledged for 20 s) make the kernel report such a connection broken, so the pool replaces
// it. A frozen server still acknowledges TCP; the statement deadlines (query_timeout) cover that.
const (
	keepAliveIdle     = 10 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
	tcpUserTimeout    = 20 * time.Second
)

// newDialer returns the dialer of every database connection.
func newDialer(connectTimeout time.Duration) *net.Dialer {
	return &net.Dialer{
		Timeout: connectTimeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: keepAliveIdle, Interval: keepAliveInterval, Count: keepAliveCount,
		},
		Control: setUserTimeout,
	}
}
