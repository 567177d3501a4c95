package cache

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// memoryStore is the store in process memory, for a single instance
// (REDIS_URL=memory://). It has Redis's semantics, leases included, so every
// cache behaves the same on it; it is never shared, so it must not be used
// with several instances.
type memoryStore struct {
	mu      sync.Mutex
	entries map[string]memoryEntry
	now     func() time.Time
	bytes   int64
	puts    int
}

type memoryEntry struct {
	value   []byte
	expires time.Time
}

func newMemoryStore() *memoryStore {
	return &memoryStore{entries: map[string]memoryEntry{}, now: time.Now}
}

// live returns a key's entry, dropping it when expired. Callers hold mu.
func (m *memoryStore) live(key string, now time.Time) (memoryEntry, bool) {
	e, ok := m.entries[key]
	if ok && !now.Before(e.expires) {
		m.remove(key)
		return memoryEntry{}, false
	}
	return e, ok
}

// put stores an entry. Every 1024 puts it also drops every expired entry,
// so keys that are never read again do not pile up.
func (m *memoryStore) put(key string, value []byte, expires time.Time) {
	m.remove(key)
	m.entries[key] = memoryEntry{value: value, expires: expires}
	m.bytes += int64(len(key) + len(value))
	if m.puts++; m.puts%1024 == 0 {
		m.sweep()
	}
}

func (m *memoryStore) sweep() {
	now := m.now()
	for k := range m.entries {
		m.live(k, now)
	}
}

func (m *memoryStore) remove(key string) {
	if e, ok := m.entries[key]; ok {
		m.bytes -= int64(len(key) + len(e.value))
		delete(m.entries, key)
	}
}

func (m *memoryStore) getOrLease(_ context.Context, keys []string, token string, leaseTTL time.Duration) ([]slot, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := make([]slot, len(keys))
	for i, k := range keys {
		e, ok := m.live(k, now)
		if !ok {
			m.put(k, []byte(token), now.Add(leaseTTL))
			out[i] = slot{state: leased}
			continue
		}
		out[i] = classify(e.value, token)
	}
	return out, 1, nil
}

func (m *memoryStore) peek(_ context.Context, keys []string, _ func(redis.Pipeliner)) ([][]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := make([][]byte, len(keys))
	for i, k := range keys {
		if e, ok := m.live(k, now); ok {
			out[i] = e.value
		}
	}
	return out, false, nil
}

func (m *memoryStore) fill(_ context.Context, entries []entry, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for _, e := range entries {
		if cur, ok := m.live(e.name, now); ok && string(cur.value) == token {
			m.put(e.name, tagValue(e.value), now.Add(e.ttl))
		}
	}
	return nil
}

func (m *memoryStore) apply(_ context.Context, deletes []string, sets []entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range deletes {
		m.remove(k)
	}
	now := m.now()
	for _, e := range sets {
		m.put(e.name, tagValue(e.value), now.Add(e.ttl))
	}
	return nil
}

func (m *memoryStore) deletePrefix(_ context.Context, prefix string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.entries {
		if strings.HasPrefix(k, prefix) {
			m.remove(k)
			n++
		}
	}
	return n, nil
}

// usedMemory counts the bytes of live keys and values.
func (m *memoryStore) usedMemory(context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	return m.bytes, nil
}

func (m *memoryStore) ping(context.Context) error { return nil }

func (m *memoryStore) close() error { return nil }
