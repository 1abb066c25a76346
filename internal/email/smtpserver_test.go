package email_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const python = "/usr/bin/python3"

// handlerSource is the aiosmtpd handler the tests run: Debian's Mailbox
// handler (one file per message in DIR/new), which answers MAIL FROM with
// 554 while DIR/reject-all exists (a server refusing everything) and RCPT TO
// with 550 for addresses starting with "bounce" (a permanent rejection of
// one message).
const handlerSource = `import os
from aiosmtpd.handlers import Mailbox


class TestMailbox(Mailbox):
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if os.path.exists(os.path.join(self.mail_dir, "reject-all")):
            return "554 5.7.1 Not accepting mail right now"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"
`

// smtpServer is a real SMTP server process (python3-aiosmtpd).
type smtpServer struct {
	t      *testing.T
	port   int
	dir    string // the maildir
	lib    string // where handler module lives
	cmd    *exec.Cmd
	exited chan error
}

// needAIOSMTPD skips the test when aiosmtpd is missing, or fails it with
// CI=true.
func needAIOSMTPD(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import aiosmtpd").Run(); err != nil {
		msg := "SMTP tests need Debian's python3-aiosmtpd (apt-get install -y python3-aiosmtpd): " + python + " -c 'import aiosmtpd': " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// startSMTP starts an SMTP server on a free port; it stops when the test ends.
func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	needAIOSMTPD(t)
	s := &smtpServer{t: t, dir: filepath.Join(t.TempDir(), "maildir"), lib: t.TempDir()}
	for _, d := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.lib, "meridian_test_smtp.py"), []byte(handlerSource), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *smtpServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// url is the MERIDIAN_SMTP_URL of the server.
func (s *smtpServer) url() string {
	return "smtp://" + s.addr() + "?tls=none&from=" + "Meridian%20%3Cnotifications@meridian.test%3E"
}

// start runs the server process and waits until it accepts connections.
func (s *smtpServer) start() {
	s.t.Helper()
	cmd := exec.Command(python, "-m", "aiosmtpd", "-n", "-l", s.addr(), "-c", "meridian_test_smtp.TestMailbox", s.dir)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+s.lib)
	stderr := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start aiosmtpd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			s.cmd = nil
			s.t.Fatalf("aiosmtpd exited: %v\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("aiosmtpd did not listen on %s\n%s", s.addr(), stderr.String())
		}
	}
}

// stop ends the server process (the one this test started, by its id).
func (s *smtpServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// rejectAll makes the server answer every MAIL FROM with 554 (or not).
func (s *smtpServer) rejectAll(on bool) {
	s.t.Helper()
	p := filepath.Join(s.dir, "reject-all")
	if on {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			s.t.Fatal(err)
		}
		return
	}
	if err := os.Remove(p); err != nil {
		s.t.Fatal(err)
	}
}

// received is one delivered message, parsed.
type received struct {
	file    string
	header  mail.Header
	to      string
	subject string
	text    string
	html    string
}

// messages returns the delivered messages, oldest first.
func (s *smtpServer) messages() []received {
	s.t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.dir, "new"))
	if err != nil {
		s.t.Fatal(err)
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			s.t.Fatal(err)
		}
		files = append(files, file{e.Name(), info.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mod.Equal(files[j].mod) {
			return files[i].mod.Before(files[j].mod)
		}
		return files[i].name < files[j].name
	})
	var out []received
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(s.dir, "new", f.name))
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, parseMessage(s.t, f.name, b))
	}
	return out
}

func parseMessage(t *testing.T, name string, raw []byte) received {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("message %s: %v", name, err)
	}
	r := received{file: name, header: m.Header, to: m.Header.Get("To")}
	dec := new(mime.WordDecoder)
	if r.subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("subject of %s: %v", name, err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("message %s is %q, want multipart (%v)", name, mt, err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("message %s: %v", name, err)
		}
		var body io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("message %s: %v", name, err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			r.text = string(b)
		case "text/html":
			r.html = string(b)
		}
	}
	return r
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
