//go:build race

package rest_test

// Under the race detector an argon2id hash takes seconds; see mxRaceDetector.
func init() { mxRaceDetector = true }
