package cache

import (
	"context"
	"encoding/json"
	"time"
)

// codec encodes a cache's values.
type codec[V any] struct {
	encode func(V) ([]byte, error)
	decode func([]byte) (V, error)
}

func jsonCodec[V any]() codec[V] {
	return codec[V]{
		encode: func(v V) ([]byte, error) { return json.Marshal(v) },
		decode: func(b []byte) (V, error) {
			var v V
			err := json.Unmarshal(b, &v)
			return v, err
		},
	}
}

// loaded is a value and whether it came from the cache.
type loaded[V any] struct {
	value     V
	fromCache bool
	err       error
}

// load resolves the keys of one cache together: one round trip for the
// lookup, one call to fetch for the misses (given the indexes of the keys it
// must load, it returns their values and errors in that order), and one
// round trip to fill the leased ones.
//
// With shared, concurrent loads of one key in this process share one fetch
// (singleflight). That is only for keys whose value never changes, chart
// data addressed by its content: a key that is invalidated in place could
// hand a read made before an invalidation to a caller that started after it.
func load[V any](ctx context.Context, c *Cache, k kind, names []string, cd codec[V],
	ttl func(i int, v V) time.Duration, fetch func(missing []int) ([]V, []error), shared bool,
) []loaded[V] {
	out := make([]loaded[V], len(names))
	var lead, follow []int
	flights := make([]*flight, len(names))
	for i, name := range names {
		if !shared {
			lead = append(lead, i)
			continue
		}
		fl, leader := c.flights.join(name)
		flights[i] = fl
		if leader {
			lead = append(lead, i)
		} else {
			follow = append(follow, i)
		}
	}

	keys := make([]key, len(lead))
	for j, i := range lead {
		keys[j] = key{names[i], k}
	}
	slots := c.lookup(ctx, keys)
	var missing []int
	leasedAt := map[int]bool{}
	for j, i := range lead {
		if slots[j].state == hit {
			if v, err := decodeWith(c, k, cd, slots[j].value); err == nil {
				out[i] = loaded[V]{value: v, fromCache: true}
				continue
			}
		}
		missing = append(missing, i)
		leasedAt[i] = slots[j].state == leased
	}
	if len(missing) > 0 {
		values, errs := fetch(missing)
		var fills []entry
		for j, i := range missing {
			out[i] = loaded[V]{value: values[j], err: errs[j]}
			if errs[j] != nil || !leasedAt[i] {
				continue
			}
			if b, err := cd.encode(values[j]); err == nil {
				fills = append(fills, entry{key{names[i], k}, b, ttl(i, values[j])})
			}
		}
		c.fill(ctx, fills)
	}
	for _, i := range lead {
		if flights[i] != nil {
			c.flights.land(names[i], flights[i], out[i].value, out[i].fromCache, out[i].err)
		}
	}

	// Followers take the leader's result; when the leader failed (its
	// request was cancelled, say) they load for themselves, without the cache.
	var retry []int
	for _, i := range follow {
		select {
		case <-flights[i].done:
		case <-ctx.Done():
			out[i].err = ctx.Err()
			continue
		}
		if flights[i].err != nil {
			retry = append(retry, i)
			continue
		}
		out[i] = loaded[V]{value: flights[i].value.(V), fromCache: flights[i].fromCache}
	}
	if len(retry) > 0 {
		values, errs := fetch(retry)
		for j, i := range retry {
			out[i] = loaded[V]{value: values[j], err: errs[j]}
		}
	}
	return out
}

// loadOne is load for a single key of a cache that is invalidated in
// place; with that cache off it is fetch.
func loadOne[V any](ctx context.Context, c *Cache, k kind, name string, ttl time.Duration, fetch func() (V, error)) (V, error) {
	if !c.on(ctx, k) {
		return fetch()
	}
	r := load(ctx, c, k, []string{name}, jsonCodec[V](), func(int, V) time.Duration { return ttl },
		func([]int) ([]V, []error) {
			v, err := fetch()
			return []V{v}, []error{err}
		}, false)
	return r[0].value, r[0].err
}
