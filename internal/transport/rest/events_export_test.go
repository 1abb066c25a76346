package rest

import "time"

// SetSSEBuffer shrinks the per-connection queue of /events for a test;
// the returned func restores it.
func SetSSEBuffer(n int) (restore func()) {
	old := sseBuffer
	sseBuffer = n
	return func() { sseBuffer = old }
}

// SetWSWriteWait changes how long a write to a WebSocket may take before
// the connection is dropped, for a test; the returned func restores it.
func SetWSWriteWait(d time.Duration) (restore func()) {
	old := wsWriteWait
	wsWriteWait = d
	return func() { wsWriteWait = old }
}
