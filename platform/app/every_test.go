package app

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryCallsThePassEachIntervalUntilTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var passes atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- Every(time.Millisecond, func(context.Context) {
			if passes.Add(1) == 3 {
				cancel()
			}
		})(ctx)
	}()
	select {
	case err := <-done:
		require.NoError(t, err, "an ended context is a clean stop")
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not stop when its context ended")
	}
	assert.Equal(t, int32(3), passes.Load(), "no pass after the context ended")
}
