package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// handler converts one JSON item (an object, or an array element) of an
// import file into records. Items that are not records yield none.
type handler interface {
	// records appends the records of item to out. sc lives for one
	// document (a JSON Lines line, a top-level value or a @graph).
	records(item []byte, sc *scope, out []Record) []Record
	// streamGraph reports whether a top-level object is read member by
	// member, so that a large "@graph" array is streamed element by element.
	streamGraph() bool
}

// scope is what a handler remembers within one document: organizations
// seen so far, for resolving {"@id": ...} references.
type scope struct {
	orgs map[string]ldOrg
}

const maxScopeOrgs = 1000

func (s *scope) reset() { s.orgs = nil }

// errBudget is returned by budgetReader when a record goes over its limit.
var errBudget = errors.New("record over size limit")

// budgetReader counts what it delivers and refuses to read past allow, so
// that a json.Decoder never buffers much more than one record's limit.
type budgetReader struct {
	r     io.Reader
	n     int64 // bytes delivered
	nl    int   // newlines delivered
	allow int64 // bytes that may be delivered in total; < 0: no limit
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	if b.allow >= 0 {
		if b.n >= b.allow {
			return 0, errBudget
		}
		if rest := b.allow - b.n; int64(len(p)) > rest {
			p = p[:rest]
		}
	}
	m, err := b.r.Read(p)
	b.n += int64(m)
	b.nl += bytes.Count(p[:m], []byte{'\n'})
	return m, err
}

// frame is an open container of the document being streamed: the top-level
// array, a top-level object (JSON-LD) or its "@graph" array.
type frame struct {
	obj      bool
	members  map[string]json.RawMessage // top-level object members but @graph
	size     int
	graph    bool  // the object had a streamed @graph
	failed   error // a member could not be read
	line     int
	offset   int64
	fromLine int
}

// pos is where a value starts.
type pos struct {
	x      int64 // decoder coordinate
	offset int64 // byte offset in the file
	line   int
}

// jsonDecoder reads JSON import files: one document (an object, an array,
// an object with @graph, or several such values one after the other),
// streamed element by element; or JSON Lines, read line by line.
type jsonDecoder struct {
	h       handler
	max     int
	src     *bufio.Reader
	pending []Record
	index   int
	err     error // sticky
	started bool
	lines   bool // JSON Lines mode
	sc      scope

	// JSON Lines mode.
	first     []byte // first line, already read
	firstLine int
	line      int   // lines consumed
	offset    int64 // bytes consumed

	// document mode: one json.Decoder per "generation"; a new one starts
	// after skipping a value that was too large or malformed.
	dec        *json.Decoder
	br         *budgetReader
	inner      io.Reader
	prefixLen  int64
	origin     int64 // file offset of decoder coordinate prefixLen
	originLine int   // line of decoder coordinate 0
	stack      []frame
}

const budgetSlack = 4096

// maxRead bounds each read of a json.Decoder, so that the unread part of
// its buffer (scanned for line numbers) stays small.
const maxRead = 32 << 10

func newJSONDecoder(r io.Reader, opt Options, h handler) *jsonDecoder {
	return &jsonDecoder{h: h, max: opt.max(), src: bufio.NewReaderSize(r, 64<<10)}
}

// Next implements Decoder.
func (d *jsonDecoder) Next() (Record, error) {
	for len(d.pending) == 0 {
		if d.err != nil {
			return Record{}, d.err
		}
		var err error
		switch {
		case !d.started:
			err = d.start()
		case d.lines:
			err = d.stepLine()
		default:
			err = d.stepDoc()
		}
		if err != nil {
			d.err = err
		}
	}
	rec := d.pending[0]
	d.pending[0] = Record{}
	d.pending = d.pending[1:]
	return rec, nil
}

func (d *jsonDecoder) emit(recs []Record, line int) {
	for i := range recs {
		d.index++
		recs[i].Index = d.index
		recs[i].Line = line
	}
	d.pending = append(d.pending, recs...)
}

