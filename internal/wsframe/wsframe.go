// Package wsframe writes the frames a WebSocket server sends, for writers
// that put them on the connection themselves (RFC 6455 §5.2). A server's
// frames are not masked, so a frame is its payload behind a header of 2,
// 4 or 10 bytes: the payload is appended after Room bytes kept for the
// header, which Text fills in place, without copying the payload.
//
// Written by hand because the WebSocket library Meridian uses
// (github.com/coder/websocket) writes each frame through a context watch,
// two lock acquisitions and a buffer copy, and offers no way to hand it
// a frame made ready once; the header is the only part needed.
package wsframe

import "encoding/binary"

// Room is the space a payload leaves for its header.
const Room = 10

var room [Room]byte

// Begin resets b to the room for a header; append the payload to it.
func Begin(b []byte) []byte { return append(b[:0], room[:]...) }

// Text fills in the header of a final text frame carrying b[Room:] and
// returns the frame, which ends where b does and starts at most Room
// bytes into it. b must come from Begin.
func Text(b []byte) []byte {
	n := len(b) - Room
	var h int
	switch {
	case n < 126:
		h = Room - 2
		b[h+1] = byte(n) // #nosec G115 -- n < 126
	case n <= 0xffff:
		h = Room - 4
		b[h+1] = 126
		binary.BigEndian.PutUint16(b[h+2:], uint16(n)) // #nosec G115 -- n <= 0xffff
	default:
		h = 0
		b[1] = 127
		binary.BigEndian.PutUint64(b[2:], uint64(n)) // #nosec G115 -- a length, not negative
	}
	b[h] = 0x81 // FIN, opcode 1: text
	return b[h:]
}
