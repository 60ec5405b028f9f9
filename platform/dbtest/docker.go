package dbtest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// DefaultImage is the PostgreSQL image used when TEST_POSTGRES_IMAGE is not set.
const DefaultImage = "postgres:15"

// containerLifetime bounds how long a container can outlive a killed test run.
const containerLifetime = 20 * 60 // seconds

// startContainer runs PostgreSQL in Docker and waits until it answers a query. When Docker is
// not reachable it returns a message saying how to run the tests instead.
func startContainer() (url string, stop func(), skip string, err error) {
	pool, err := dockertest.NewPool("")
	if err == nil {
		err = pool.Client.Ping()
	}
	if err != nil {
		return "", nil, "no Docker engine answers (" + err.Error() + "); start Docker, or set " +
			"TEST_DATABASE_URL=postgres://user:pass@host:5432/postgres (a role that may CREATE DATABASE)", nil
	}
	image := os.Getenv("TEST_POSTGRES_IMAGE")
	if image == "" {
		image = DefaultImage
	}
	repo, tag, found := strings.Cut(image, ":")
	if !found {
		tag = "latest"
	}
	if _, err := pool.Client.InspectImage(image); err != nil {
		if err := pool.Client.PullImage(docker.PullImageOptions{Repository: repo, Tag: tag}, docker.AuthConfiguration{}); err != nil {
			return "", nil, "image " + image + " is not present and cannot be pulled (" + err.Error() +
				"); set TEST_POSTGRES_IMAGE to a local PostgreSQL image, or TEST_DATABASE_URL", nil
		}
	}
	res, err := pool.RunWithOptions(&dockertest.RunOptions{
		Repository: repo,
		Tag:        tag,
		Env:        []string{"POSTGRES_USER=postgres", "POSTGRES_PASSWORD=postgres", "POSTGRES_DB=postgres"},
		// Durability is pointless for throwaway data; these make template copies and commits fast.
		Cmd: []string{"postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=500",
			"-c", "shared_preload_libraries=pg_stat_statements"},
		Labels: map[string]string{"erp.dbtest": "true"},
	}, func(hc *docker.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return "", nil, "", fmt.Errorf("start %s: %w", image, err)
	}
	stop = func() { _ = pool.Purge(res) }
	if err := res.Expire(containerLifetime); err != nil {
		stop()
		return "", nil, "", fmt.Errorf("set container expiry: %w", err)
	}
	url = fmt.Sprintf("postgres://postgres:postgres@%s/postgres?sslmode=disable", res.GetHostPort("5432/tcp"))
	fmt.Fprintf(os.Stderr, "dbtest: started %s in container %.12s at %s\n", image, res.Container.ID, res.GetHostPort("5432/tcp"))

	pool.MaxWait = 90 * time.Second
	err = pool.Retry(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		// A real query: the official image's entrypoint runs a temporary server during init.
		var one int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	})
	if err != nil {
		stop()
		return "", nil, "", fmt.Errorf("postgres in %s never answered: %w", image, err)
	}
	return url, stop, "", nil
}
