# syntax=docker/dockerfile:1
# The orderflow image: the one static binary on a distroless base, running
# as a non-root user. docker-compose.yml builds it.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=devel
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/orderflow ./cmd/orderflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/orderflow /usr/local/bin/orderflow
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/orderflow"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
