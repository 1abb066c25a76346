package connectapi

// The protobuf sources are proto/meridian/v1/*.proto (buf.yaml and
// buf.gen.yaml at the repository root); the generated Go code is committed
// under internal/gen/meridian/v1. buf and both plugins run through `go run`
// (the plugins at the versions go.mod pins), so nothing must be installed.
//go:generate go run github.com/bufbuild/buf/cmd/buf@v1.75.0 generate ../../.. --template ../../../buf.gen.yaml --output ../../..
