package rest

// The committed copy of the OpenAPI document lets reviewers see API changes
// in diffs; CI checks that it matches the code.
//go:generate go run ../../../cmd/meridian openapi --out ../../../api/openapi.json
