# Builds the four binaries as static executables into a minimal image.
#   docker build -t pgw .
#   docker run --rm pgw pgw --help
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/...

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
WORKDIR /var/lib/pgw
USER nonroot:nonroot
EXPOSE 8080 8081 8082
ENTRYPOINT []
CMD ["pgw", "--help"]
