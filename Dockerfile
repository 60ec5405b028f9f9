# The service image, built from source in two stages. Image names are build arguments, so a
# machine without a registry builds from local bases (make compose-up chooses):
#   GO_IMAGE       the Go toolchain for the build stage   (default golang:1.26-bookworm)
#   RUNTIME_IMAGE  the Debian runtime base                (default debian:bookworm-slim)
#   PG_MAJOR       the PostgreSQL client tools' version: pg_dump/pg_restore must be at least the
#                  server's major version (default 15)
#   VERSION        reported by the binary and the OpenAPI document
# Without a Go image, Dockerfile.prebuilt packages a binary built on the host into the same
# runtime.
ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/erp .

FROM ${RUNTIME_IMAGE}
ARG PG_MAJOR=15
# pg_dump/pg_restore for backups, CA certificates for TLS to managed databases; a non-root user
# whose home holds the backup and archive directories (volumes mount there).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 erp \
 && useradd --system --uid 10001 --gid erp --home-dir /var/lib/erp --shell /usr/sbin/nologin erp \
 && install -d -o erp -g erp -m 0750 /var/lib/erp /var/lib/erp/backups /var/lib/erp/archive
COPY --from=build /out/erp /usr/local/bin/erp
COPY config.yaml /etc/erp/config.yaml
ENV ERP_BACKUP_DIR=/var/lib/erp/backups ERP_ARCHIVE_DIR=/var/lib/erp/archive
WORKDIR /etc/erp
USER erp:erp
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["erp", "health"]
ENTRYPOINT ["erp"]
CMD ["serve"]
