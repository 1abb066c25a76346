package wsbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/meridianhq/meridian/internal/realtime"
)

// perSource is how many connections one loopback source address makes:
// below the ~28,000 ephemeral ports Linux gives each one.
const perSource = 20_000

// dialers spread connections over source addresses 127.0.0.1,
// 127.0.0.2, ... (all on the loopback interface on Linux), one HTTP
// client each. Their sockets close with a reset (SO_LINGER 0) so that
// no TIME_WAIT is left to exhaust the ports of the next run.
type dialers struct {
	clients []*http.Client
}

func newDialers(conns int) *dialers {
	n := max((conns+perSource-1)/perSource, 1)
	d := &dialers{}
	for i := range n {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/250), byte(i%250+1))} // #nosec G115 -- i < 62,500: at most 250 addresses per /24 of 127/8
		nd := &net.Dialer{LocalAddr: src, Timeout: 30 * time.Second}
		tr := &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := nd.DialContext(ctx, network, addr)
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
				return c, err
			},
			MaxIdleConns: -1,
		}
		d.clients = append(d.clients, &http.Client{Transport: tr})
	}
	return d
}

func (d *dialers) dial(ctx context.Context, i int, url string) (*websocket.Conn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: d.clients[(i/perSource)%len(d.clients)]})
	return c, err
}

func (d *dialers) close() {
	for _, c := range d.clients {
		c.CloseIdleConnections()
	}
}

// proto is a server's client protocol.
type proto interface {
	path() string
	// subscribe subscribes a new connection to jobs.new and waits for
	// the server's confirmation.
	subscribe(ctx context.Context, c *websocket.Conn) error
	// message handles one frame of a subscribed connection: its publish
	// stamps and rounds (several with centrifuge's batching), and the
	// answer a protocol-level ping needs (nil: none).
	message(b []byte, got func(stamp int64, round int)) (reply []byte)
}

type meridianProto struct{}

func (meridianProto) path() string { return "/ws" }

func (meridianProto) subscribe(ctx context.Context, c *websocket.Conn) error {
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","channels":["`+realtime.ChanJobsNew+`"]}`)); err != nil {
		return err
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		return err
	}
	var m struct {
		Type     string   `json:"type"`
		Channels []string `json:"channels"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Type != "subscribed" || len(m.Channels) != 1 {
		return fmt.Errorf("subscribe: answer %s", b)
	}
	return nil
}

func (meridianProto) message(b []byte, got func(int64, int)) []byte {
	if stamp, round, ok := stampOf(b); ok {
		got(stamp, round)
	}
	return nil // pings are WebSocket control frames, answered by the library
}

type centrifugeProto struct{}

func (centrifugeProto) path() string { return "/connection/websocket" }

func (centrifugeProto) subscribe(ctx context.Context, c *websocket.Conn) error {
	for i, cmd := range []string{`{"id":1,"connect":{}}`, `{"id":2,"subscribe":{"channel":"` + realtime.ChanJobsNew + `"}}`} {
		if err := c.Write(ctx, websocket.MessageText, []byte(cmd)); err != nil {
			return err
		}
		_, b, err := c.Read(ctx)
		if err != nil {
			return err
		}
		var r struct {
			ID    int             `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(b, &r); err != nil || r.ID != i+1 || r.Error != nil {
			return fmt.Errorf("centrifuge command %s: answer %s", cmd, b)
		}
	}
	return nil
}

var centrifugePing = []byte(`{}`)

func (centrifugeProto) message(b []byte, got func(int64, int)) []byte {
	var reply []byte
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		if bytes.Equal(line, centrifugePing) {
			reply = centrifugePing // the pong is an empty command
		} else if stamp, round, ok := stampOf(line); ok {
			got(stamp, round)
		}
	}
	return reply
}

var stampKey = []byte(`{"t":`)

// stampOf finds the stamp and round of payload in a frame.
func stampOf(b []byte) (stamp int64, round int, ok bool) {
	i := bytes.Index(b, stampKey)
	if i < 0 {
		return 0, 0, false
	}
	b = b[i+len(stampKey):]
	j := bytes.IndexByte(b, ',')
	if j < 0 {
		return 0, 0, false
	}
	stamp, err := strconv.ParseInt(string(b[:j]), 10, 64)
	if err != nil || !bytes.HasPrefix(b[j:], []byte(`,"r":`)) {
		return 0, 0, false
	}
	b = b[j+len(`,"r":`):]
	k := bytes.IndexByte(b, ',')
	if k < 0 {
		return 0, 0, false
	}
	round, err = strconv.Atoi(string(b[:k]))
	return stamp, round, err == nil
}

// fleet is n connected, subscribed clients of one server.
type fleet struct {
	conns []*websocket.Conn
	wg    sync.WaitGroup
}

// connect opens n subscribed connections, parallel at most 128 at a
// time; first is the global index of the first (for its source
// address). Each connection then reads its frames, answering the
// protocol's pings, and hands each delivery to listen(client, stamp,
// round, received) (nil: idle clients).
func connect(ctx context.Context, d *dialers, url string, p proto, first, n int, listen func(client int, stamp int64, round int, received int64)) (*fleet, error) {
	f := &fleet{conns: make([]*websocket.Conn, n)}
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var dialWG sync.WaitGroup
	for range min(128, n) {
		dialWG.Add(1)
		go func() {
			defer dialWG.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := dialSubscribe(ctx, d, first+i, url, p)
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("connection %d: %w", i, err) })
					return
				}
				f.conns[i] = c
				got := func(int64, int, int64) {} // idle: still answers pings (centrifuge's are data frames)
				if listen != nil {
					got = func(stamp int64, round int, at int64) { listen(i, stamp, round, at) }
				}
				f.wg.Add(1)
				go f.read(c, p, got)
			}
		}()
	}
	dialWG.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		f.close()
		return nil, firstErr
	}
	return f, nil
}

func dialSubscribe(ctx context.Context, d *dialers, i int, url string, p proto) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := d.dial(ctx, i, url)
	if err != nil {
		return nil, err
	}
	if err := p.subscribe(ctx, c); err != nil {
		_ = c.CloseNow()
		return nil, err
	}
	return c, nil
}

// read takes the receive time as soon as a frame is read, before any
// parsing.
func (f *fleet) read(c *websocket.Conn, p proto, got func(stamp int64, round int, received int64)) {
	defer f.wg.Done()
	ctx := context.Background()
	var buf bytes.Buffer // reused: the clients share the servers' CPUs, the less they allocate the better
	for {
		_, r, err := c.Reader(ctx)
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		at := monoNow()
		b := buf.Bytes()
		if reply := p.message(b, func(stamp int64, round int) { got(stamp, round, at) }); reply != nil {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = c.Write(wctx, websocket.MessageText, reply)
			cancel()
			if err != nil && !errors.Is(err, net.ErrClosed) {
				return
			}
		}
	}
}

func (f *fleet) close() {
	for _, c := range f.conns {
		if c != nil {
			_ = c.CloseNow()
		}
	}
	f.wg.Wait()
}
