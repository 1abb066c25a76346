package wsbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/centrifugal/centrifuge"

	"github.com/meridianhq/meridian/internal/app"
	"github.com/meridianhq/meridian/internal/domain"
	"github.com/meridianhq/meridian/internal/realtime"
	"github.com/meridianhq/meridian/internal/transport/rest"
)

// serverEnv names the server a re-executed benchmark binary runs instead
// of its main (see ServeIfChild).
const serverEnv = "MERIDIAN_WSBENCH_SERVER"

// Server kinds.
const (
	// Meridian is rest.Server's /ws over a realtime.Hub.
	Meridian = "meridian"
	// Centrifuge is a centrifuge.Node behind a coder/websocket transport.
	Centrifuge = "centrifuge"
	// Floor is the fan-out's reference floor (floorServer): the same
	// frames written straight to the sockets.
	Floor = "floor"
)

// Stats is a server process's state, read after a GC.
type Stats struct {
	Subscribers int    `json:"subscribers"` // on jobs.new
	Goroutines  int    `json:"goroutines"`
	HeapInuse   uint64 `json:"heapInuse"`
	HeapAlloc   uint64 `json:"heapAlloc"` // live objects after the GC
	StackInuse  uint64 `json:"stackInuse"`
	Sys         uint64 `json:"sys"`    // all memory the Go runtime obtained
	RSS         uint64 `json:"rss"`    // VmRSS (0 where /proc is missing)
	RSSPeak     uint64 `json:"rssHWM"` // VmHWM
}

// ServeIfChild runs the benchmark server or client worker and exits
// when the process was started as one (the environment says so);
// otherwise it returns at once. Call it first in main and in TestMain.
func ServeIfChild() {
	var err error
	switch {
	case os.Getenv(serverEnv) != "":
		err = serve(os.Getenv(serverEnv))
	case os.Getenv(workerEnv) != "":
		err = work()
	default:
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsbench:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serve listens on a loopback port, prints its address on stdout and
// serves until stdin closes (the parent has gone).
func serve(kind string) error {
	_ = raiseNoFile(1 << 20) // as far as allowed: the parent checked what it needs
	mux := http.NewServeMux()
	var publish func(data []byte) error
	var subscribers func() int
	switch kind {
	case Meridian:
		hub := realtime.NewHub(0)
		// The application layer only authorizes channels here: public
		// ones need no store.
		srv := rest.New(rest.Config{Hub: hub, App: &app.App{}, Log: slog.New(slog.DiscardHandler)})
		mux.Handle("GET /ws", srv)
		var id atomic.Int64
		publish = func(data []byte) error {
			hub.Publish(realtime.Message{ID: id.Add(1), Channel: realtime.ChanJobsNew, Data: data})
			return nil
		}
		subscribers = hub.Subscribers
	case Centrifuge:
		node, err := newCentrifugeNode()
		if err != nil {
			return err
		}
		mux.Handle("GET /connection/websocket", &centrifugeHandler{node: node})
		publish = func(data []byte) error {
			_, err := node.Publish(realtime.ChanJobsNew, data)
			return err
		}
		subscribers = func() int { return node.Hub().NumSubscribers(realtime.ChanJobsNew) }
	case Floor:
		f := newFloorServer()
		mux.Handle("GET /ws", f)
		publish, subscribers = f.publish, f.subscribers
	default:
		return fmt.Errorf("unknown server %q", kind)
	}
	job := jobJSON()
	mux.HandleFunc("POST /bench/publish", func(w http.ResponseWriter, r *http.Request) {
		round, err := strconv.Atoi(r.URL.Query().Get("round"))
		if err != nil {
			http.Error(w, "round", http.StatusBadRequest)
			return
		}
		stamp := monoNow()
		if err := publish(payload(stamp, round, job)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, stamp)
	})
	mux.HandleFunc("GET /bench/stats", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		st := Stats{Subscribers: subscribers(), Goroutines: runtime.NumGoroutine(), HeapInuse: m.HeapInuse, HeapAlloc: m.HeapAlloc,
			StackInuse: m.StackInuse, Sys: m.Sys}
		st.RSS, st.RSSPeak = procStatus("VmRSS"), procStatus("VmHWM")
		_ = json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	go func() { // the parent holds stdin open while it needs this server
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return hs.Serve(ln)
}

// payload is the message of a round: the publish stamp (CLOCK_MONOTONIC
// ns), the round, and a realistic jobs.new posting.
func payload(stamp int64, round int, job []byte) []byte {
	b := make([]byte, 0, len(job)+48)
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, stamp, 10)
	b = append(b, `,"r":`...)
	b = strconv.AppendInt(b, int64(round), 10)
	b = append(b, `,"job":`...)
	b = append(b, job...)
	return append(b, '}')
}

// jobJSON is a jobs.new message as realtime.Feed writes it.
func jobJSON() []byte {
	b, err := json.Marshal(realtime.NewJob{
		ID: "0193a5f2-7c1e-7d4b-9a61-3f0c2b8e5d17", OrgID: "0193a5f2-1b2c-7a3d-8e4f-5a6b7c8d9e0f",
		Title:       "Senior Go engineer, distributed systems",
		Skills:      []domain.SkillRequirement{{Skill: "go", Level: 4}, {Skill: "postgresql", Level: 3}, {Skill: "kubernetes", Level: 2}},
		Seniority:   "senior",
		PublishedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	return b
}

// procStatus reads a kB field of /proc/self/status in bytes.
func procStatus(key string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10
		}
	}
	return 0
}

// newCentrifugeNode is a running node that lets anyone connect and
// subscribe, as Meridian's public channels do.
func newCentrifugeNode() (*centrifuge.Node, error) {
	node, err := centrifuge.New(centrifuge.Config{Name: "wsbench", LogLevel: centrifuge.LogLevelNone})
	if err != nil {
		return nil, err
	}
	node.OnConnecting(func(context.Context, centrifuge.ConnectEvent) (centrifuge.ConnectReply, error) {
		return centrifuge.ConnectReply{Credentials: &centrifuge.Credentials{}}, nil
	})
	node.OnConnect(func(c *centrifuge.Client) {
		c.OnSubscribe(func(e centrifuge.SubscribeEvent, cb centrifuge.SubscribeCallback) {
			if e.Channel != realtime.ChanJobsNew && e.Channel != realtime.ChanJobsClosed {
				cb(centrifuge.SubscribeReply{}, centrifuge.ErrorPermissionDenied)
				return
			}
			cb(centrifuge.SubscribeReply{}, nil)
		})
	})
	return node, node.Run()
}