func (d *jsonDecoder) reject(line int, err error) {
	d.emit([]Record{{Err: err}}, line)
}

// invalidUTF8 returns the index of the first byte of b that is not valid
// UTF-8, or -1. encoding/json would silently replace such bytes.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// checkEncoding refuses UTF-16 and UTF-32 input, recognized by a byte
// order mark or by NUL bytes among the first ones.
func checkEncoding(r *bufio.Reader) error {
	b, _ := r.Peek(4)
	if len(b) >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)) ||
		(len(b) >= 2 && (b[0] == 0 || b[1] == 0)) {
		return fmt.Errorf("the file looks UTF-16 or UTF-32 encoded: convert it to UTF-8")
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// start skips a byte order mark and leading white space, then reads the
// first line to choose between JSON Lines and a streamed document.
func (d *jsonDecoder) start() error {
	d.started = true
	if b, err := d.src.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		d.src.Discard(3)
		d.offset = 3
	}
	d.line = 1
	if err := checkEncoding(d.src); err != nil {
		return err
	}
	for {
		c, err := d.src.ReadByte()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("read at byte %d: %w", d.offset, err)
		}
		if !isSpace(c) {
			d.src.UnreadByte()
			break
		}
		d.offset++
		if c == '\n' {
			d.line++
		}
	}
	// Read the first line, keeping at most max+1 bytes.
	var buf []byte
	complete := false
	for len(buf) <= d.max {
		s, err := d.src.ReadSlice('\n')
		buf = append(buf, s...)
		if err == nil || err == io.EOF {
			complete = len(buf) <= d.max+1
			break
		}
		if err != bufio.ErrBufferFull {
			return fmt.Errorf("read at byte %d: %w", d.offset+int64(len(buf)), err)
		}
	}
	if complete && looksLikeJSONLine(buf) {
		d.lines = true
		d.first = buf
		d.firstLine = d.line
		return nil
	}
	d.inner = io.MultiReader(bytes.NewReader(buf), d.src)
	d.newGen("", d.offset, d.line)
	return nil
}

// looksLikeJSONLine reports whether the first line of a file is a complete
// JSON value (or looks meant to be one), which makes the file JSON Lines.
func looksLikeJSONLine(b []byte) bool {
	t := bytes.TrimSpace(b)
	if len(t) < 2 {
		return false
	}
	if json.Valid(t) {
		return true
	}
	return (t[0] == '{' && t[len(t)-1] == '}') || (t[0] == '[' && t[len(t)-1] == ']')
}

// ---- JSON Lines ----

// readLine reads one line, keeping at most max bytes of it.
func (d *jsonDecoder) readLine() (line []byte, tooLong bool, err error) {
	for {
		s, e := d.src.ReadSlice('\n')
		d.offset += int64(len(s))
		if !tooLong {
			if len(line)+len(s) > d.max+1 { // +1: the newline itself
				tooLong, line = true, nil
			} else {
				line = append(line, s...)
			}
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		if e == io.EOF && (len(s) > 0 || len(line) > 0 || tooLong) {
			e = nil
		}
		return line, tooLong, e
	}
}

func (d *jsonDecoder) stepLine() error {
	var (
		line    []byte
		tooLong bool
		lineNo  int
		start   int64
	)
	if d.first != nil {
		line, lineNo, d.first = d.first, d.firstLine, nil
		start = d.offset
		d.offset += int64(len(line))
		d.line = lineNo + 1
	} else {
		start = d.offset
		var err error
		line, tooLong, err = d.readLine()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", d.line, err)
		}
		lineNo = d.line
		d.line++
	}
	if tooLong {
		d.reject(lineNo, tooLargeErr(d.max))
		return nil
	}
	t := bytes.TrimSpace(line)
	if len(t) == 0 {
		return nil
	}
	lead := int64(bytes.Index(line, t[:1]))
	var raw json.RawMessage
	if err := json.Unmarshal(t, &raw); err != nil {
		d.reject(lineNo, jsonErr(err, start+lead, lineNo))
		return nil
	}
	if i := invalidUTF8(t); i >= 0 {
		d.reject(lineNo, fmt.Errorf("invalid UTF-8 at byte %d (line %d): the file must be UTF-8 encoded", start+lead+int64(i), lineNo))
		return nil
	}
	d.sc.reset()
	d.emitItem(t, start+lead, lineNo)
	return nil
}

