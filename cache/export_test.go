package cache

// SetBeforeFill installs a hook that runs between a load's database read
// and its fill, with the keys about to be filled, for tests that race
// invalidations against fills.
func (c *Cache) SetBeforeFill(f func(keys []string)) { c.beforeFill = f }

// Prefix returns the cache's key prefix.
func (c *Cache) Prefix() string { return c.prefix }
