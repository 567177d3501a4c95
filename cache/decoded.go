package cache

import (
	"bytes"
	"hash/maphash"
	"sync/atomic"
)

// decoded remembers the values of recently decoded entries, by their exact
// bytes. Redis stays the authority on what a value is and whether it is
// current: every request still reads the bytes; this only spares decoding
// bytes already decoded, which is most of a warm request's work. Values
// handed out are shared between requests and must not be changed.
//
// It is a direct-mapped table: an entry is found by a hash of its bytes and
// kept until another one hashes to its slot, so memory is bounded and
// nothing needs locking.
type decoded struct {
	seed  maphash.Seed
	slots [decodedSlots]atomic.Pointer[decodedEntry]
}

const decodedSlots = 4096

type decodedEntry struct {
	kind  kind
	raw   []byte
	value any
}

func newDecoded() *decoded { return &decoded{seed: maphash.MakeSeed()} }

func (d *decoded) slot(k kind, raw []byte) *atomic.Pointer[decodedEntry] {
	h := maphash.Bytes(d.seed, raw) ^ uint64(k)*0x9E3779B97F4A7C15
	return &d.slots[h%decodedSlots]
}

// get returns the value decoded from raw for kind k, if it is remembered.
func (d *decoded) get(k kind, raw []byte) (any, bool) {
	e := d.slot(k, raw).Load()
	if e == nil || e.kind != k || !bytes.Equal(e.raw, raw) {
		return nil, false
	}
	return e.value, true
}

// put remembers the value decoded from raw, which the caller must not
// change afterwards.
func (d *decoded) put(k kind, raw []byte, value any) {
	d.slot(k, raw).Store(&decodedEntry{kind: k, raw: raw, value: value})
}

// decodeWith decodes raw with cd, or returns the value it decoded to before.
func decodeWith[V any](c *Cache, k kind, cd codec[V], raw []byte) (V, error) {
	if v, ok := c.decoded.get(k, raw); ok {
		if typed, ok := v.(V); ok {
			return typed, nil
		}
	}
	v, err := cd.decode(raw)
	if err == nil {
		c.decoded.put(k, raw, v)
	}
	return v, err
}
