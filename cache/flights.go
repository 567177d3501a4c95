package cache

import "sync"

// flights deduplicates concurrent loads of one key within this process:
// the first caller leads and loads, the others wait for its result. With
// batches, one caller can lead some keys and follow others. See load for
// which keys may share a flight.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done      chan struct{}
	value     any
	fromCache bool
	err       error
}

// join returns the flight of key and whether the caller leads it. A leader
// must call land exactly once.
func (f *flights) join(key string) (*flight, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.m[key]; ok {
		return fl, false
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	return fl, true
}

// land records a led flight's result and releases its followers.
func (f *flights) land(key string, fl *flight, value any, fromCache bool, err error) {
	fl.value, fl.fromCache, fl.err = value, fromCache, err
	f.mu.Lock()
	delete(f.m, key)
	f.mu.Unlock()
	close(fl.done)
}
