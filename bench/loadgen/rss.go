package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssSampler records the largest resident set of a process, from
// /proc/<pid>/status (Linux), until stopped.
type rssSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	max  int64 // KiB
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	s.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if kb, ok := vmRSS(path); ok {
				s.max = max(s.max, kb)
			}
			select {
			case <-s.done:
				return
			case <-t.C:
			}
		}
	})
	return s
}

// stop ends sampling and returns the largest VmRSS seen, in KiB.
func (s *rssSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	return s.max
}

// vmRSS reads the "VmRSS:   12345 kB" line.
func vmRSS(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}
