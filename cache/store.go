package cache

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// store is the key-value store behind the caches: Redis, or process memory
// for a single instance. Every method is one round trip however many keys
// it takes (getOrLease two when it must lease), and touches each key on its
// own (no multi-key commands), so it works unchanged on Redis Cluster.
//
// A key holds either a value or a lease: the right of one reader to fill
// it. Leases implement the memcache lease protocol (Nishtala et al.,
// "Scaling Memcache at Facebook"): a reader that misses takes a lease, reads
// the database, and stores its value only if its lease is still there. An
// invalidation deletes the key, lease included, so a value read before the
// invalidation can never be stored after it.
type store interface {
	// getOrLease returns each key's value, or takes a lease on the absent
	// ones for token. A slot says which happened. When all keys hold
	// values, it is one round trip; when some are absent, two.
	// It returns how many round trips it made.
	getOrLease(ctx context.Context, keys []string, token string, leaseTTL time.Duration) ([]slot, int, error)
	// peek reads keys in one round trip without leasing the absent ones
	// (nil values), with whatever commands also adds to the same pipeline
	// on Redis; it reports whether those ran.
	peek(ctx context.Context, keys []string, also func(redis.Pipeliner)) ([][]byte, bool, error)
	// fill stores values under keys still leased to token; others are
	// left alone (their lease was cancelled by an invalidation, or expired).
	fill(ctx context.Context, entries []entry, token string) error
	// apply deletes keys and sets entries unconditionally: invalidations,
	// and the write-through of revoked tokens.
	apply(ctx context.Context, deletes []string, sets []entry) error
	// deletePrefix deletes every key with the prefix and returns how many.
	deletePrefix(ctx context.Context, prefix string) (int, error)
	// usedMemory reports the store's memory use in bytes, if it knows.
	usedMemory(ctx context.Context) (int64, error)
	// ping checks that the store answers.
	ping(ctx context.Context) error
	close() error
}

// slotState is what getOrLease found for a key.
type slotState uint8

const (
	// hit: the key held a value.
	hit slotState = iota
	// leased: the key was absent and is now leased to the caller, who
	// should read the database and fill it.
	leased
	// busy: another reader holds the lease; read the database and do not fill.
	busy
)

type slot struct {
	state slotState
	value []byte
}

// entry is a key with a value and a time to live.
type entry struct {
	key
	value []byte
	ttl   time.Duration
}

// Stored values carry a one-byte tag, so a lease can never be mistaken for
// a value: leases are 'L' followed by the holder's token, values 'v'
// followed by the encoded value.
const (
	leaseTag = 'L'
	valueTag = 'v'
)

func tagValue(v []byte) []byte {
	out := make([]byte, 1+len(v))
	out[0] = valueTag
	copy(out[1:], v)
	return out
}

// classify turns what a key holds into a slot for the reader holding token.
func classify(raw []byte, token string) slot {
	switch {
	case len(raw) > 0 && raw[0] == valueTag:
		return slot{state: hit, value: raw[1:]}
	case string(raw) == token:
		return slot{state: leased}
	default:
		return slot{state: busy}
	}
}
