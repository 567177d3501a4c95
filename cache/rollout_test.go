package cache

import "testing"

func TestRolloutIsStablePerUser(t *testing.T) {
	// A user's bucket must not change between releases, or a rollout would
	// reshuffle who is in it: these are pinned.
	for id, want := range map[int64]int{1: 44, 2: 1, 3: 82, 42: 11, 1000: 88} {
		if got := rolloutBucket(id); got != want {
			t.Fatalf("user %d is in bucket %d, was %d", id, got, want)
		}
	}
	// 30% rollout: about 30% of 10,000 users are in, and raising the
	// percentage only adds users.
	in := 0
	for id := int64(1); id <= 10000; id++ {
		b := rolloutBucket(id)
		if b < 30 {
			in++
		}
		if b < 0 || b >= 100 {
			t.Fatalf("bucket %d out of range", b)
		}
	}
	if in < 2800 || in > 3200 {
		t.Fatalf("%d of 10,000 users in a 30%% rollout", in)
	}
}
