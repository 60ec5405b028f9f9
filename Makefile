# ERP service. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BIN      := bin/erp
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GOBIN    := $(CURDIR)/.bin
GOLANGCI := $(GOBIN)/golangci-lint
GOLANGCI_VERSION := v2.15.0
GOVULN_VERSION   := v1.9.0
export GIN_MODE ?= test

.PHONY: help bench build fuzz openapi-lint run compose-destroy compose-admin compose-logs compose-smoke db-start db-stop test test-short test-integration lint vet fmt tidy-check vuln migrate compose-up compose-down clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## Build bin/erp
	go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) .

run: build ## Start a development database if none answers, migrate, serve on :8080
	db/devdb.sh start
	./$(BIN) serve --migrate

db-start: build ## Only start the development database
	db/devdb.sh start

db-stop: ## Stop the development database started by make run
	db/devdb.sh stop

test: ## Every test, with the race detector, against real PostgreSQL (see db/testdb.sh); then the product and category suites again through a real PgBouncer
	eval "$$(db/testdb.sh env)"; go test -race -count=1 -v -timeout 20m ./... 2>&1 | tee .test.log; \
	  TEST_VIA_PGBOUNCER=1 go test -race -count=1 -v -timeout 10m ./modules/product/tests ./modules/category/tests 2>&1 | tee -a .test.log
	@echo "make test: $$(grep -c -- '--- PASS' .test.log) tests passed, $$(grep -c -- '--- SKIP' .test.log) skipped (log: .test.log)"

# A count, not a duration: with a duration Go 1.26's fuzz coordinator can fail a target with a
# bare "context deadline exceeded" at the deadline (golang/go#75804, fixed in Go 1.27). 20000
# inputs take about 2-5 s per target on the 2-core development machine.
FUZZ_TIME ?= 20000x
FUZZ_TARGETS := FuzzDecodeBytes:./platform/input FuzzParseQuery:./platform/input FuzzParse:./platform/money \
	FuzzNegotiate:./platform/i18n FuzzCursor:./platform/listing

fuzz: ## Run each fuzz target for FUZZ_TIME (default 20000x inputs); the corpora live in testdata/fuzz
	for t in $(FUZZ_TARGETS); do go test -run='^$$' -fuzz="^$${t%%:*}$$" -fuzztime=$(FUZZ_TIME) "$${t#*:}"; done

test-short: ## Unit tests only: no database, no Docker
	go test -race -count=1 -short ./...

test-integration: test ## Alias of test

lint: vet $(GOLANGCI) ## go vet and golangci-lint (.golangci.yml)
	$(GOLANGCI) run ./...

vet: ## go vet
	go vet ./...

$(GOLANGCI):
	GOBIN=$(GOBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

fmt: ## Format the code
	gofmt -w $$(git ls-files '*.go')

tidy-check: ## Fail when go.mod or go.sum are not tidy
	go mod tidy -diff

REDOCLY_VERSION := 2.77.0

openapi-lint: build ## Lint the OpenAPI document with Redocly CLI (from the npm registry); errors fail, warnings print
	mkdir -p .bin && ./$(BIN) openapi > .bin/openapi.json
	npx --yes @redocly/cli@$(REDOCLY_VERSION) lint --format=summary .bin/openapi.json

vuln: ## Known vulnerabilities in dependencies (govulncheck)
	go run golang.org/x/vuln/cmd/govulncheck@$(GOVULN_VERSION) ./...

bench: ## Load 100,000 products, measure the service against its pgbench ceiling (modules/product/bench)
	modules/product/bench/run.sh

migrate: build ## Apply pending migrations to database.url
	./$(BIN) migrate up

# The compose CLI that works here: the v2 plugin (docker compose) or Debian's docker-compose (v1).
COMPOSE = $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
ENV_FILE ?= .env

# image_or IMAGE FALLBACK: IMAGE when it is present or can be pulled, else FALLBACK when present.
define image_or
img() { if docker image inspect "$$1" >/dev/null 2>&1 || docker pull -q "$$1" >/dev/null 2>&1; then echo "$$1"; \
  elif docker image inspect "$$2" >/dev/null 2>&1; then echo "$$2"; else echo "$$1"; fi; }
endef

$(ENV_FILE): .env.example ## (file) the stack's settings: .env.example with every empty secret made random
	@if [ ! -f "$@" ]; then \
	  umask 077; while IFS= read -r line; do \
	    case "$$line" in \
	      *_PASSWORD=|*_SECRET=) echo "$$line$$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)" ;; \
	      *) echo "$$line" ;; \
	    esac; \
	  done < .env.example > "$@"; \
	  echo "compose: wrote $@ with random secrets (the admin's password is ERP_BOOTSTRAP_ADMIN_PASSWORD in $@)"; \
	fi

compose-up: $(ENV_FILE) ## The stack (db, migrate, app) with docker compose, on images that exist here; API on :8080
	$(image_or); \
	export POSTGRES_IMAGE=$$(img "$${POSTGRES_IMAGE:-postgres:15}" local/postgres:15); \
	export RUNTIME_IMAGE=$$(img "$${RUNTIME_IMAGE:-debian:bookworm-slim}" local/debian:bookworm); \
	export VERSION=$(VERSION); \
	go_image=$${GO_IMAGE:-golang:1.26-bookworm}; \
	if ! docker image inspect "$$go_image" >/dev/null 2>&1 && ! docker pull -q "$$go_image" >/dev/null 2>&1; then \
	  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/erp-linux-amd64 . ; \
	  export APP_DOCKERFILE=Dockerfile.prebuilt; fi; \
	$(COMPOSE) --env-file $(ENV_FILE) up --build -d

compose-down: ## Stop the stack; the data stays (compose-up brings it back)
	$(COMPOSE) --env-file $(ENV_FILE) down

compose-destroy: ## Stop the stack and delete its volumes (database, backups, archives)
	$(COMPOSE) --env-file $(ENV_FILE) down -v

compose-admin: ## Create an admin in the stack: make compose-admin EMAIL=you@example.com (asks for the password)
	@test -n "$(EMAIL)" || { echo "usage: make compose-admin EMAIL=you@example.com"; exit 2; }
	$(COMPOSE) --env-file $(ENV_FILE) exec app erp users create-admin --email "$(EMAIL)"

compose-logs: ## Follow the stack's logs
	$(COMPOSE) --env-file $(ENV_FILE) logs -f

compose-smoke: ## Bring a throwaway stack up, exercise it (API, roles, db restart), tear it down
	.ci/compose-smoke

clean: ## Remove build output and the throwaway clusters
	db/testdb.sh stop; db/devdb.sh stop || true
	rm -rf bin .devdb .test.log
