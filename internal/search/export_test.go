package search

// SetScanFacetsMax changes when facets are counted by scanning matches
// (tests compare both ways); it returns a function restoring the old value.
func SetScanFacetsMax(n uint64) func() {
	old := scanFacetsMax
	scanFacetsMax = n
	return func() { scanFacetsMax = old }
}
