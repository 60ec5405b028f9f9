package app

import (
	"context"
	"time"
)

// Every returns a background task that calls pass every interval until ctx ends (the first
// call one interval after start). pass handles and logs its own failures: a failed pass is
// retried at the next tick, never stops the service.
func Every(interval time.Duration, pass func(ctx context.Context)) Task {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				pass(ctx)
			}
		}
	}
}