// emitItem turns one complete item into records: the elements of an array
// one by one, or the item itself.
func (d *jsonDecoder) emitItem(item []byte, offset int64, line int) {
	if len(item) == 0 || item[0] != '[' {
		d.emit(d.h.records(item, &d.sc, nil), line)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(item))
	dec.Token() // [
	for dec.More() {
		var el json.RawMessage
		if err := dec.Decode(&el); err != nil { // cannot happen: item is valid
			d.reject(line, jsonErr(err, offset, line))
			return
		}
		d.emit(d.h.records(el, &d.sc, nil), line)
	}
}

// jsonErr describes a JSON syntax error at a file offset.
func jsonErr(err error, base int64, line int) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d (line %d): %s", base+se.Offset, line, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("invalid JSON at byte %d (line %d): unexpected end of input (truncated record)", base, line)
	}
	return fmt.Errorf("invalid JSON at byte %d (line %d): %v", base, line, err)
}

// ---- streamed document ----

func (d *jsonDecoder) newGen(prefix string, origin int64, originLine int) {
	if prefix != "" {
		d.inner = io.MultiReader(strings.NewReader(prefix), d.inner)
	}
	d.br = &budgetReader{r: d.inner, allow: -1}
	d.dec = json.NewDecoder(d.br)
	d.prefixLen = int64(len(prefix))
	d.origin = origin
	d.originLine = originLine
}

// nlCounter counts newlines written to it.
type nlCounter int

