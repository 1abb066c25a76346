package rest

// SetSSEBuffer shrinks the per-connection queue of /events for a test;
// the returned func restores it.
func SetSSEBuffer(n int) (restore func()) {
	old := sseBuffer
	sseBuffer = n
	return func() { sseBuffer = old }
}
