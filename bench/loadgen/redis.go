package main

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// flusher empties one Redis database over its own connection, speaking
// RESP directly: the bench needs two commands, not a client library.
type flusher struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialFlusher connects to addr ("host:port/db") and selects the db.
func dialFlusher(addr string) (*flusher, error) {
	hostPort, db, ok := strings.Cut(addr, "/")
	if !ok {
		db = "0"
	}
	if _, err := strconv.Atoi(db); err != nil {
		return nil, fmt.Errorf("-flush-redis %q: want host:port/db", addr)
	}
	conn, err := net.DialTimeout("tcp", hostPort, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("-flush-redis: %w", err)
	}
	f := &flusher{conn: conn, r: bufio.NewReader(conn)}
	if err := f.command("SELECT", db); err != nil {
		conn.Close()
		return nil, fmt.Errorf("-flush-redis: SELECT %s: %w", db, err)
	}
	return f, nil
}

func (f *flusher) flushDB() error { return f.command("FLUSHDB") }

func (f *flusher) Close() error { return f.conn.Close() }

// command sends one command and expects a simple-string reply such as +OK.
func (f *flusher) command(args ...string) error {
	if err := f.conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	if _, err := f.conn.Write(encodeRESP(args...)); err != nil {
		return err
	}
	line, err := f.r.ReadString('\n')
	if err != nil {
		return err
	}
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, "+") {
		return fmt.Errorf("redis replied %q", line)
	}
	return nil
}

// encodeRESP encodes a command as a RESP array of bulk strings.
func encodeRESP(args ...string) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b
}
