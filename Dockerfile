# The service image, built from source. Image names are build arguments:
#   GO_IMAGE       the Go toolchain for the build stage (default golang:1.26-bookworm)
#   RUNTIME_IMAGE  the Debian-like runtime base (default debian:bookworm-slim)
# Without registry access, Dockerfile.prebuilt packages a binary built on the host instead
# (make compose-up chooses it when GO_IMAGE cannot be found or pulled).
ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/erp .

FROM ${RUNTIME_IMAGE}
# pg_dump/pg_restore for backups, CA certificates for TLS to managed databases.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/erp /usr/local/bin/erp
COPY config.yaml /etc/erp/config.yaml
WORKDIR /etc/erp
USER nobody
EXPOSE 8080
ENTRYPOINT ["erp"]
CMD ["serve", "--migrate"]