func (n *nlCounter) Write(p []byte) (int, error) {
	*n += nlCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// peek returns the first byte of the decoder's unread buffer that is not
// white space, after a comma or colon when sep is set, and its index in
// the buffer; c is 0 when there is none yet.
func (d *jsonDecoder) peek(sep bool) (c byte, i int64) {
	r := d.dec.Buffered().(io.ByteReader)
	for {
		b, err := r.ReadByte()
		if err != nil {
			return 0, i
		}
		if sep && i == 0 && (b == ',' || b == ':') {
			i++
			continue
		}
		if !isSpace(b) {
			return b, i
		}
		i++
	}
}

// at returns the position of decoder coordinate x (x >= InputOffset).
func (d *jsonDecoder) at(x int64) pos {
	in := d.dec.InputOffset()
	k := max(x-in, 0)
	r := d.dec.Buffered().(*bytes.Reader)
	k = min(k, r.Size())
	r.Seek(k, io.SeekStart)
	var after nlCounter
	r.WriteTo(&after)
	return pos{x: in + k, offset: d.origin + in + k - d.prefixLen, line: d.originLine + d.br.nl - int(after)}
}

// valueStart returns where the next value starts, skipping a comma or colon
// and white space already in the decoder's buffer.
func (d *jsonDecoder) valueStart() pos {
	_, i := d.peek(true)
	return d.at(d.dec.InputOffset() + i)
}

func (d *jsonDecoder) setBudget() {
	d.br.allow = d.dec.InputOffset() + int64(d.max) + budgetSlack
}

func (d *jsonDecoder) streamErr(err error) error {
	if errors.Is(err, errBudget) {
		p := d.at(d.dec.InputOffset())
		return fmt.Errorf("at byte %d (line %d): more than %s without a complete value", p.offset, p.line, sizeText(d.max))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		p := d.at(d.dec.InputOffset())
		return fmt.Errorf("invalid JSON at byte %d (line %d): %s", d.origin+se.Offset-d.prefixLen, p.line, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		p := d.at(d.dec.InputOffset())
		return fmt.Errorf("unexpected end of input at byte %d (line %d): the file is truncated: %w", p.offset, p.line, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("read at byte %d: %w", d.at(d.dec.InputOffset()).offset, err)
}

func (d *jsonDecoder) stepDoc() error {
	d.setBudget()
	if len(d.stack) == 0 {
		if !d.dec.More() {
			tok, err := d.dec.Token()
			if err == io.EOF {
				return io.EOF
			}
			if err != nil {
				return d.streamErr(err)
			}
			p := d.at(d.dec.InputOffset())
			return fmt.Errorf("invalid JSON at byte %d (line %d): unexpected %v", p.offset-1, p.line, tok)
		}
		p := d.valueStart()
		d.sc.reset()
		switch b, _ := d.peek(false); {
		case b == '[':
			d.dec.Token()
			d.stack = append(d.stack, frame{line: p.line, offset: p.offset})
			return nil
		case b == '{' && d.h.streamGraph():
			d.dec.Token()
			d.stack = append(d.stack, frame{obj: true, members: map[string]json.RawMessage{}, line: p.line, offset: p.offset})
			return nil
		}
		return d.element(p)
	}
	top := &d.stack[len(d.stack)-1]
	if !top.obj {
		if d.dec.More() {
			return d.element(d.valueStart())
		}
		if _, err := d.dec.Token(); err != nil {
			return d.streamErr(err)
		}
		d.stack = d.stack[:len(d.stack)-1]
		return nil
	}
	// a top-level JSON-LD object, read member by member
	tok, err := d.dec.Token()
	if err != nil {
		return d.streamErr(err)
	}
	if tok == json.Delim('}') {
		f := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		switch {
		case f.graph:
		case f.failed != nil:
			d.reject(f.line, f.failed)
		default:
			item, err := json.Marshal(f.members)
			if err != nil {
				d.reject(f.line, err)
				return nil
			}
			if i := invalidUTF8(item); i >= 0 {
				d.reject(f.line, fmt.Errorf("invalid UTF-8 in the object at byte %d (line %d): the file must be UTF-8 encoded", f.offset, f.line))
				return nil
			}
			d.emit(d.h.records(item, &d.sc, nil), f.line)
		}
		return nil
	}
	key, _ := tok.(string)
	if key == "@graph" && d.peekAfterColon() == '[' {
		if _, err := d.dec.Token(); err != nil {
			return d.streamErr(err)
		}
		top.graph = true
		top.members = nil
		d.stack = append(d.stack, frame{line: top.line, offset: top.offset, fromLine: 1})
		return nil
	}
	p := d.valueStart()
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		perr := d.valueErr(err, p)
		if top.failed == nil {
			top.failed = perr
		}
		return d.resync()
	}
	if top.graph || top.failed != nil {
		return nil
	}
	top.size += len(key) + len(raw)
	if top.size > d.max {
		top.failed = tooLargeErr(d.max)
		top.members = nil
		return nil
	}
	top.members[key] = raw
	return nil
}

// peekAfterColon returns the first byte of the value after an object key,
// or 0 when it is not in the decoder's buffer yet.
func (d *jsonDecoder) peekAfterColon() byte {
	if !d.dec.More() {
		return 0
	}
	c, _ := d.peek(true)
	return c
}

// element decodes one array element (or a top-level value) at p.
func (d *jsonDecoder) element(p pos) error {
	var raw json.RawMessage
	if err := d.dec.Decode(&raw); err != nil {
		perr := d.valueErr(err, p)
		if perr == nil {
			return d.streamErr(err)
		}
		d.reject(p.line, perr)
		return d.resync()
	}
	if n := d.dec.InputOffset() - p.x; n > int64(d.max) {
		d.reject(p.line, tooLargeErr(d.max))
		return nil
	}
	if i := invalidUTF8(raw); i >= 0 {
		d.reject(p.line, fmt.Errorf("invalid UTF-8 at byte %d (line %d): the file must be UTF-8 encoded", p.offset+int64(i), p.line))
		return nil
	}
	d.emit(d.h.records(raw, &d.sc, nil), p.line)
	return nil
}

// valueErr returns the rejection reason for a value that could not be read,
// or nil when the stream cannot go on at all.
func (d *jsonDecoder) valueErr(err error, p pos) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errBudget):
		return tooLargeErr(d.max)
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d (line %d): %s", d.origin+se.Offset-d.prefixLen, p.line, se.Error())
	}
	return nil
}

