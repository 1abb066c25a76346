package graphql

import "time"

// SetLoaderWait makes the server's dataloaders wait d for more keys, so
// that a test counting queries never sees a batch split by a slow
// machine.
func (s *Server) SetLoaderWait(d time.Duration) { s.loaders.wait = d }
