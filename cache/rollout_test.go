package cache

import "testing"

func TestRolloutIsStablePerUser(t *testing.T) {
	for id := int64(1); id < 100; id++ {
		if rolloutBucket(id) != rolloutBucket(id) {
			t.Fatalf("user %d moved bucket", id)
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