// resync skips the value the decoder failed on, then starts a new decoder
// after it whose input begins with a synthetic prefix re-opening the
// containers that are still open, so that streaming resumes with the next
// element. It fails when the rest of the input is not well-formed enough
// to find where the value ends.
func (d *jsonDecoder) resync() error {
	in := d.dec.InputOffset()
	start := d.at(in)
	sk := &skipper{r: io.MultiReader(d.dec.Buffered(), d.inner)}
	if err := sk.skipValue(); err != nil {
		return fmt.Errorf("at byte %d (line %d): cannot find the end of a bad record: %w", start.offset, start.line, err)
	}
	if len(d.stack) > 0 {
		c, err := sk.nextNonSpace()
		if err != nil {
			return fmt.Errorf("at byte %d (line %d): cannot find the end of a bad record: %w", start.offset+sk.consumed, start.line+sk.nl, err)
		}
		top := d.stack[len(d.stack)-1]
		switch {
		case c == ',':
		case (c == ']' && !top.obj) || (c == '}' && top.obj):
			sk.unread()
		default:
			return fmt.Errorf("invalid JSON at byte %d (line %d): unexpected %q after a bad record", start.offset+sk.consumed-1, start.line+sk.nl, c)
		}
	}
	rest := append([]byte(nil), sk.buf[sk.i:sk.n]...)
	d.inner = io.MultiReader(bytes.NewReader(rest), d.inner)
	var prefix strings.Builder
	for i, f := range d.stack {
		switch {
		case f.obj:
			prefix.WriteString("{")
		case i > 0:
			prefix.WriteString(`"@graph":[`)
		default:
			prefix.WriteString("[")
		}
	}
	d.newGen(prefix.String(), start.offset+sk.consumed, start.line+sk.nl)
	for i, f := range d.stack {
		n := 1
		if !f.obj && i > 0 {
			n = 2
		}
		for ; n > 0; n-- {
			if _, err := d.dec.Token(); err != nil {
				return d.streamErr(err)
			}
		}
	}
	return nil
}

// skipper reads past one JSON value without holding it in memory. It is
// lenient: it balances brackets and strings but does not check what is
// between them, so that it can step over malformed values too.
type skipper struct {
	r        io.Reader
	buf      [4096]byte
	i, n     int
	consumed int64
	nl       int
	err      error
}

func (s *skipper) readByte() (byte, error) {
	if s.i >= s.n {
		if s.err != nil {
			return 0, s.err
		}
		for s.i >= s.n && s.err == nil {
			s.n, s.err = s.r.Read(s.buf[:])
			s.i = 0
		}
		if s.i >= s.n {
			if s.err == io.EOF {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, s.err
		}
	}
	c := s.buf[s.i]
	s.i++
	s.consumed++
	if c == '\n' {
		s.nl++
	}
	return c, nil
}

func (s *skipper) unread() {
	s.i--
	s.consumed--
	if s.buf[s.i] == '\n' {
		s.nl--
	}
}

func (s *skipper) nextNonSpace() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

func (s *skipper) skipString() error {
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		switch c {
		case '\\':
			if _, err := s.readByte(); err != nil {
				return err
			}
		case '"':
			return nil
		}
	}
}

func (s *skipper) skipValue() error {
	c, err := s.nextNonSpace()
	if err != nil {
		return err
	}
	switch c {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 1
		for depth > 0 {
			c, err := s.readByte()
			if err != nil {
				return err
			}
			switch c {
			case '"':
				if err := s.skipString(); err != nil {
					return err
				}
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		return nil
	}
	// a literal: up to the next delimiter
	for {
		c, err := s.readByte()
		if err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
		if isSpace(c) || c == ',' || c == ']' || c == '}' {
			s.unread()
			return nil
		}
	}
}
