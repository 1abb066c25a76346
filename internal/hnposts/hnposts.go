// Package hnposts ships a real data set: the Hacker News "Who is hiring?"
// posts of January to April 2026 (origin, license and fields in README.md),
// embedded gzipped. The demo loads it through the "hn" import format; the
// skills, parsers and importers are developed and measured on it.
package hnposts

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
)

//go:embed hn_whoishiring_2026-01_to_2026-04.jsonl.gz
var gz []byte

// Count is the number of posts in the data set.
const Count = 1425

// Open returns the posts as JSON Lines, one post a line.
func Open() (io.ReadCloser, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("hn posts: %w", err)
	}
	return zr, nil
}

// Each calls fn with every line (one JSON post) in file order; the line is
// only valid during the call. It stops at fn's first error.
func Each(fn func(line []byte) error) error {
	r, err := Open()
	if err != nil {
		return err
	}
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("hn posts: %w", err)
	}
	return nil
}
